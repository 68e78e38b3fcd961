// The embedded Langfuse-compatible backend: node:http, SQLite, and the SSE stream.
// Binds loopback unless told otherwise and requires keys on every route but health.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeAuthChecker, type ServerKeys } from './auth.js';
import { openDatabase, storageFailure, type Database } from './db.js';
import { clientErrorResponse, HttpError, isLoopbackBind, misdirected, Query, sendError, sendJson } from './http.js';
import { Repository } from './repository.js';
import { StreamHub, type StreamLimits } from './stream-hub.js';
import type { ReadApi, Route, RouteContext, TwinOptions } from './routes/context.js';
import { bucketFor, RateLimiter, rateLimitTable, type RateLimitSetting } from './rate-limit.js';
import { rejectUnknownKeys } from './filter/params.js';
import { eventsOnlyGated, strictQueryKeys, v4OnlyMessage } from './filter/gates.js';
import { readRoutesV1 } from './routes/reads-v1.js';
import { readRoutesV2 } from './routes/reads-v2.js';
import { writeRoutes } from './routes/writes.js';
import { promptRoutes } from './routes/prompts.js';
import { metricsRoutes } from './routes/metrics.js';
import { otelRoutes } from './routes/otel.js';
import { streamRoutes } from './routes/stream.js';
import { challengeRoute } from './routes/challenge.js';
import { Retention, type RetentionOptions, type RetentionPass } from './retention.js';
import { datasetRoutes } from './routes/datasets.js';
import { Writer } from './ingest/writer.js';

export interface ServerOptions extends ServerKeys {
  dbPath: string;
  bind?: string;
  port?: number;
  streamEnabled?: boolean;
  readApi?: ReadApi;
  /** Milliseconds between SSE heartbeats (tests shorten it). */
  heartbeatMs?: number;
  /** The `retry:` hint sent to SSE clients, in milliseconds. */
  retryMs?: number;
  /** Byte bounds of the stream: per-client buffer, stall limit, frame cache. */
  streamLimits?: StreamLimits;
  /** Background pruning (`serve --retention 30d --max-db-size 2GB`); none by default. */
  retention?: RetentionOptions;
  /** Emulates LANGFUSE_API_TRACES_REJECT_NO_DATE_RANGE: GET /traces needs fromTimestamp. */
  tracesRequireDateRange?: boolean;
  /** Langfuse Cloud's rate limits (a plan, or a plan with buckets replaced); none by default. */
  rateLimit?: RateLimitSetting;
  /** The clock rate-limit windows are measured by (tests move it on instead of waiting). */
  now?: () => number;
}

/** The events_only 404, answered before auth (so a bad key gets it too). */
const EVENTS_ONLY_MESSAGE =
  'This endpoint is not available on deployments running in Langfuse v4 events_only mode. Learn more about Langfuse v4 at: https://langfuse.com/docs/v4';

export interface RunningServer {
  url: string;
  port: number;
  db: Database;
  /** What the stream holds in memory (bench/stalled-streams.ts and tests read it). */
  streamStats(): ReturnType<StreamHub['stats']>;
  /** Runs a retention pass now (tests; the server also runs them on its interval). */
  prune(now?: number): Promise<RetentionPass>;
  close(): Promise<void>;
}

// The Langfuse release each read generation mimics; the build suffix tells a tracetop client
// it may use the stream (SemVer build metadata, ignored by version comparisons).
const HEALTH_VERSION: Record<ReadApi, string> = {
  both: '3.225.4',
  v1: '3.225.4',
  v2: '4.16.0',
};

interface CompiledRoute extends Route {
  regex: RegExp;
  names: string[];
}

function compile(route: Route): CompiledRoute {
  const names: string[] = [];
  const pattern = route.path.replace(/:(\w+)/g, (_, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { ...route, regex: new RegExp(`^${pattern}/?$`), names };
}

export function startServer(options: ServerOptions): Promise<RunningServer> {
  const readApi = options.readApi ?? 'both';
  const version = `${HEALTH_VERSION[readApi]}+tracetop${options.streamEnabled === false ? '' : '.stream'}`;
  const db = openDatabase(options.dbPath);
  const repo = new Repository(db);
  const hub = new StreamHub(repo, { version, heartbeatMs: options.heartbeatMs, retryMs: options.retryMs, ...options.streamLimits });
  const writer = new Writer(options.dbPath, repo);
  const retention = options.retention ? new Retention(db, options.retention) : null;
  const authorized = makeAuthChecker(options);
  const twin: TwinOptions = { readApi, tracesRequireDateRange: options.tracesRequireDateRange ?? false };
  const limiter = options.rateLimit ? new RateLimiter(rateLimitTable(options.rateLimit), options.now) : null;

  const health: Route = {
    method: 'GET',
    path: '/api/public/health',
    public: true,
    handler: () => ({ status: 200, body: { status: 'OK', version } }),
  };
  const ready: Route = { ...health, path: '/api/public/ready' };
  const routes = [
    health,
    ready,
    challengeRoute(options),
    ...writeRoutes,
    ...promptRoutes,
    ...metricsRoutes,
    ...otelRoutes,
    ...readRoutesV1,
    ...readRoutesV2,
    ...datasetRoutes(readApi),
    ...(options.streamEnabled === false ? [] : streamRoutes),
  ].map(compile);

  const checkHost = isLoopbackBind(options.bind ?? '127.0.0.1');
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const wrongHost = checkHost ? misdirected(req.headers.host) : null;
    if (wrongHost) {
      req.resume();
      throw wrongHost;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (readApi === 'v2' && eventsOnlyGated(req.method ?? 'GET', url.pathname)) {
      req.resume();
      sendJson(res, 404, { message: EVENTS_ONLY_MESSAGE });
      return;
    }
    let pathMatched = false;
    for (const route of routes) {
      const match = route.regex.exec(url.pathname);
      if (!match) continue;
      pathMatched = true;
      if (route.method !== req.method) continue;
      if (readApi === 'v2' && route.generation === 'v1') {
        req.resume();
        sendJson(res, 404, { message: EVENTS_ONLY_MESSAGE });
        return;
      }
      if (!route.public && !authorized(req)) {
        req.resume();
        throw new HttpError(
          401,
          'Invalid credentials. Confirm that you have configured the correct host and the public/secret key pair.',
          'Unauthorized',
        );
      }
      const bucket = limiter && !route.public ? bucketFor(route.method, url.pathname, { annotationQueuesBucket: readApi !== 'v1' }) : null;
      const refusal = bucket ? limiter!.consume(bucket) : null;
      if (refusal) {
        req.resume();
        for (const [name, value] of Object.entries(refusal.headers)) res.setHeader(name, value);
        sendJson(res, 429, refusal.body);
        return;
      }
      // A v3 server routes the v4 reads but answers them 404, after auth and the rate limit.
      if (readApi === 'v1' && route.generation === 'v2') {
        req.resume();
        const message = route.v4OnlyMessage ?? v4OnlyMessage(route.method, url.pathname) ?? 'This API is only available in a Langfuse v4 write mode. Learn more at: https://langfuse.com/docs/v4';
        throw new HttpError(404, message, 'LangfuseNotFoundError');
      }
      const strictKeys = strictQueryKeys(route.method, route.path);
      if (strictKeys) rejectUnknownKeys(url.searchParams, strictKeys);
      const params: Record<string, string> = {};
      for (const [index, name] of route.names.entries()) {
        try {
          params[name] = decodeURIComponent(match[index + 1] as string);
        } catch {
          req.resume();
          throw new HttpError(400, 'Invalid request data', `the path segment for ${name} is not valid percent-encoding`);
        }
      }
      const ctx: RouteContext = { req, res, url, query: new Query(url.searchParams), params, repo, hub, writer, version, twin };
      const reply = await route.handler(ctx);
      if (reply) sendJson(res, reply.status, reply.body);
      return;
    }
    req.resume();
    if (pathMatched && !authorized(req)) {
      throw new HttpError(401, 'Invalid credentials. Confirm that you have configured the correct host and the public/secret key pair.', 'Unauthorized');
    }
    if (pathMatched) throw new HttpError(405, 'Method not allowed', `${req.method} is not allowed on ${url.pathname}`);
    // A v3 server routes the v4 reads it does not serve: 404 JSON after auth.
    const v4Only = readApi === 'v1' ? v4OnlyMessage(req.method ?? 'GET', url.pathname) : null;
    if (v4Only && !authorized(req)) {
      throw new HttpError(401, 'Invalid credentials. Confirm that you have configured the correct host and the public/secret key pair.', 'Unauthorized');
    }
    if (v4Only) throw new HttpError(404, v4Only, 'LangfuseNotFoundError');
    throw new HttpError(404, 'Route not found', `no route for ${req.method} ${url.pathname}`);
  }

  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof HttpError) {
        sendError(res, error);
        return;
      }
      const storage = storageFailure(error);
      if (storage) {
        // Disk full or read-only: the client learns why (507/503, which SDKs retry), the
        // operator reads it on stderr, and the transaction was rolled back whole.
        process.emitWarning(`tracetop serve: ${req.method} ${req.url?.split('?')[0]} not stored: ${String(error)}`);
        sendError(res, new HttpError(storage.status, storage.status === 507 ? 'Insufficient Storage' : 'Service Unavailable', storage.message));
        return;
      }
      // Never die on input: an unexpected failure is a 500 for this request only.
      process.emitWarning(`tracetop serve: ${req.method} ${req.url?.split('?')[0]} failed: ${String(error)}`);
      sendError(res, new HttpError(500, 'Internal Server Error', 'the server failed to handle this request'));
    });
  });
  server.on('clientError', (error: Error & { code?: string }, socket) => {
    // A timed-out or reset socket has no one to answer.
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    socket.end(clientErrorResponse(error));
  });

  return new Promise((resolve, reject) => {
    server.once('error', (error) => {
      // Not listening (port taken, say): let go of the database and the hub's timer too.
      hub.close();
      void writer.close().then(() => db.close());
      reject(error);
    });
    server.listen(options.port ?? 3000, options.bind ?? '127.0.0.1', () => {
      server.removeAllListeners('error');
      retention?.start();
      const address = server.address() as AddressInfo;
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      resolve({
        url: `http://${host}:${address.port}`,
        port: address.port,
        db,
        streamStats: () => hub.stats(),
        prune: (now) => retention?.run(now) ?? Promise.resolve({ traces: 0, changes: 0, events: 0 }),
        close: () =>
          new Promise<void>((done) => {
            void retention?.stop();
            hub.close();
            server.close(() => {
              void writer.close().then(() => {
                db.close();
                done();
              });
            });
            server.closeAllConnections();
          }),
      });
    });
  });
}
