// What every route handler receives, and what it returns.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Query } from '../http.js';
import type { Repository } from '../repository.js';
import type { StreamHub } from '../stream-hub.js';

export type ReadApi = 'both' | 'v1' | 'v2';

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  query: Query;
  params: Record<string, string>;
  repo: Repository;
  hub: StreamHub;
  version: string;
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
  /** Which read generation a route belongs to, so a server can play a v3 or a v4 Langfuse. */
  generation?: 'v1' | 'v2';
}

export const ok = (body: unknown, status = 200): Reply => ({ status, body });
