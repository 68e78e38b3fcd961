// A pass-through HTTP proxy on loopback that records every request and the status it got:
// how many requests a client spends (per poll, per bucket) and whether any was answered 429.

import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface CountedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  status: number;
  /** When the request arrived (ms). */
  at: number;
}

export interface CountingProxy {
  url: string;
  log: CountedRequest[];
  /** Requests since the mark (and moves the mark to now). */
  since(mark: number): CountedRequest[];
  close(): Promise<void>;
}

export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const upstream = new URL(target);
  const log: CountedRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const at = Date.now();
    const outgoing = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
      (answer) => {
        log.push({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, status: answer.statusCode ?? 0, at });
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    outgoing.on('error', () => res.destroy());
    req.pipe(outgoing);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    log,
    since: (mark) => log.slice(mark),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
