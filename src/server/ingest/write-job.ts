// What the write worker does with a request body: an /ingestion batch or an OTLP export,
// parsed, validated and applied in one transaction. Pure of threads: the worker runs it on its
// own connection (src/server/ingest/write-worker.ts), an in-memory database runs it inline.

import { batchFromBody, countJson, HttpError, MAX_DECOMPRESSED_BYTES } from '../http.js';
import type { Repository } from '../repository.js';
import { applyPrepared, ingestBatch, prepareBatch } from './apply.js';
import { decodeOtlpRequest, mapOtlpToIngestion } from '../otlp/index.js';
import { recordExperimentSpans } from '../datasets/experiments.js';

export type WriteJob =
  | { kind: 'batch'; body: Uint8Array }
  | { kind: 'otlp'; body: Uint8Array; contentType: string | undefined };

/** A job's answer, and whether the change log moved (the stream is told on the main thread). */
export interface WriteDone {
  status: number;
  body: unknown;
  changed: boolean;
}

/** A failure as it crosses threads: an HttpError keeps its status, anything else its SQLite
 * code (a full disk is a 507 on the main thread, as before). */
export type WriteFailure =
  | { kind: 'http'; status: number; message: string; detail: unknown }
  | { kind: 'error'; message: string; errcode?: number };

export function toFailure(error: unknown): WriteFailure {
  if (error instanceof HttpError) return { kind: 'http', status: error.status, message: error.message, detail: error.detail };
  const errcode = (error as { errcode?: unknown })?.errcode;
  return { kind: 'error', message: String(error), ...(typeof errcode === 'number' ? { errcode } : {}) };
}

export function fromFailure(failure: WriteFailure): Error {
  if (failure.kind === 'http') return new HttpError(failure.status, failure.message, failure.detail);
  return Object.assign(new Error(failure.message), failure.errcode === undefined ? {} : { errcode: failure.errcode });
}

const asBuffer = (bytes: Uint8Array): Buffer => (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));

export async function runWriteJob(repo: Repository, job: WriteJob): Promise<WriteDone> {
  return job.kind === 'batch' ? ingestion(repo, asBuffer(job.body)) : otlpExport(repo, asBuffer(job.body), job.contentType);
}

/** POST /api/public/ingestion: a 207 with a line per event. */
async function ingestion(repo: Repository, body: Buffer): Promise<WriteDone> {
  // Counted before anything is parsed (a body of 1.5 million `{}` is a 413), then parsed one
  // event at a time as they are validated.
  const { payload, events } = batchFromBody(body, countJson(body));
  if (typeof payload !== 'object' || payload === null || !Array.isArray((payload as { batch?: unknown }).batch)) {
    throw new HttpError(400, 'Invalid request data', [{ message: 'body must be {"batch": [...]}' }]);
  }
  const { response, changed } = await ingestBatch(repo, events ?? (payload as { batch: unknown[] }).batch);
  return { status: 207, body: response, changed };
}

/** POST /api/public/otel/v1/traces: spans mapped to ingestion events, all or nothing. */
async function otlpExport(repo: Repository, body: Buffer, contentType: string | undefined): Promise<WriteDone> {
  // The body was inflated on the main thread (with its cap); the decoder sees plain bytes. A
  // JSON export's elements are counted before it is parsed, as for /ingestion.
  if ((contentType ?? '').toLowerCase().includes('application/json')) countJson(body);
  const decoded = decodeOtlpRequest(body, contentType, undefined, { maxDecompressedBytes: MAX_DECOMPRESSED_BYTES });
  if (!decoded.ok) throw new HttpError(decoded.status, decoded.message, decoded.message);
  const { events, errors } = mapOtlpToIngestion(decoded.request, new Date());
  if (errors.length > 0 && events.length === 0) {
    throw new HttpError(400, `Invalid OTLP trace export: ${errors.join('; ')}`, `Invalid OTLP trace export: ${errors.join('; ')}`);
  }
  if (events.length === 0) return { status: 200, body: {}, changed: false };
  const now = new Date();
  const prepared = await prepareBatch(events, now);
  // A span whose ids or attributes cannot be stored (an ill-formed session id, say) fails the
  // export with a 400 naming why, before anything is written: half a span is never kept.
  const refused = prepared.flatMap((event) => ('error' in event ? [String(event.error.error)] : []));
  if (refused.length > 0) {
    const reasons = [...new Set(refused)].slice(0, 5).join('; ');
    throw new HttpError(400, `Invalid OTLP trace export: ${reasons}`, `Invalid OTLP trace export: ${reasons}`);
  }
  const { changed } = applyPrepared(repo, prepared, now);
  recordExperimentSpans(repo.db, decoded.request);
  return { status: 200, body: {}, changed };
}
