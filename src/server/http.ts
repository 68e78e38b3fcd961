// Request/response plumbing for the embedded server: bounded body reading (with gzip, capped
// after decompression), JSON answers in Langfuse's error shape, and query-parameter checks
// that fail with 400 instead of throwing.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { createGunzip, createInflate } from 'node:zlib';

/** Langfuse's Next.js API routes accept 4.5 MB bodies. */
export const MAX_BODY_BYTES = 4.5 * 1024 * 1024;
/** A gzip body may not inflate past this: a small multiple of the raw cap (JSON compresses 4×
 * or more; a 10 MB string of CJK and emoji is 13.4 MB of UTF-8), where 32 MB used to be
 * allowed. A bomb is cut off as it inflates, never buffered; what a body may cost in objects
 * is bounded separately (MAX_JSON_ELEMENTS). */
export const MAX_DECOMPRESSED_BYTES = 4 * MAX_BODY_BYTES;
/** JSON elements (objects, arrays and the commas between values) one request may hold. The
 * cost of a body is in the objects JSON.parse builds, not its bytes: 4.5 MB of `[{},{},…]`
 * is 1.5 million objects. Counted while the body streams in, before anything is parsed;
 * parsing the most this allows takes tens of milliseconds. */
export const MAX_JSON_ELEMENTS = 1_000_000;

/** Where the `batch` array of `{"batch": [ … ]}` is in a body: its brackets and its elements'
 * byte ranges (flat: start, end, start, end…). */
interface BatchArray {
  open: number;
  close: number;
  bounds: number[];
}

const BATCH_KEY = Buffer.from('batch');

/**
 * Counts JSON structure (`{`, `[` and `,` outside strings) across chunks, and notes where the
 * elements of the top-level `batch` array begin and end — so a batch can be parsed one event
 * at a time, with breaks between, instead of in one long JSON.parse.
 */
export class JsonElementCounter {
  count = 0;
  private inString = false;
  private escaped = false;
  private depth = 0;
  private offset = 0;
  private topIsObject = false;
  /** The first bytes of the string being read at depth 1 (a key, maybe), and its length. */
  private readonly keyBytes = Buffer.alloc(BATCH_KEY.length);
  private keyLength = 0;
  private lastStringIsBatch = false;
  private keyIsBatch = false;
  private current: BatchArray | null = null;
  private elementStart = 0;
  /** Every `batch` array at the top level, in order (JSON.parse keeps the last). */
  readonly batches: BatchArray[] = [];

  feed(chunk: Buffer): number {
    let count = this.count;
    let inString = this.inString;
    let escaped = this.escaped;
    let depth = this.depth;
    const base = this.offset;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (inString) {
        if (escaped) escaped = false;
        else if (byte === 0x5c) escaped = true;
        else if (byte === 0x22) {
          inString = false;
          if (depth === 1) this.lastStringIsBatch = this.keyLength === BATCH_KEY.length && this.keyBytes.equals(BATCH_KEY);
        }
        if (depth === 1 && byte !== 0x22) {
          // A key spelled with escapes is not recognised: the body is then parsed whole.
          if (this.keyLength < BATCH_KEY.length) this.keyBytes[this.keyLength] = byte;
          this.keyLength++;
        }
        continue;
      }
      switch (byte) {
        case 0x22: // "
          inString = true;
          if (depth === 1) this.keyLength = 0;
          break;
        case 0x3a: // :
          if (depth === 1) this.keyIsBatch = this.lastStringIsBatch;
          break;
        case 0x7b: // {
        case 0x5b: // [
          count++;
          if (depth === 0) this.topIsObject = byte === 0x7b;
          else if (depth === 1 && byte === 0x5b && this.topIsObject && this.keyIsBatch) {
            this.current = { open: base + i, close: -1, bounds: [] };
            this.elementStart = base + i + 1;
          }
          depth++;
          break;
        case 0x7d: // }
        case 0x5d: // ]
          depth--;
          if (depth === 1 && this.current) {
            this.current.bounds.push(this.elementStart, base + i);
            this.current.close = base + i;
            this.batches.push(this.current);
            this.current = null;
          }
          break;
        case 0x2c: // ,
          count++;
          if (depth === 1) this.keyIsBatch = false;
          if (depth === 2 && this.current) {
            this.current.bounds.push(this.elementStart, base + i);
            this.elementStart = base + i + 1;
          }
          break;
      }
    }
    this.count = count;
    this.inString = inString;
    this.escaped = escaped;
    this.depth = depth;
    this.offset = base + chunk.length;
    return count;
  }
}

const isBlank = (buffer: Buffer, start: number, end: number): boolean => {
  for (let i = start; i < end; i++) {
    const byte = buffer[i]!;
    if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) return false;
  }
  return true;
};

const invalidJson = (detail: string) => new HttpError(400, 'Invalid JSON', `request body is not valid JSON: ${detail}`);

/** Reads an /ingestion body (415 unless JSON, 413 past the size caps) as bytes. Its JSON is
 * counted and parsed on the write worker (countJson, batchFromBody), so the main thread never
 * walks a 4.5 MB body byte by byte. */
export async function readBatchBody(req: IncomingMessage): Promise<Buffer> {
  requireJsonType(req);
  return readBody(req);
}

const tooComplex = () =>
  new HttpError(413, 'Request body too complex', `the body holds more than ${MAX_JSON_ELEMENTS} JSON elements (objects, arrays and values); send fewer events per request`);

/** Counts a whole body's JSON elements (413 past MAX_JSON_ELEMENTS, before anything is
 * parsed) and gives back where its `batch` array is. */
export function countJson(body: Buffer): BatchArray | null {
  const counter = new JsonElementCounter();
  if (counter.feed(body) > MAX_JSON_ELEMENTS) throw tooComplex();
  const batch = counter.batches.at(-1);
  return batch && batch.close >= 0 ? batch : null;
}

/**
 * `{"batch": [...], ...}` with the events left unparsed: the envelope is parsed with an empty
 * batch, and `events` parses one event each time it is iterated (a malformed one throws a 400
 * Invalid JSON for the whole request, as parsing the whole body would). A body of any other
 * shape is parsed whole and given back as `payload`.
 */
export function batchFromBody(body: Buffer, batch: BatchArray | null): { payload: unknown; events: Iterable<unknown> | null } {
  if (!batch) return { payload: parseJsonText(body.toString('utf8')), events: null };
  const envelope = parseJsonText(`${body.toString('utf8', 0, batch.open)}[]${body.toString('utf8', batch.close + 1)}`);
  const bounds = batch.bounds.length === 2 && isBlank(body, batch.bounds[0]!, batch.bounds[1]!) ? [] : batch.bounds;
  function* events(): Generator<unknown> {
    for (let i = 0; i < bounds.length; i += 2) {
      const start = bounds[i]!;
      const end = bounds[i + 1]!;
      if (isBlank(body, start, end)) throw invalidJson('an empty element in the batch array');
      try {
        yield JSON.parse(body.toString('utf8', start, end));
      } catch (error) {
        if (error instanceof SyntaxError) throw invalidJson(error.message);
        throw error;
      }
    }
  }
  return { payload: envelope, events: { [Symbol.iterator]: events } };
}

function parseJsonText(text: string): unknown {
  if (text.trim() === '') throw new HttpError(400, 'Invalid request data', 'request body is empty');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw invalidJson((error as Error).message);
  }
}

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

/** Reads the raw body, inflating gzip/deflate; 413 past either limit. With `json`, the
 * (inflated) body's JSON elements are counted as it streams in and a body past
 * MAX_JSON_ELEMENTS is refused before it is parsed. */
export async function readBody(req: IncomingMessage, options: { json?: boolean } = {}): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) {
    req.resume();
    throw new HttpError(413, 'Request body too large', `the limit is ${MAX_BODY_BYTES} bytes`);
  }
  const encoding = String(req.headers['content-encoding'] ?? 'identity').toLowerCase();
  const counter = options.json ? new JsonElementCounter() : undefined;
  if (encoding !== 'identity' && encoding !== '' && encoding !== 'gzip' && encoding !== 'deflate') {
    req.resume();
    throw new HttpError(415, 'Unsupported content encoding', `content-encoding ${encoding} is not supported`);
  }
  const plain = encoding === 'identity' || encoding === '';
  const raw = await collect(req, MAX_BODY_BYTES, 'Request body too large', true, plain ? counter : undefined);
  if (plain) return raw;
  const inflater = encoding === 'gzip' ? createGunzip() : createInflate();
  const inflated = collect(inflater, MAX_DECOMPRESSED_BYTES, 'Decompressed body too large', false, counter);
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
  counter?: JsonElementCounter,
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
      const overSize = size > limit;
      const overElements = !overSize && counter !== undefined && counter.feed(chunk) > MAX_JSON_ELEMENTS;
      if (overSize || overElements) {
        done = true;
        chunks.length = 0;
        if (!drain) stream.destroy?.();
        reject(overSize ? new HttpError(413, tooLarge, `the limit is ${limit} bytes`) : tooComplex());
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

/** 415 for a body declared as something JSON cannot be. */
function requireJsonType(req: IncomingMessage): void {
  if (!isJsonContentType(req.headers['content-type'])) {
    req.resume();
    throw new HttpError(415, 'Unsupported media type', `content-type ${req.headers['content-type']} is not JSON; send application/json`);
  }
}

export async function readJson(req: IncomingMessage): Promise<unknown> {
  requireJsonType(req);
  const body = await readBody(req, { json: true });
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

/** Whether a bind address is loopback only (127.0.0.0/8, ::1, localhost). */
export function isLoopbackBind(bind: string): boolean {
  const host = bind.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || host === '::ffff:127.0.0.1';
}

/**
 * On a loopback bind, a request must name a loopback host: a web page whose DNS name was
 * rebound to 127.0.0.1 sends its own name in Host, and is refused (421) before auth. No Host
 * (HTTP/1.0) is taken as loopback. Returns the refusal, or null.
 */
export function misdirected(hostHeader: string | undefined): HttpError | null {
  if (hostHeader === undefined || hostHeader === '') return null;
  const match = /^(\[[^\]]*\]|[^:]*)(?::\d{1,5})?$/.exec(hostHeader.trim());
  const name = match ? match[1]!.toLowerCase().replace(/\.$/, '') : '';
  if (match && (isLoopbackBind(name) || name.endsWith('.localhost'))) return null;
  return new HttpError(
    421,
    'Misdirected Request',
    `this server listens on loopback only and answers requests for localhost, 127.0.0.1 or [::1]; the Host header named ${JSON.stringify(hostHeader.slice(0, 100))}`,
  );
}
