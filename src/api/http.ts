// HTTP to a Langfuse backend: undici with a keep-alive Agent, timeouts, and retries with
// backoff and jitter on network errors, 5xx, 524 and 429. Every request first takes its turn in
// the request budget (`budget.ts`: per rate-limit bucket, interactive before background); a
// 429's Retry-After blocks its bucket for as long as the server says, in full. Failures become
// LangfuseApiError values whose message says what to do — and never holds the secret.

import { Agent, request, errors as undiciErrors } from 'undici';
import { bucketFor, RequestBudget, type Priority } from './budget.js';

export type ApiErrorKind =
  | 'auth'
  | 'not-found'
  | 'rate-limited'
  | 'server'
  | 'network'
  | 'timeout'
  | 'bad-response'
  | 'bad-request';

export class LangfuseApiError extends Error {
  constructor(
    readonly kind: ApiErrorKind,
    message: string,
    readonly url: string,
    readonly status: number | null = null,
    readonly retryAfterMs: number | null = null,
    /** The backend's own message (e.g. a 400's reason), when it gave one. */
    readonly detail: string | null = null,
  ) {
    super(message);
    this.name = 'LangfuseApiError';
  }

  /** A 429's X-RateLimit-Limit, when the server sent one. */
  rateLimit: number | null = null;
}

export interface Connection {
  host: string;
  publicKey: string;
  secretKey: string;
}

export interface HttpOptions {
  /** Attempts for retryable failures, the first included. */
  attempts?: number;
  timeoutMs?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** The request budget every request goes through; default: no pacing, 429s honoured. */
  budget?: RequestBudget;
}

export interface RequestOptions {
  query?: Record<string, QueryValue>;
  body?: unknown;
  attempts?: number;
  /** Interactive requests (opening a trace, scoring) go before background ones (polls, history). Default interactive. */
  priority?: Priority;
}

export type QueryValue = string | number | boolean | null | undefined | (string | number)[];

/** Retry-After is seconds or an HTTP date. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | null {
  const raw = Array.isArray(value) ? value[0] : value;
  if (!raw) return null;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** Exponential backoff with full jitter, capped. */
export function backoffDelay(attempt: number, minMs: number, maxMs: number, random = Math.random): number {
  const ceiling = Math.min(maxMs, minMs * 2 ** attempt);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * The URL of an API path on a host, keeping the host's own path: Langfuse behind a proxy at
 * https://x/langfuse answers https://x/langfuse/api/public/…
 */
export function buildUrl(host: string, path: string, query: Record<string, QueryValue> = {}): string {
  // Relative to the host with a trailing slash: an absolute path would drop the host's prefix.
  const url = new URL(path.replace(/^\/+/, ''), `${host.replace(/\/+$/, '')}/`);
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value)) for (const item of value) url.searchParams.append(key, String(item));
    else url.searchParams.set(key, String(value));
  }
  return url.toString();
}

const headerValue = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

/** Cloud's 429 body says `details.retryAfterSeconds` too. */
function retryAfterFromBody(text: string): number | null {
  try {
    const seconds = Number((JSON.parse(text) as { details?: { retryAfterSeconds?: unknown } }).details?.retryAfterSeconds);
    return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : null;
  } catch {
    return null;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function describeBody(text: string): string | null {
  try {
    const parsed = JSON.parse(text) as { message?: unknown; error?: unknown };
    const parts = [parsed.message, typeof parsed.error === 'string' ? parsed.error : null].filter(
      (part): part is string => typeof part === 'string' && part.length > 0,
    );
    return parts.length ? [...new Set(parts)].join(': ') : null;
  } catch {
    const trimmed = text.trim();
    return trimmed ? trimmed.slice(0, 200) : null;
  }
}

export class HttpClient {
  private readonly agent: Agent;
  private readonly authorization: string;
  readonly budget: RequestBudget;
  /** Requests sent, 429s among them (tests and the bench read these). */
  readonly counters = { requests: 0, rateLimited: 0 };

  constructor(
    readonly connection: Connection,
    private readonly options: HttpOptions = {},
  ) {
    this.budget = options.budget ?? new RequestBudget();
    this.agent = new Agent({ keepAliveTimeout: 30_000, connections: 8 });
    this.authorization = `Basic ${Buffer.from(`${connection.publicKey}:${connection.secretKey}`).toString('base64')}`;
  }

  get host(): string {
    return this.connection.host;
  }

  get authHeader(): string {
    return this.authorization;
  }

  url(path: string, query?: Record<string, QueryValue>): string {
    return buildUrl(this.connection.host, path, query);
  }

  async json<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const url = this.url(path, options.query);
    const bucket = bucketFor(method, path);
    const attempts = options.attempts ?? this.options.attempts ?? 4;
    const minBackoff = this.options.minBackoffMs ?? 250;
    const maxBackoff = this.options.maxBackoffMs ?? 8_000;
    for (let attempt = 0; ; attempt++) {
      await this.budget.acquire(bucket, options.priority ?? 'interactive');
      try {
        this.counters.requests++;
        return await this.once<T>(method, url, options.body);
      } catch (error) {
        const apiError = error as LangfuseApiError;
        if (apiError.kind === 'rate-limited') {
          this.counters.rateLimited++;
          // The bucket stays closed for the whole Retry-After (Cloud's windows are a minute);
          // the next acquire waits it out, and so does every other request to that bucket.
          this.budget.rateLimited(bucket, apiError.retryAfterMs, apiError.rateLimit);
        }
        const retryable = ['network', 'timeout', 'server', 'rate-limited'].includes(apiError.kind);
        if (!retryable || attempt + 1 >= attempts) throw apiError;
        if (apiError.kind !== 'rate-limited') await sleep(backoffDelay(attempt, minBackoff, maxBackoff));
      }
    }
  }

  private async once<T>(method: string, url: string, body: unknown): Promise<T> {
    const timeout = this.options.timeoutMs ?? 15_000;
    let response;
    try {
      response = await request(url, {
        method: method as 'GET',
        dispatcher: this.agent,
        headers: {
          authorization: this.authorization,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        headersTimeout: timeout,
        bodyTimeout: timeout,
      });
    } catch (error) {
      const timedOut =
        error instanceof undiciErrors.HeadersTimeoutError ||
        error instanceof undiciErrors.BodyTimeoutError ||
        error instanceof undiciErrors.ConnectTimeoutError;
      if (timedOut) {
        throw new LangfuseApiError('timeout', `no answer from ${url} within ${Math.round(timeout / 1000)}s`, url);
      }
      const code = (error as { code?: string }).code ?? (error as Error).message;
      throw new LangfuseApiError('network', `cannot reach ${this.connection.host} (${code}): is the host right and up?`, url);
    }
    let text: string;
    try {
      text = await response.body.text();
    } catch {
      throw new LangfuseApiError('timeout', `the answer from ${url} was cut off`, url, response.statusCode);
    }
    const status = response.statusCode;
    if (status >= 200 && status < 300) {
      if (!text) return undefined as T;
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new LangfuseApiError('bad-response', `${status} from ${url} was not JSON: is this a Langfuse host?`, url, status);
      }
    }
    const detail = describeBody(text);
    const suffix = detail ? ` (${detail})` : '';
    if (status === 401 || status === 403) {
      throw new LangfuseApiError(
        'auth',
        `${status} from ${url}: check LANGFUSE_PUBLIC_KEY/LANGFUSE_SECRET_KEY and the host`,
        url,
        status,
        null,
        detail,
      );
    }
    if (status === 404) throw new LangfuseApiError('not-found', `404 from ${url}${suffix}`, url, status, null, detail);
    if (status === 429) {
      const wait = parseRetryAfter(response.headers['retry-after'], this.budget.clock.now()) ?? retryAfterFromBody(text);
      const limitHeader = Number(headerValue(response.headers['x-ratelimit-limit']));
      const error = new LangfuseApiError(
        'rate-limited',
        `429 from ${url}: rate limited${wait === null ? '' : `, retry in ${Math.ceil(wait / 1000)}s`}`,
        url,
        status,
        wait,
        detail,
      );
      error.rateLimit = Number.isFinite(limitHeader) && limitHeader > 0 ? limitHeader : null;
      throw error;
    }
    if (status >= 500) throw new LangfuseApiError('server', `${status} from ${url}${suffix}`, url, status, null, detail);
    throw new LangfuseApiError('bad-request', `${status} from ${url}${suffix}`, url, status, null, detail);
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
