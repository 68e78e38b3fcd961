// Starts a real embedded server on an ephemeral loopback port for a test.

import { mkdtempSync, rmSync } from 'node:fs';
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
  const dbPath = options.dbPath ?? ':memory:';
  const server = await startServer({ dbPath, port: 0, ...TEST_KEYS, ...options });
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
    },
    auth,
    dbPath,
    get: (path) => call(path),
    post: (path, body, method = 'POST') => call(path, { method, body: JSON.stringify(body) }),
  };
}
