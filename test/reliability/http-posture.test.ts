// The embedded server's HTTP posture (issue 15): the Basic scheme is case-insensitive
// (RFC 7617), and on a loopback bind a request naming any host but a loopback one is refused
// with a 421 before auth, which shuts DNS rebinding (a web page whose name was rebound to
// 127.0.0.1 sends its own name in Host).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startTestServer, TEST_KEYS, type TestServer } from '../helpers/server.js';

function get(server: TestServer, path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('HTTP posture', () => {
  let server: TestServer;
  const token = Buffer.from(`${TEST_KEYS.publicKey}:${TEST_KEYS.secretKey}`).toString('base64');
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('the Basic scheme is matched case-insensitively; other schemes and bad tokens stay 401', async () => {
    for (const scheme of ['Basic', 'basic', 'BASIC', 'bAsIc']) {
      assert.equal((await get(server, '/api/public/traces', { authorization: `${scheme} ${token}` })).status, 200, scheme);
    }
    for (const header of [`Bearer ${token}`, `Basic${token}`, `Basic ${Buffer.from(`${TEST_KEYS.publicKey}:wrong`).toString("base64")}`, 'basic', `Basicx ${token}`]) {
      assert.equal((await get(server, '/api/public/traces', { authorization: header })).status, 401, header);
    }
  });

  it('loopback names are served; any other Host gets a 421 that says why, before auth', async () => {
    for (const host of [`127.0.0.1:${server.port}`, `localhost:${server.port}`, 'localhost', `[::1]:${server.port}`, `LOCALHOST:${server.port}`, `app.localhost:${server.port}`, '127.0.0.2']) {
      assert.equal((await get(server, '/api/public/traces', { host, authorization: `Basic ${token}` })).status, 200, host);
    }
    for (const host of [`evil.example:${server.port}`, 'evil.example', '127.0.0.1.evil.example', 'localhost.evil.example', '10.0.0.1', `[::2]:${server.port}`]) {
      for (const path of ['/api/public/traces', '/api/public/health', '/api/public/tracetop/challenge?nonce=abcdefghijklmnopq']) {
        const response = await get(server, path, { host, authorization: `Basic ${token}` });
        assert.equal(response.status, 421, `${host} ${path}`);
        const body = JSON.parse(response.body) as { message: string; error: string };
        assert.equal(body.message, 'Misdirected Request');
        assert.match(body.error, /listens on loopback only and answers requests for localhost, 127\.0\.0\.1 or \[::1\]/);
      }
    }
  });
});
