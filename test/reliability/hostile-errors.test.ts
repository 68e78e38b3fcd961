// Backend error text and arguments never reach the terminal raw (issue 15.4). A fake Langfuse
// answers with error bodies holding OSC 52 (a clipboard write), OSC 0 (a window title) and CSI
// (clear screen); `get`, `score`, `config doctor` and `tail` print the message with every
// escape made visible (␛) and no byte a terminal would act on.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';
import { runCli, startCli } from '../helpers/cli.js';
import { backendEnv, startTestServer, tempDir, type TestServer } from '../helpers/server.js';

/** Bytes a terminal would act on: C0 but \n, DEL, C1. */
const DANGEROUS = /[\x00-\x09\x0B-\x1F\x7F\u0080-\u009F]/;
const HOSTILE = 'boom \x1b]52;c;cHduZWQ=\x07 \x1b]0;PWNED\x07 \x1b[2J\x9b31m';

function assertInert(text: string, what: string) {
  const match = DANGEROUS.exec(text);
  assert.equal(match, null, `${what}: U+${match?.[0].codePointAt(0)!.toString(16)} in ${JSON.stringify(text)}`);
}

interface Fake {
  url: string;
  /** status for a path (method + path without query); default 200 {} */
  routes: Map<string, number>;
  close(): Promise<void>;
}

async function startFake(): Promise<Fake> {
  const routes = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = `${req.method} ${(req.url ?? '').split('?')[0]}`;
    req.resume();
    req.on('end', () => {
      if (path === 'GET /api/public/health') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'OK', version: '3.100.0' }));
        return;
      }
      const status = [...routes].find(([pattern]) => path.startsWith(pattern))?.[1] ?? 500;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ message: HOSTILE, error: HOSTILE }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    routes,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('hostile backend error text and arguments', () => {
  let fake: Fake;
  let real: TestServer;
  const home = tempDir();
  const env = (url = fake.url) => ({ NO_COLOR: '1', ...backendEnv(home.path, url) });

  before(async () => {
    fake = await startFake();
    real = await startTestServer();
  });
  after(async () => {
    await fake.close();
    await real.close();
    home.remove();
  });

  it("get $'nope\\e]0;PWNED\\a' shows the id inert in the not-found message", async () => {
    const result = await runCli(['get', 'nope\x1b]0;PWNED\x07'], env(real.url));
    assert.equal(result.code, 1);
    assertInert(result.stdout + result.stderr, 'get');
    assert.match(result.stderr, /nope␛\]0;PWNED␇/);
  });

  it('get: a backend error body with OSC 52 is printed inert', async () => {
    fake.routes.clear();
    fake.routes.set('GET /api/public/traces/', 500);
    const result = await runCli(['get', 'some-trace'], env());
    assert.equal(result.code, 1);
    assertInert(result.stdout + result.stderr, 'get');
    assert.match(result.stderr, /tracetop: .*boom ␛\]52;c;cHduZWQ=␇ ␛\]0;PWNED␇ ␛\[2J<U\+009B>31m/);
  });

  it('score: a 401 with a hostile body exits 1, says the keys were refused, and queues nothing', async () => {
    fake.routes.clear();
    fake.routes.set('GET /api/public/score-configs', 401);
    fake.routes.set('POST /api/public/scores', 401);
    const result = await runCli(['score', 't-1', 'quality', '1'], env());
    assert.equal(result.code, 1, result.stderr);
    assertInert(result.stdout + result.stderr, 'score 401');
    assert.match(result.stderr, /refused the keys \(401\).*Nothing was stored or queued/);
    const queued = readdirSync(home.path, { recursive: true }).filter((name) => String(name).includes('scores-'));
    for (const file of queued) assert.doesNotMatch(readFileSync(`${home.path}/${file}`, 'utf8'), /"quality"/);
    const forbidden = await runCli(['score', 't-1', 'quality', '1'], env());
    assert.equal(forbidden.code, 1);
  });

  it('score: a rejection (400) with a hostile reason is printed inert, exit 1', async () => {
    fake.routes.clear();
    fake.routes.set('GET /api/public/score-configs', 200);
    fake.routes.set('POST /api/public/scores', 400);
    const result = await runCli(['score', 't-1', 'quality', '1', '--comment', 'x\x1b]52;c;AAAA\x07'], env());
    assert.equal(result.code, 1, result.stderr);
    assertInert(result.stdout + result.stderr, 'score 400');
    assert.match(result.stderr, /rejected the score: .*␛\]52/);
  });

  it('config doctor: a hostile error body is printed inert, and it exits non-zero', async () => {
    fake.routes.clear();
    fake.routes.set('GET /api/public/score-configs', 500);
    const result = await runCli(['config', 'doctor'], env());
    assert.notEqual(result.code, 0);
    assertInert(result.stdout + result.stderr, 'doctor');
    assert.match(result.stdout, /problem .*␛\]52;c;/);
  });

  it('tail: a hostile error body in the reconnecting notice is printed inert', async () => {
    fake.routes.clear();
    fake.routes.set('GET /api/public/traces', 500);
    const tail = startCli(['tail', '--json'], env());
    await tail.waitFor(/tracetop: (reconnecting|offline).*␛\]52/, 30_000);
    await tail.stop('SIGINT');
    assertInert(tail.output(), 'tail');
    assert.match(tail.output(), /␛\]52;c;/);
  });
});
