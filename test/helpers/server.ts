// Starts a real embedded server on an ephemeral loopback port for a test.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  const call = async (path: string, init: RequestInit = {}) => {
    const response = await fetch(`${server.url}${path}`, {
      ...init,
      headers: { authorization: auth, 'content-type': 'application/json', ...(init.headers ?? {}) },
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // keep text
    }
    return { status: response.status, body };
  };
  return {
    ...server,
    auth,
    dbPath,
    get: (path) => call(path),
    post: (path, body, method = 'POST') => call(path, { method, body: JSON.stringify(body) }),
  };
}
