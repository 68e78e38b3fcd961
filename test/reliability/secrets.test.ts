// A session of tracetop commands with a distinctive secret key — serve, tail, get, score,
// config doctor, every --help, a wrong secret (401), a backend that is down, a crash-like
// error with DEBUG on, the TUI itself — and not one byte of the secret (nor its base64 in a
// Basic header) in what they print, or in any file under the XDG dirs. Plus the server's
// posture: key file 0600, loopback by default, 401 without keys everywhere but health, and no
// `Access-Control-Allow-Origin: *`.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { connect as netConnect } from 'node:net';
import { runCli, startCli, type Running } from '../helpers/cli.js';
import { hasTmux, startTmux } from '../helpers/tmux.js';
import { tempDir } from '../helpers/server.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { ragTrace } from '../helpers/ingest.js';
import { writeRoutes } from '../../src/server/routes/writes.js';
import { otelRoutes } from '../../src/server/routes/otel.js';
import { readRoutesV1 } from '../../src/server/routes/reads-v1.js';
import { readRoutesV2 } from '../../src/server/routes/reads-v2.js';
import { streamRoutes } from '../../src/server/routes/stream.js';

const PUBLIC = 'pk-lf-secrets-test';
const SECRET = 'sk-lf-Zq8uXW3vT6n0RsecretCANARY41kP';
const WRONG = 'sk-lf-Wr0ngCANARYk3yNotTheRealOne77';

/** Every form the secrets could leak in: as is, base64 alone, base64 in a Basic header, URL-encoded. */
function forms(publicKey: string, secret: string): string[] {
  return [
    secret,
    secret.slice(6, 30), // a truncated or masked-but-too-long rendering
    Buffer.from(secret).toString('base64').slice(0, 24),
    Buffer.from(`${publicKey}:${secret}`).toString('base64'),
    // The Basic header's base64 from the point where the secret starts to dominate.
    Buffer.from(`${publicKey}:${secret}`).toString('base64').slice(24),
    encodeURIComponent(secret),
  ];
}

const FORBIDDEN = [...forms(PUBLIC, SECRET), ...forms(PUBLIC, WRONG)];

function assertClean(label: string, text: string): void {
  for (const form of FORBIDDEN) {
    assert.ok(!text.includes(form), `${label} leaks a secret (as ${JSON.stringify(form)}):\n${text}`);
  }
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('secrets never leave the process', () => {
  const home = tempDir('tracetop-secrets-');
  const env = { XDG_DATA_HOME: home.path, XDG_STATE_HOME: home.path, XDG_CONFIG_HOME: home.path, HOME: home.path };
  const keyed = { ...env, LANGFUSE_PUBLIC_KEY: PUBLIC, LANGFUSE_SECRET_KEY: SECRET };
  let serve: Running;
  let url: string;
  let proxy: FaultProxy;
  const transcript: { label: string; text: string }[] = [];

  before(async () => {
    serve = startCli(['serve', '--port', '0', '--db', join(home.path, 'tracetop', 'secrets.db')], keyed);
    url = (await serve.waitFor(/API on (http:\/\/\S+)/))[1]!;
    proxy = await startFaultProxy(url);
    const response = await fetch(`${url}/api/public/ingestion`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${PUBLIC}:${SECRET}`).toString('base64')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ batch: ragTrace('secret-trace-1', { name: 'secrets_run' }) }),
    });
    assert.equal(response.status, 207);
  });

  after(async () => {
    await proxy?.close();
    await serve?.stop();
    home.remove();
  });

  async function run(label: string, args: string[], extraEnv: Record<string, string> = {}): Promise<{ code: number | null; out: string }> {
    const result = await runCli(args, { ...keyed, LANGFUSE_BASE_URL: url, ...extraEnv });
    const out = `${result.stdout}${result.stderr}`;
    transcript.push({ label, text: out });
    return { code: result.code, out };
  }

  it('in what each command prints', async () => {
    await serve.waitFor(/Keys from LANGFUSE_PUBLIC_KEY\/LANGFUSE_SECRET_KEY; public key pk-lf-secrets-test\./);
    transcript.push({ label: 'serve startup', text: serve.output() });

    assert.equal((await run('get', ['get', 'secret-trace-1'])).code, 0);
    assert.equal((await run('get --json', ['get', 'secret-trace-1', '--json'])).code, 0);
    const scored = await run('score', ['score', 'secret-trace-1', 'quality', '1']);
    assert.equal(scored.code, 0, scored.out);
    const doctor = await run('config doctor', ['config', 'doctor']);
    assert.equal(doctor.code, 0, doctor.out);
    assert.match(doctor.out, /secret key\s+set/);

    for (const command of ['', 'serve', 'tail', 'get', 'score', 'label', 'config']) {
      const help = await run(`${command || 'tracetop'} --help`, [...(command ? [command] : []), '--help']);
      assert.equal(help.code, 0);
    }

    // A wrong secret: the 401 is explained, and neither secret is shown.
    const denied = await run('get with a wrong secret', ['get', 'secret-trace-1'], { LANGFUSE_SECRET_KEY: WRONG });
    assert.equal(denied.code, 1);
    assert.match(denied.out, /401/);
    const deniedDoctor = await run('doctor with a wrong secret', ['config', 'doctor'], { LANGFUSE_SECRET_KEY: WRONG });
    assert.equal(deniedDoctor.code, 1);
    const deniedFlag = await run('score with --secret-key wrong', ['score', 'secret-trace-1', 'quality', '0', '--secret-key', WRONG]);
    assert.notEqual(deniedFlag.code, 0);

    // A backend that is down.
    const down = 'http://127.0.0.1:9';
    const downGet = await run('get, backend down', ['get', 'secret-trace-1'], { LANGFUSE_BASE_URL: down });
    assert.equal(downGet.code, 1);
    assert.match(downGet.out, /cannot reach/);
    assert.equal((await run('doctor, backend down', ['config', 'doctor'], { LANGFUSE_BASE_URL: down })).code, 1);

    // Crash-like: DEBUG prints stacks; a backend that answers HTML; bad flags.
    proxy.setMode({ kind: 'non-json' });
    const html = await run('get via an HTML-answering proxy, DEBUG on', ['get', 'secret-trace-1'], { LANGFUSE_BASE_URL: proxy.url, DEBUG: 'tracetop' });
    assert.equal(html.code, 1);
    assert.match(html.out, /not JSON/);
    // A usage error (exit 2, naming the flag).
    assert.equal((await run('bad --read-api, DEBUG on', ['serve', '--read-api', 'v9', '--port', '0', '--db', ':memory:'], { DEBUG: 'tracetop' })).code, 2);
    proxy.setMode({ kind: 'pass' });

    // tail, live and against a backend that is down (it reports reconnecting on stderr).
    for (const [label, host] of [['tail --json', url], ['tail, backend down', down]] as const) {
      const tail = startCli(['tail', '--json'], { ...keyed, LANGFUSE_BASE_URL: host });
      await sleep(1_500);
      await tail.stop();
      transcript.push({ label, text: tail.output() });
    }
    assert.match(transcript.find((entry) => entry.label === 'tail --json')!.text, /secret-trace-1/);

    for (const entry of transcript) assertClean(entry.label, entry.text);
  });

  it('on the TUI screen with a wrong secret', { skip: hasTmux ? false : 'tmux is not installed' }, async () => {
    const tui = startTmux([], { env: { ...env, LANGFUSE_PUBLIC_KEY: PUBLIC, LANGFUSE_SECRET_KEY: WRONG, LANGFUSE_BASE_URL: url } });
    try {
      const screen = await tui.waitFor(/401|exited/, 10_000);
      assertClean('TUI with a wrong secret', screen);
    } finally {
      tui.kill();
    }
  });

  it('in any file under the XDG dirs (database, score queue, history)', () => {
    const files = filesUnder(home.path);
    assert.ok(files.some((path) => path.endsWith('.jsonl')), `the score queue is among them: ${files.join(', ')}`);
    for (const path of files) assertClean(path, readFileSync(path).toString('latin1'));
  });
});

describe('the embedded server’s posture', () => {
  const home = tempDir('tracetop-posture-');
  const env = { XDG_DATA_HOME: home.path, XDG_STATE_HOME: home.path, XDG_CONFIG_HOME: home.path, HOME: home.path };
  let serve: Running;
  let url: string;
  let port: number;

  before(async () => {
    // No keys anywhere: the server generates a pair into its key file.
    serve = startCli(['serve', '--port', '0', '--db', ':memory:'], env);
    url = (await serve.waitFor(/API on (http:\/\/\S+)/))[1]!;
    port = Number(new URL(url).port);
    await serve.waitFor(/mode 0600\)/);
  });

  after(async () => {
    await serve?.stop();
    home.remove();
  });

  it('keeps the key file 0600 in a 0700 directory, and a restart does not print the secret again', async () => {
    const path = join(home.path, 'tracetop', 'keys.json');
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(statSync(join(home.path, 'tracetop')).mode & 0o777, 0o700);
    const keys = JSON.parse(readFileSync(path, 'utf8')) as { publicKey: string; secretKey: string };
    const again = startCli(['serve', '--port', '0', '--db', ':memory:'], env);
    try {
      await again.waitFor(/Keys from the key file/);
      assert.ok(!again.output().includes(keys.secretKey), again.output());
      assert.ok(!again.output().includes(Buffer.from(`${keys.publicKey}:${keys.secretKey}`).toString('base64')));
    } finally {
      await again.stop();
    }
    assert.equal(statSync(path).mode & 0o777, 0o600, 'still 0600 after a restart');
  });

  it('binds 127.0.0.1 by default', async () => {
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const external = Object.values(networkInterfaces())
      .flat()
      .find((address) => address && address.family === 'IPv4' && !address.internal);
    if (!external) return; // no non-loopback interface to try
    const reached = await new Promise<boolean>((resolve) => {
      const socket = netConnect({ host: external.address, port, timeout: 1_000 });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
      socket.once('timeout', () => {
        socket.destroy();
        resolve(false);
      });
    });
    assert.equal(reached, false, `reachable on ${external.address}`);
  });

  it('answers 401 on every route but health without keys (and with a wrong secret), and never sends Access-Control-Allow-Origin: *', async () => {
    const routes = [...writeRoutes, ...otelRoutes, ...readRoutesV1, ...readRoutesV2, ...streamRoutes];
    assert.ok(routes.length > 20, `${routes.length} routes`);
    const wrong = `Basic ${Buffer.from(`pk-lf-nobody:${WRONG}`).toString('base64')}`;
    for (const route of routes) {
      const path = route.path.replace(/:(\w+)/g, 'x');
      for (const authorization of [undefined, wrong, 'Bearer nonsense']) {
        const response = await fetch(`${url}${path}`, {
          method: route.method,
          headers: { origin: 'https://evil.example', ...(authorization ? { authorization } : {}), ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { 'content-type': 'application/json' }) },
          body: route.method === 'GET' || route.method === 'DELETE' ? undefined : '{}',
          signal: AbortSignal.timeout(5_000),
        });
        await response.body?.cancel();
        assert.equal(response.status, route.public ? 200 : 401, `${route.method} ${path} with ${authorization ?? 'no auth'}`);
        assert.notEqual(response.headers.get('access-control-allow-origin'), '*', `${route.method} ${path}`);
      }
    }
    for (const path of ['/api/public/health', '/api/public/ready', '/api/public/traces', '/api/public/ingestion', '/nowhere']) {
      for (const method of ['GET', 'OPTIONS']) {
        const response = await fetch(`${url}${path}`, { method, headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
        await response.body?.cancel();
        assert.equal(response.headers.get('access-control-allow-origin'), null, `${method} ${path} sends CORS headers`);
        if (!path.includes('health') && !path.includes('ready') && path !== '/nowhere') assert.equal(response.status, 401, `${method} ${path}`);
      }
    }
  });
});
