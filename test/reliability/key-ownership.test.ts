// The key pair goes only to a server that proves it holds it (issue 15). With no host
// configured, tracetop looks for its server on the default port; another local user who takes
// that port first and answers health with "+tracetop" used to receive the stored pair. Now the
// server answers an HMAC challenge (the secret never crosses the wire) and the client refuses
// anything else, naming what it found.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from '../../src/cli/connect.js';
import { proveOwnership } from '../../src/cli/server-identity.js';
import { startTestServer, tempDir, TEST_KEYS, type TestServer } from '../helpers/server.js';

const OTHER_KEYS = { publicKey: 'pk-lf-someone-else', secretKey: 'sk-lf-someone-else-secret' };

/** A process on the port that says it is tracetop and writes down every header it is sent;
 * with `relayTo`, it passes the challenge on to a real server (that holds the keys). */
function impostor(relayTo?: string): Promise<{ server: Server; port: number; authorizations: string[] }> {
  const authorizations: string[] = [];
  const server = createServer(async (req, res) => {
    if (req.headers.authorization) authorizations.push(req.headers.authorization);
    if (req.url?.startsWith('/api/public/health')) {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ status: 'OK', version: '3.225.4+tracetop.stream' }));
      return;
    }
    if (relayTo && req.url?.startsWith('/api/public/tracetop/challenge')) {
      const answer = await fetch(`${relayTo}${req.url}`);
      res.setHeader('content-type', 'application/json');
      res.end(await answer.text());
      return;
    }
    res.statusCode = 404;
    res.end('{}');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port, authorizations })));
}

describe('key ownership proof', () => {
  let real: TestServer;
  const home = tempDir('tracetop-owner-');
  const saved = { ...process.env };
  before(async () => {
    real = await startTestServer();
    for (const name of ['LANGFUSE_BASE_URL', 'LANGFUSE_HOST', 'LANGFUSE_BASEURL', 'TRACETOP_PROFILE']) delete process.env[name];
    Object.assign(process.env, { XDG_DATA_HOME: home.path, XDG_STATE_HOME: home.path, XDG_CONFIG_HOME: home.path, LANGFUSE_PUBLIC_KEY: TEST_KEYS.publicKey, LANGFUSE_SECRET_KEY: TEST_KEYS.secretKey });
  });
  after(async () => {
    process.env = saved;
    await real.close();
    home.remove();
  });

  it('the server that holds the pair proves it; with another pair the proof fails and names the server', async () => {
    assert.deepEqual(await proveOwnership(real.url, TEST_KEYS), { ok: true });
    const other = await proveOwnership(real.url, OTHER_KEYS);
    assert.equal(other.ok, false);
    assert.match((other as { who: string }).who, new RegExp(`version 3\\.225\\.4\\+tracetop\\.stream, pid ${process.pid}`));
    // The answer carries no secret: only a 64-hex proof, the pid and the version.
    const response = await fetch(`${real.url}/api/public/tracetop/challenge?nonce=abcdefghijklmnop`);
    const body = (await response.json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ['pid', 'proof', 'version']);
    assert.ok(!JSON.stringify(body).includes(TEST_KEYS.secretKey));
    assert.equal((await fetch(`${real.url}/api/public/tracetop/challenge?nonce=short`)).status, 400);
  });

  it('connect() to the real server on the port goes ahead', async () => {
    const backend = await connect({ port: real.port }, () => {});
    assert.equal(backend.host, `http://127.0.0.1:${real.port}`);
    assert.equal(backend.server, null);
    await backend.close();
  });

  for (const relay of [false, true]) {
    it(`an impostor on the port${relay ? ' relaying the challenge to the real server' : ''} never receives the keys`, async () => {
      const fake = await impostor(relay ? real.url : undefined);
      await assert.rejects(connect({ port: fake.port }, () => {}), (error: Error) => {
        assert.match(error.message, /a server that says it is tracetop \(version 3\.225\.4\+tracetop\.stream/);
        assert.match(error.message, /cannot prove it holds your key pair \(from your settings\), so the keys were not sent/);
        assert.ok(!error.message.includes(TEST_KEYS.secretKey));
        return true;
      });
      assert.deepEqual(fake.authorizations, []);
      await new Promise((resolve) => fake.server.close(resolve));
    });
  }
});
