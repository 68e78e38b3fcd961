// The embedded Langfuse-compatible backend: node:http, SQLite, and the SSE stream.
// Binds loopback unless told otherwise and requires keys on every route but health.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeAuthChecker, type ServerKeys } from './auth.js';
import { openDatabase, storageFailure, type Database } from './db.js';
import { clientErrorResponse, HttpError, Query, sendError, sendJson } from './http.js';
import { Repository } from './repository.js';
import { StreamHub } from './stream-hub.js';
import type { ReadApi, Route, RouteContext } from './routes/context.js';
import { readRoutesV1 } from './routes/reads-v1.js';
import { readRoutesV2 } from './routes/reads-v2.js';
import { writeRoutes } from './routes/writes.js';
import { otelRoutes } from './routes/otel.js';
import { streamRoutes } from './routes/stream.js';

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
}

export interface RunningServer {
  url: string;
  port: number;
  db: Database;
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
  const hub = new StreamHub(repo, { version, heartbeatMs: options.heartbeatMs, retryMs: options.retryMs });
  const authorized = makeAuthChecker(options);

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
    ...writeRoutes,
    ...otelRoutes,
    ...readRoutesV1.filter(() => readApi !== 'v2'),
    ...readRoutesV2.filter(() => readApi !== 'v1'),
    ...(options.streamEnabled === false ? [] : streamRoutes),
  ].map(compile);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    let pathMatched = false;
    for (const route of routes) {
      const match = route.regex.exec(url.pathname);
      if (!match) continue;
      pathMatched = true;
      if (route.method !== req.method) continue;
      if (!route.public && !authorized(req)) {
        req.resume();
        throw new HttpError(
          401,
          'Invalid credentials. Confirm that you have configured the correct host and the public/secret key pair.',
          'Unauthorized',
        );
      }
      const params: Record<string, string> = {};
      for (const [index, name] of route.names.entries()) {
        try {
          params[name] = decodeURIComponent(match[index + 1] as string);
        } catch {
          req.resume();
          throw new HttpError(400, 'Invalid request data', `the path segment for ${name} is not valid percent-encoding`);
        }
      }
      const ctx: RouteContext = { req, res, url, query: new Query(url.searchParams), params, repo, hub, version };
      const reply = await route.handler(ctx);
      if (reply) sendJson(res, reply.status, reply.body);
      return;
    }
    req.resume();
    if (pathMatched && !authorized(req)) {
      throw new HttpError(401, 'Invalid credentials. Confirm that you have configured the correct host and the public/secret key pair.', 'Unauthorized');
    }
    if (pathMatched) throw new HttpError(405, 'Method not allowed', `${req.method} is not allowed on ${url.pathname}`);
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
      db.close();
      reject(error);
    });
    server.listen(options.port ?? 3000, options.bind ?? '127.0.0.1', () => {
      server.removeAllListeners('error');
      const address = server.address() as AddressInfo;
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      resolve({
        url: `http://${host}:${address.port}`,
        port: address.port,
        db,
        close: () =>
          new Promise<void>((done) => {
            hub.close();
            server.close(() => {
              db.close();
              done();
            });
            server.closeAllConnections();
          }),
      });
    });
  });
}
