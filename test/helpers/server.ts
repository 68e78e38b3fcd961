// Starts a real embedded server on an ephemeral loopback port for a test.

import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { startServer, type RunningServer, type ServerOptions } from '../../src/server/index.js';

export const TEST_KEYS = { publicKey: 'pk-lf-test', secretKey: 'sk-lf-test-secret-0123456789' };

export interface TestServer extends RunningServer {
  auth: string;
  dbPath: string;
  get(path: string): Promise<{ status: number; body: any }>;
  post(path: string, body: unknown, method?: string): Promise<{ status: number; body: any }>;
}

export function tempDir(prefix = 'tracetop-test-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export async function startTestServer(options: Partial<ServerOptions> = {}): Promise<TestServer> {
  // A database file in a scratch directory by default, as `tracetop serve` runs: ingestion then
  // goes through the write worker and the checkpoint thread (an in-memory database is written
  // inline: pass dbPath ':memory:' for that).
  const scratch = options.dbPath === undefined ? tempDir('tracetop-test-db-') : null;
  const dbPath = options.dbPath ?? join(scratch!.path, 'test.db');
  const server = await startServer({ dbPath, port: 0, ...TEST_KEYS, ...options, ...(scratch ? { dbPath } : {}) });
  const auth = `Basic ${Buffer.from(`${options.publicKey ?? TEST_KEYS.publicKey}:${options.secretKey ?? TEST_KEYS.secretKey}`).toString('base64')}`;
  // One agent per server instance: a restarted server on the same port never sees a pooled
  // socket of its predecessor.
  const agent = new Agent({ keepAliveTimeout: 1000 });
  const call = async (path: string, init: { method?: string; body?: string } = {}) => {
    const response = await request(`${server.url}${path}`, {
      method: (init.method ?? 'GET') as 'GET',
      body: init.body,
      dispatcher: agent,
      headers: { authorization: auth, 'content-type': 'application/json' },
    });
    const text = await response.body.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // keep text
    }
    return { status: response.statusCode, body };
  };
  return {
    ...server,
    close: async () => {
      await agent.close();
      await server.close();
      scratch?.remove();
    },
    auth,
    dbPath,
    get: (path) => call(path),
    post: (path, body, method = 'POST') => call(path, { method, body: JSON.stringify(body) }),
  };
}

/**
 * POSTs `totalBytes` of spaces as a chunked body (no content-length), honouring back-pressure,
 * and resolves with what the server answered: how the size cap meets an upload it cannot
 * refuse up front.
 */
export function postChunked(baseUrl: string, path: string, headers: Record<string, string>, totalBytes: number, chunkBytes: number): Promise<{ status: number; type: string; body: string }> {
  const target = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: target.hostname, port: target.port, path, method: 'POST', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    });
    req.on('error', reject);
    const chunk = Buffer.alloc(chunkBytes, 0x20);
    let sent = 0;
    const pump = () => {
      while (sent < totalBytes) {
        sent += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      req.end();
    };
    pump();
  });
}

/** A CLI run's environment against a test server: its own XDG home and the test keys. */
export function backendEnv(home: string, baseUrl: string): Record<string, string> {
  return {
    XDG_DATA_HOME: home,
    XDG_STATE_HOME: home,
    XDG_CONFIG_HOME: home,
    LANGFUSE_BASE_URL: baseUrl,
    LANGFUSE_PUBLIC_KEY: TEST_KEYS.publicKey,
    LANGFUSE_SECRET_KEY: TEST_KEYS.secretKey,
  };
}
