// `tracetop serve` as a user runs it: keys generated once into the data dir (0600) and shown
// once with the export lines; reused afterwards without printing the secret; loopback only.

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, startCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/server.js';

describe('tracetop serve', () => {
  const home = tempDir();
  const env = { XDG_DATA_HOME: home.path, LANGFUSE_PUBLIC_KEY: '', LANGFUSE_SECRET_KEY: '' };
  after(() => home.remove());

  it('generates a key pair on first run, prints it once, and requires it', async () => {
    const first = startCli(['serve', '--port', '0'], env);
    const [, url] = await first.waitFor(/on (http:\/\/127\.0\.0\.1:\d+)/);
    const [, secret] = await first.waitFor(/export LANGFUSE_SECRET_KEY=(sk-lf-\w+)/);
    const [, publicKey] = await first.waitFor(/export LANGFUSE_PUBLIC_KEY=(pk-lf-\w+)/);
    const keyFile = join(home.path, 'tracetop', 'keys.json');
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    assert.equal(JSON.parse(readFileSync(keyFile, 'utf8')).secretKey, secret);

    const health = await fetch(`${url}/api/public/health`);
    assert.equal(health.status, 200);
    assert.equal((await fetch(`${url}/api/public/traces`)).status, 401);
    const wrong = await fetch(`${url}/api/public/traces`, {
      headers: { authorization: `Basic ${Buffer.from(`${publicKey}:sk-lf-wrong`).toString('base64')}` },
    });
    assert.equal(wrong.status, 401);
    const good = await fetch(`${url}/api/public/traces`, {
      headers: { authorization: `Basic ${Buffer.from(`${publicKey}:${secret}`).toString('base64')}` },
    });
    assert.equal(good.status, 200);
    assert.equal(await first.stop(), 0);

    const second = startCli(['serve', '--port', '0'], env);
    await second.waitFor(/Keys from the key file/);
    await second.stop();
    assert.ok(!second.output().includes(secret!), 'the secret is not printed again');
  });

  it('takes the exported LANGFUSE_* pair and never prints the secret', async () => {
    const run = startCli(['serve', '--port', '0', '--db', ':memory:'], {
      ...env,
      LANGFUSE_PUBLIC_KEY: 'pk-lf-env',
      LANGFUSE_SECRET_KEY: 'sk-lf-env-do-not-print',
    });
    const [, url] = await run.waitFor(/on (http:\/\/127\.0\.0\.1:\d+)/);
    const response = await fetch(`${url}/api/public/score-configs`, {
      headers: { authorization: `Basic ${Buffer.from('pk-lf-env:sk-lf-env-do-not-print').toString('base64')}` },
    });
    assert.equal(response.status, 200);
    await run.stop();
    assert.match(run.output(), /public key pk-lf-env/);
    assert.ok(!run.output().includes('sk-lf-env-do-not-print'));
  });

  it('refuses a non-loopback --bind unless --allow-remote, then warns on every start and keeps a new secret off the terminal', async () => {
    const remoteHome = tempDir();
    const remoteEnv = { XDG_DATA_HOME: remoteHome.path, LANGFUSE_PUBLIC_KEY: '', LANGFUSE_SECRET_KEY: '' };
    try {
      const refused = await runCli(['serve', '--bind', '0.0.0.0', '--port', '0', '--db', ':memory:'], remoteEnv);
      assert.equal(refused.code, 2, refused.stderr);
      assert.match(refused.stderr, /--bind 0\.0\.0\.0 would make the server reachable from the network.*--allow-remote/);
      assert.match(refused.stderr, /Usage: tracetop serve/);
      assert.doesNotMatch(refused.stdout + refused.stderr, /listening|Langfuse-compatible API on/);

      for (const run of [1, 2]) {
        const open = startCli(['serve', '--bind', '0.0.0.0', '--allow-remote', '--port', '0', '--db', ':memory:'], remoteEnv);
        await open.waitFor(/WARNING: listening on 0\.0\.0\.0: reachable from the network/);
        await open.waitFor(run === 1 ? /Generated a key pair; it is kept in .*keys\.json/ : /Keys from the key file/);
        assert.equal(await open.stop(), 0);
        const secret = JSON.parse(readFileSync(join(remoteHome.path, 'tracetop', 'keys.json'), 'utf8')).secretKey as string;
        assert.ok(!open.output().includes(secret), `run ${run} printed the secret`);
        assert.doesNotMatch(open.output(), /export LANGFUSE_SECRET_KEY/);
      }
      // Loopback in any spelling needs no opt-in.
      const loopback = startCli(['serve', '--bind', 'localhost', '--port', '0', '--db', ':memory:'], remoteEnv);
      await loopback.waitFor(/Langfuse-compatible API on/);
      await loopback.stop();
      assert.doesNotMatch(loopback.output(), /WARNING/);
    } finally {
      remoteHome.remove();
    }
  });

  it('prints --version and --help quickly', async () => {
    const version = startCli(['--version']);
    await version.waitFor(/^\d+\.\d+\.\d+/m);
    const help = startCli(['--help']);
    await help.waitFor(/tracetop serve/);
    await help.waitFor(/tracetop --demo/);
    for (const command of ['serve', 'tail', 'get', 'score', 'label', 'config']) {
      const own = startCli([command, '--help']);
      await own.waitFor(new RegExp(`Usage: tracetop ${command}`));
    }
  });
});
