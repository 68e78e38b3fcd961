// What every route handler receives, and what it returns.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Query } from '../http.js';
import type { Repository } from '../repository.js';
import type { StreamHub } from '../stream-hub.js';
import type { Writer } from '../ingest/writer.js';

export type ReadApi = 'both' | 'v1' | 'v2';

/** Which real Langfuse the server plays, and the server-side switches that change its reads. */
export interface TwinOptions {
  /** v1: self-hosted v3.225.4 (legacy write mode); v2: v4 / Cloud events_only; both: every read. */
  readApi: ReadApi;
  /** LANGFUSE_API_TRACES_REJECT_NO_DATE_RANGE: GET /traces without fromTimestamp is a 400. */
  tracesRequireDateRange: boolean;
}

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  query: Query;
  params: Record<string, string>;
  repo: Repository;
  hub: StreamHub;
  /** Runs ingestion (batches, OTLP exports) off the main thread. */
  writer: Writer;
  version: string;
  twin: TwinOptions;
}

export interface Reply {
  status: number;
  body: unknown;
}

/** A handler answers with a Reply, or undefined when it wrote the response itself (SSE). */
export type Handler = (ctx: RouteContext) => Reply | undefined | Promise<Reply | undefined>;

export interface Route {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  handler: Handler;
  /** Health needs no key; everything else does. */
  public?: boolean;
  /** Which read generation a route belongs to, so a server can play a v3 or a v4 Langfuse:
   * 'v1' routes answer the events_only 404 before auth in `--read-api v2`; 'v2' routes answer
   * 404 (`v4OnlyMessage`) after auth in `--read-api v1`. Routes without one serve both. */
  generation?: 'v1' | 'v2';
  /** The 404 message of a 'v2' route on a v3 server. */
  v4OnlyMessage?: string;
}

export const ok = (body: unknown, status = 200): Reply => ({ status, body });
