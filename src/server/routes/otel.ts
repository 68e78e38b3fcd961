// POST /api/public/otel/v1/traces: OTLP/HTTP (JSON from @langfuse/otel, protobuf from the
// Python SDK), mapped to ingestion events and applied like a batch.

import { HttpError, readBody } from '../http.js';
import { applyPrepared, prepareBatch } from '../ingest/apply.js';
import { decodeOtlpRequest, mapOtlpToIngestion } from '../otlp/index.js';
import { MAX_DECOMPRESSED_BYTES } from '../http.js';
import { ok, type Route, type RouteContext } from './context.js';
import { recordExperimentSpans } from '../datasets/experiments.js';

async function exportTraces(ctx: RouteContext) {
  const ingestionVersion = Number(ctx.req.headers['x-langfuse-ingestion-version'] ?? 0);
  if (ingestionVersion > 4) throw new HttpError(400, 'Unsupported ingestion version', `x-langfuse-ingestion-version ${ingestionVersion}`);
  // readBody inflates gzip with a cap; the decoder sees plain bytes. An OTLP/JSON body's
  // elements are counted as it streams in, as for /ingestion (a JSON bomb is a 413 unparsed).
  const body = await readBody(ctx.req, { json: String(ctx.req.headers['content-type'] ?? '').includes('application/json') });
  const decoded = decodeOtlpRequest(body, ctx.req.headers['content-type'], undefined, {
    maxDecompressedBytes: MAX_DECOMPRESSED_BYTES,
  });
  if (!decoded.ok) throw new HttpError(decoded.status, decoded.message, decoded.message);
  const { events, errors } = mapOtlpToIngestion(decoded.request, new Date());
  if (errors.length > 0 && events.length === 0) {
    throw new HttpError(400, `Invalid OTLP trace export: ${errors.join('; ')}`, `Invalid OTLP trace export: ${errors.join('; ')}`);
  }
  if (events.length === 0) return ok({});
  const now = new Date();
  const prepared = await prepareBatch(events, now);
  // A span whose ids or attributes cannot be stored (an ill-formed session id, say) fails the
  // export with a 400 naming why, before anything is written: half a span is never kept.
  const refused = prepared.flatMap((event) => ('error' in event ? [String(event.error.error)] : []));
  if (refused.length > 0) {
    const reasons = [...new Set(refused)].slice(0, 5).join('; ');
    throw new HttpError(400, `Invalid OTLP trace export: ${reasons}`, `Invalid OTLP trace export: ${reasons}`);
  }
  const { changed } = applyPrepared(ctx.repo, prepared, now);
  recordExperimentSpans(ctx.repo.db, decoded.request);
  if (changed) ctx.hub.notify();
  return ok({});
}

export const otelRoutes: Route[] = [{ method: 'POST', path: '/api/public/otel/v1/traces', handler: exportTraces }];
