// Request/response plumbing for the embedded server: bounded body reading (with gzip, capped
// after decompression), JSON answers in Langfuse's error shape, and query-parameter checks
// that fail with 400 instead of throwing.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { createGunzip, createInflate } from 'node:zlib';

/** Langfuse's Next.js API routes accept 4.5 MB bodies. */
export const MAX_BODY_BYTES = 4.5 * 1024 * 1024;
/** A gzip body may not inflate past this; a bomb is cut off, not buffered. */
export const MAX_DECOMPRESSED_BYTES = 32 * 1024 * 1024;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly detail?: unknown,
  ) {
    super(message);
  }
}

export const badRequest = (detail: string): HttpError => new HttpError(400, 'Invalid request data', detail);
export const notFound = (what: string): HttpError => new HttpError(404, `${what} not found`, 'LangfuseNotFoundError');

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

export function sendError(res: ServerResponse, error: HttpError): void {
  sendJson(res, error.status, { message: error.message, error: error.detail ?? error.message });
}

/** Reads the raw body, inflating gzip/deflate; 413 past either limit. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) {
    req.resume();
    throw new HttpError(413, 'Request body too large', `the limit is ${MAX_BODY_BYTES} bytes`);
  }
  const encoding = String(req.headers['content-encoding'] ?? 'identity').toLowerCase();
  const raw = await collect(req, MAX_BODY_BYTES, 'Request body too large', true);
  if (encoding === 'identity' || encoding === '') return raw;
  if (encoding !== 'gzip' && encoding !== 'deflate') {
    throw new HttpError(415, 'Unsupported content encoding', `content-encoding ${encoding} is not supported`);
  }
  const inflater = encoding === 'gzip' ? createGunzip() : createInflate();
  const inflated = collect(inflater, MAX_DECOMPRESSED_BYTES, 'Decompressed body too large');
  inflater.end(raw);
  try {
    return await inflated;
  } catch (error) {
    if (error instanceof HttpError) throw error;
    throw new HttpError(400, 'Invalid request data', `body is not valid ${encoding}`);
  }
}

/** Bytes of an over-limit request still read (and dropped) after the 413 is decided, so
 * the client is not reset mid-upload and can read the answer; past this the socket goes. */
const MAX_DRAIN_BYTES = 64 * 1024 * 1024;

/** Buffers a stream up to `limit` bytes. A request (`drain`) past the limit is read on and
 * dropped; anything else (an inflater) is destroyed at once. */
function collect(
  stream: NodeJS.ReadableStream & { destroy?: () => void },
  limit: number,
  tooLarge: string,
  drain = false,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (done) {
        // Over the limit: keep reading so the upload can finish and see the 413.
        if (size > limit + MAX_DRAIN_BYTES) stream.destroy?.();
        return;
      }
      if (size > limit) {
        done = true;
        chunks.length = 0;
        if (!drain) stream.destroy?.();
        reject(new HttpError(413, tooLarge, `the limit is ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    stream.on('end', () => {
      if (!done) {
        done = true;
        resolve(Buffer.concat(chunks));
      }
    });
    stream.on('error', (error) => {
      if (!done) {
        done = true;
        reject(error);
      }
    });
  });
}

/** The answer to a request Node's parser rejected, in the same JSON shape as every other. */
export function clientErrorResponse(error: Error & { code?: string }): string {
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const status = tooLarge ? 431 : 400;
  const reason = tooLarge ? 'Request Header Fields Too Large' : 'Bad Request';
  const body = JSON.stringify({
    message: tooLarge ? 'Request headers too large' : 'Invalid request data',
    error: `the request could not be parsed as HTTP${error.code ? ` (${error.code})` : ''}`,
  });
  return (
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json; charset=utf-8\r\n` +
    `content-length: ${Buffer.byteLength(body)}\r\ncache-control: no-store\r\nconnection: close\r\n\r\n${body}`
  );
}

/** A declared media type that cannot be JSON (form posts from `curl -d`, text, protobuf). No
 * header at all is taken as JSON, as the SDKs' older clients sometimes omit it. */
function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined || header.trim() === '') return true;
  const type = header.split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || type === 'text/json' || /^application\/[\w.+-]+\+json$/.test(type);
}

export async function readJson(req: IncomingMessage): Promise<unknown> {
  if (!isJsonContentType(req.headers['content-type'])) {
    req.resume();
    throw new HttpError(415, 'Unsupported media type', `content-type ${req.headers['content-type']} is not JSON; send application/json`);
  }
  const body = await readBody(req);
  const text = body.toString('utf8');
  if (text.trim() === '') throw new HttpError(400, 'Invalid request data', 'request body is empty');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, 'Invalid JSON', `request body is not valid JSON: ${(error as Error).message}`);
  }
}

/** Typed access to query parameters with Langfuse's validation rules. */
export class Query {
  constructor(private readonly params: URLSearchParams) {}

  has(name: string): boolean {
    return this.params.has(name);
  }

  string(name: string): string | null {
    const value = this.params.get(name);
    return value === null || value === '' ? null : value;
  }

  strings(name: string): string[] {
    return this.params
      .getAll(name)
      .flatMap((value) => value.split(','))
      .map((value) => value.trim())
      .filter(Boolean);
  }

  /** Repeated values without splitting commas (tags may contain commas). */
  repeated(name: string): string[] {
    return this.params.getAll(name).filter(Boolean);
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const raw = this.params.get(name);
    if (raw === null || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw badRequest(`${name} must be an integer between ${min} and ${max}`);
    }
    return value;
  }

  number(name: string): number | null {
    const raw = this.params.get(name);
    if (raw === null || raw === '') return null;
    const value = Number(raw);
    if (!Number.isFinite(value)) throw badRequest(`${name} must be a number`);
    return value;
  }

  /** ISO 8601 with an offset, as Langfuse requires; returns epoch ms. */
  datetime(name: string): number | null {
    const raw = this.params.get(name);
    if (raw === null || raw === '') return null;
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(raw)) {
      throw badRequest(`${name} must be an ISO 8601 datetime with an offset, e.g. 2024-01-01T00:00:00Z`);
    }
    const ms = Date.parse(raw);
    if (Number.isNaN(ms)) throw badRequest(`${name} is not a valid datetime`);
    return ms;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T | null {
    const raw = this.string(name);
    if (raw === null) return null;
    if (!allowed.includes(raw as T)) throw badRequest(`${name} must be one of ${allowed.join(', ')}`);
    return raw as T;
  }
}

export function pageMeta(page: number, limit: number, totalItems: number) {
  return { page, limit, totalItems, totalPages: Math.ceil(totalItems / limit) };
}
