// `tracetop config doctor` as a user runs it (the real binary): with `tracetop serve` running
// and nothing configured it finds the generated key file as every other command does, tests the
// connection and says which read generation answered and why; a wrong key, a host that is down
// exit 1; nothing to connect to yet exits 0 saying so. Never a secret on screen.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, startCli, type Running } from '../helpers/cli.js';
import { startTestServer, TEST_KEYS, tempDir, type TestServer } from '../helpers/server.js';

const NO_KEYS = { LANGFUSE_BASE_URL: '', LANGFUSE_BASEURL: '', LANGFUSE_HOST: '', LANGFUSE_PUBLIC_KEY: '', LANGFUSE_SECRET_KEY: '', TRACETOP_PROFILE: '', TRACETOP_BUDGET: '' };

describe('config doctor', () => {
  const home = tempDir();
  const xdg = { XDG_DATA_HOME: home.path, XDG_STATE_HOME: home.path, XDG_CONFIG_HOME: home.path, ...NO_KEYS };
  let serve: Running;
  let port = '';
  let v2: TestServer;
  before(async () => {
    serve = startCli(['serve', '--port', '0', '--db', ':memory:'], xdg);
    port = (await serve.waitFor(/http:\/\/127\.0\.0\.1:(\d+)/, 20_000))[1]!;
    v2 = await startTestServer({ readApi: 'v2', streamEnabled: false });
  });
  after(async () => {
    await serve.stop();
    await v2.close();
    home.remove();
  });

  it('with tracetop serve running, finds its generated key file and tests the connection', async () => {
    const result = await runCli(['config', 'doctor', '--port', port], xdg);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /host\s+http:\/\/127\.0\.0\.1:\d+\s+\[the embedded server, running\]/);
    assert.match(result.stdout, /public key\s+pk-lf-.*\[the key file .*keys\.json\]/);
    assert.match(result.stdout, /API reads\s+v1/);
    assert.match(result.stdout, /because\s+both generations answer/);
    assert.match(result.stdout, /live updates\s+stream/);
    assert.match(result.stdout, /keys\s+accepted/);
    const secret = (JSON.parse(readFileSync(join(home.path, 'tracetop', 'keys.json'), 'utf8')) as { secretKey: string }).secretKey;
    assert.ok(!result.stdout.includes(secret) && !result.stderr.includes(secret));
  });

  it('against a Cloud-like (v2) server: the probes, the generation and why', async () => {
    const result = await runCli(['config', 'doctor'], { ...xdg, LANGFUSE_BASE_URL: v2.url, LANGFUSE_PUBLIC_KEY: TEST_KEYS.publicKey, LANGFUSE_SECRET_KEY: TEST_KEYS.secretKey });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /probe\s+GET \/api\/public\/v2\/observations: 200/);
    assert.match(result.stdout, /probe\s+GET \/api\/public\/traces: 404 \(events_only mode\)/);
    assert.match(result.stdout, /API reads\s+v2/);
    assert.match(result.stdout, /budget\s+none/);
    assert.match(result.stdout, /live updates\s+polling/);
  });

  it('exits 1 on a wrong key (the events_only 404 is not mistaken for it) and on a host that is down', async () => {
    const wrong = await runCli(['config', 'doctor'], { ...xdg, LANGFUSE_BASE_URL: v2.url, LANGFUSE_PUBLIC_KEY: TEST_KEYS.publicKey, LANGFUSE_SECRET_KEY: 'sk-lf-wrong-and-secret' });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stdout, /problem\s+401 from .*check LANGFUSE_PUBLIC_KEY/);
    assert.ok(!wrong.stdout.includes('sk-lf-wrong-and-secret'));
    const down = await runCli(['config', 'doctor'], { ...xdg, LANGFUSE_BASE_URL: 'http://127.0.0.1:9', LANGFUSE_PUBLIC_KEY: TEST_KEYS.publicKey, LANGFUSE_SECRET_KEY: TEST_KEYS.secretKey });
    assert.equal(down.code, 1);
    assert.match(down.stdout, /problem\s+cannot reach/);
    const badBudget = await runCli(['config', 'doctor'], { ...xdg, LANGFUSE_BASE_URL: v2.url, LANGFUSE_PUBLIC_KEY: TEST_KEYS.publicKey, LANGFUSE_SECRET_KEY: TEST_KEYS.secretKey, TRACETOP_BUDGET: 'gold' });
    assert.equal(badBudget.code, 1);
    assert.match(badBudget.stdout, /budget\s+budget must be one of hobby, core, pro, none/);
  });

  it('with nothing configured and no server running, says so and exits 0', async () => {
    const empty = tempDir();
    const result = await runCli(['config', 'doctor', '--port', '9'], { XDG_DATA_HOME: empty.path, XDG_STATE_HOME: empty.path, XDG_CONFIG_HOME: empty.path, ...NO_KEYS });
    empty.remove();
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /embedded\s+not running on http:\/\/127\.0\.0\.1:9/);
  });
});
