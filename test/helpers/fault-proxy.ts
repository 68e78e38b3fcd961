// An HTTP proxy on loopback in front of a real embedded server, whose behaviour a test switches
// at runtime: pass-through, slow, hung (accepts, never answers), bursts of error statuses
// (429 with Retry-After), truncated bodies and non-JSON bodies. What a flaky load balancer,
// a restarting backend or a captive portal does to tracetop, on demand.

import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type FaultMode =
  | { kind: 'pass' }
  /** Waits delayMs, then passes the request through. */
  | { kind: 'slow'; delayMs: number }
  /** Reads the request, never answers; the socket stays open. */
  | { kind: 'hung' }
  /** Answers with these statuses in turn (a burst); after `count` requests, pass-through again. */
  | { kind: 'status'; statuses: number[]; retryAfterSeconds?: number; count?: number }
  /** 200 with a content-length longer than the body, then the socket is cut. */
  | { kind: 'truncated' }
  /** 200 with an HTML page (a captive portal, a proxy's error page). */
  | { kind: 'non-json' };

export interface FaultProxy {
  url: string;
  port: number;
  mode(): FaultMode;
  /**
   * Switches behaviour for new requests. dropActive (default true) cuts the connections of
   * requests in flight (an open SSE stream, say), so a client meets the new behaviour at once.
   * Hung requests are never dropped by a switch: a hung backend does not let go either.
   * paths limits the fault to requests whose path matches (the rest pass through).
   */
  setMode(mode: FaultMode, options?: { dropActive?: boolean; paths?: RegExp }): void;
  /** Requests seen, by path (query stripped) and by what the proxy did. */
  log: { at: number; method: string; path: string; outcome: string }[];
  /** Destroys the sockets of hung requests (what a client-side timeout would do). */
  releaseHung(): void;
  close(): Promise<void>;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  let current: FaultMode = { kind: 'pass' };
  let only: RegExp | null = null;
  let burstIndex = 0;
  const active = new Set<{ req: IncomingMessage; res: ServerResponse; upstream?: ReturnType<typeof httpRequest> }>();
  const hung = new Set<Socket>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const log: FaultProxy['log'] = [];

  const passThrough = (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const entry: { req: IncomingMessage; res: ServerResponse; upstream?: ReturnType<typeof httpRequest> } = { req, res };
    active.add(entry);
    const done = () => active.delete(entry);
    res.on('close', done);
    const outgoing = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('error', () => res.destroy());
      },
    );
    entry.upstream = outgoing;
    outgoing.on('error', () => {
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: 'fault proxy: upstream unreachable' }));
      } else res.destroy();
    });
    outgoing.end(body);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const path = (req.url ?? '/').split('?')[0]!;
      const mode: FaultMode = only && !only.test(path) ? { kind: 'pass' } : current;
      const record = (outcome: string) => log.push({ at: Date.now(), method: req.method ?? 'GET', path, outcome });
      switch (mode.kind) {
        case 'pass':
          record('pass');
          passThrough(req, res, body);
          return;
        case 'slow': {
          record(`slow ${mode.delayMs}ms`);
          const timer = setTimeout(() => {
            timers.delete(timer);
            if (!res.destroyed) passThrough(req, res, body);
          }, mode.delayMs);
          timers.add(timer);
          return;
        }
        case 'hung':
          record('hung');
          hung.add(req.socket);
          req.socket.once('close', () => hung.delete(req.socket));
          return;
        case 'status': {
          const status = mode.statuses[burstIndex++ % mode.statuses.length]!;
          if (mode.count !== undefined && burstIndex >= mode.count) current = { kind: 'pass' };
          record(String(status));
          const headers: Record<string, string> = { 'content-type': 'application/json' };
          if (status === 429) headers['retry-after'] = String(mode.retryAfterSeconds ?? 1);
          res.writeHead(status, headers);
          res.end(JSON.stringify({ message: `fault proxy: injected ${status}` }));
          return;
        }
        case 'truncated':
          record('truncated');
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': '4096' });
          res.write('{"data":[{"id":"trunc');
          setImmediate(() => res.destroy());
          return;
        case 'non-json':
          record('non-json');
          res.writeHead(200, { 'content-type': 'text/html' });
          res.end('<html><body><h1>Sign in to the guest network</h1></body></html>');
          return;
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    log,
    mode: () => current,
    setMode(mode, options = {}) {
      current = mode;
      only = options.paths ?? null;
      burstIndex = 0;
      if (options.dropActive ?? true) {
        for (const entry of active) {
          entry.upstream?.destroy();
          entry.res.destroy();
        }
        active.clear();
      }
    },
    releaseHung() {
      for (const socket of hung) socket.destroy();
      hung.clear();
    },
    close() {
      for (const timer of timers) clearTimeout(timer);
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
