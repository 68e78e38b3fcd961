// A full disk and a read-only data directory, for the embedded server (`tracetop serve`) and
// for the durable score queue (`tracetop score`): a clear error (an HTTP 507/503 with a
// message, a stderr line, an exit code), no corruption (PRAGMA integrity_check says ok), what
// was stored before is still there, and a score is never reported as queued unless it is on disk.
//
// A full or read-only file system needs a mount: as root this suite mounts small tmpfs
// instances (and remounts them read-only). Without root, only chmod-based read-only cases run
// (root ignores mode bits, so those are the ones that need a mount there).

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, closeSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { runCli, startCli, type Running } from '../helpers/cli.js';
import { hasTmux, startTmux } from '../helpers/tmux.js';
import { startTestServer, TEST_KEYS, tempDir } from '../helpers/server.js';
import { ragTrace } from '../helpers/ingest.js';
import { DurableScoreQueue } from '../../src/scoring/durable-queue.js';

const isRoot = process.getuid?.() === 0;

function probeMount(): boolean {
  if (!isRoot) return false;
  const dir = tempDir('tracetop-mount-probe-');
  try {
    if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir.path]).status !== 0) return false;
    const remount = spawnSync('mount', ['-o', 'remount,ro', dir.path]).status === 0;
    spawnSync('umount', [dir.path]);
    return remount;
  } finally {
    dir.remove();
  }
}

const canMount = probeMount();
const needsMount = canMount ? false : isRoot ? 'running as root but mount(8) of a tmpfs fails here: cannot simulate a full or read-only file system' : 'not root: cannot mount a small tmpfs to fill';

/** A small tmpfs of its own, unmounted (and removed) after the suite. */
const mounts: string[] = [];
function smallDisk(size: string): string {
  const dir = tempDir('tracetop-disk-').path;
  const result = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', dir], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  mounts.push(dir);
  return dir;
}
function remount(dir: string, mode: 'ro' | 'rw'): void {
  const result = spawnSync('mount', ['-o', `remount,${mode}`, dir], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
}

/** Fills a file system to the last page; the filler is removed to free it again. */
function fill(dir: string): { free(): void } {
  const path = join(dir, 'filler');
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(4096, 0x2e);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    assert.equal((error as NodeJS.ErrnoException).code, 'ENOSPC');
  } finally {
    closeSync(fd);
  }
  return { free: () => rmSync(path) };
}

after(() => {
  for (const dir of mounts.reverse()) {
    spawnSync('umount', ['-l', dir]);
    rmSync(dir, { recursive: true, force: true });
  }
});

const keysEnv = (home: string) => ({
  LANGFUSE_PUBLIC_KEY: TEST_KEYS.publicKey,
  LANGFUSE_SECRET_KEY: TEST_KEYS.secretKey,
  XDG_DATA_HOME: home,
  XDG_STATE_HOME: home,
  XDG_CONFIG_HOME: home,
});

const auth = `Basic ${Buffer.from(`${TEST_KEYS.publicKey}:${TEST_KEYS.secretKey}`).toString('base64')}`;
async function call(url: string, method: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(url, {
    method,
    headers: { authorization: auth, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) };
  } catch {
    return { status: response.status, body: text };
  }
}

async function serve(dbPath: string, home: string): Promise<{ cli: Running; url: string }> {
  const cli = startCli(['serve', '--port', '0', '--db', dbPath], keysEnv(home));
  const match = await cli.waitFor(/API on (http:\/\/\S+)/);
  return { cli, url: match[1]! };
}

function inspect(dbPath: string): { integrity: string; traces: string[]; scores: string[] } {
  const db = new DatabaseSync(dbPath);
  try {
    const integrity = (db.prepare('PRAGMA integrity_check').all() as { integrity_check: string }[]).map((row) => row.integrity_check).join('; ');
    const traces = (db.prepare('SELECT id FROM traces ORDER BY id').all() as { id: string }[]).map((row) => row.id);
    const scores = (db.prepare('SELECT id FROM scores ORDER BY id').all() as { id: string }[]).map((row) => row.id);
    return { integrity, traces, scores };
  } finally {
    db.close();
  }
}

const bigTrace = (id: string) => {
  const batch = ragTrace(id, { name: id });
  (batch[0]!.body as { input: unknown }).input = { document: 'x'.repeat(200_000) };
  return batch;
};

describe('embedded server: disk full', { skip: needsMount }, () => {
  it('answers 507 with a message, keeps serving reads, stays intact, and takes writes again once space is freed', async () => {
    const disk = smallDisk('2m');
    const home = tempDir();
    const dbPath = join(disk, 'tracetop.db');
    let { cli, url } = await serve(dbPath, home.path);
    try {
      for (const id of ['before-1', 'before-2', 'before-3']) {
        assert.equal((await call(`${url}/api/public/ingestion`, 'POST', { batch: ragTrace(id, { name: id }) })).status, 207);
      }
      const filler = fill(disk);
      let full: { status: number; body: any } | null = null;
      let failedId = '';
      for (let i = 0; i < 5 && !full; i++) {
        const answer = await call(`${url}/api/public/ingestion`, 'POST', { batch: bigTrace(`during-${i}`) });
        if (answer.status !== 207) [full, failedId] = [answer, `during-${i}`];
      }
      assert.ok(full, 'a write onto a full disk fails');
      assert.equal(full.status, 507);
      assert.match(full.body.error, /disk is full.*nothing from this request was stored/);
      const score = await call(`${url}/api/public/scores`, 'POST', { traceId: 'before-1', name: 'quality', value: 1 });
      assert.equal(score.status, 507);
      await cli.waitFor(/not stored: Error: database or disk is full/);
      // Reads still work, and the server is still up.
      const read = await call(`${url}/api/public/traces/before-2`, 'GET');
      assert.equal(read.status, 200);
      assert.equal(read.body.name, 'before-2');
      assert.equal(cli.child.exitCode, null);

      filler.free();
      const again = await call(`${url}/api/public/ingestion`, 'POST', { batch: ragTrace('after-1', { name: 'after-1' }) });
      assert.equal(again.status, 207);
      // Stopped while the disk is full again (no room to checkpoint the WAL): a clean exit, and
      // everything acknowledged is still there once space is back.
      const refill = fill(disk);
      assert.equal(await cli.stop(), 0);
      refill.free();
      const state = inspect(dbPath);
      assert.equal(state.integrity, 'ok');
      assert.deepEqual(
        state.traces.filter((id) => !id.startsWith('during-')),
        ['after-1', 'before-1', 'before-2', 'before-3'],
      );
      // A batch is atomic: the one refused left nothing behind, not even its trace row.
      assert.ok(!state.traces.includes(failedId), `${failedId} was refused but stored`);
      assert.deepEqual(state.scores, []);
      ({ cli, url } = await serve(dbPath, home.path));
      assert.equal((await call(`${url}/api/public/traces/before-3`, 'GET')).status, 200);
    } finally {
      await cli.stop();
      home.remove();
    }
  });
});

describe('embedded server: read-only data directory', () => {
  it('refuses to start with a message naming the file and the cause, exit 1, and leaves the database intact', { skip: canMount || !isRoot ? false : needsMount }, async () => {
    const home = tempDir();
    const dir = canMount ? smallDisk('4m') : tempDir('tracetop-ro-').path;
    const dbPath = join(dir, 'tracetop.db');
    try {
      const first = await serve(dbPath, home.path);
      for (const id of ['kept-1', 'kept-2']) {
        assert.equal((await call(`${first.url}/api/public/ingestion`, 'POST', { batch: ragTrace(id, { name: id }) })).status, 207);
      }
      assert.equal(await first.cli.stop(), 0);

      if (canMount) remount(dir, 'ro');
      else {
        chmodSync(dbPath, 0o400);
        chmodSync(dir, 0o500);
      }
      const started = Date.now();
      const refused = await runCli(['serve', '--port', '0', '--db', dbPath], keysEnv(home.path));
      assert.equal(refused.code, 1, refused.stderr);
      assert.match(refused.stderr, new RegExp(`cannot open the database ${dbPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: (the file system is read-only \\(EROFS\\)|permission denied \\(EACCES\\))`));
      assert.doesNotMatch(refused.stderr, /at .*\.js:\d+/, 'no stack trace');
      assert.ok(Date.now() - started < 5_000);
      // A database in a new directory under it: the same, not a misleading ENOENT.
      const nested = await runCli(['serve', '--port', '0', '--db', join(dir, 'sub', 'tracetop.db')], keysEnv(home.path));
      assert.equal(nested.code, 1);
      assert.match(nested.stderr, /cannot create the database directory .*sub: (the file system is read-only|permission denied)/);

      if (canMount) remount(dir, 'rw');
      else {
        chmodSync(dir, 0o700);
        chmodSync(dbPath, 0o600);
      }
      const state = inspect(dbPath);
      assert.equal(state.integrity, 'ok');
      assert.deepEqual(state.traces, ['kept-1', 'kept-2']);
    } finally {
      home.remove();
    }
  });
});

describe('score queue: unwritable state directory', () => {
  it('`tracetop score` exits 1 with a clear message, prints no id, and sends nothing', { skip: canMount || !isRoot ? false : needsMount }, async () => {
    const server = await startTestServer();
    const home = tempDir();
    const state = canMount ? smallDisk('1m') : tempDir('tracetop-state-').path;
    try {
      await server.post('/api/public/ingestion', { batch: ragTrace('t-1') });
      mkdirSync(join(state, 'tracetop'));
      if (canMount) remount(state, 'ro');
      else chmodSync(join(state, 'tracetop'), 0o500);
      const env = { ...keysEnv(home.path), XDG_STATE_HOME: state, LANGFUSE_BASE_URL: server.url };
      const result = await runCli(['score', 't-1', 'quality', '1'], env);
      assert.equal(result.code, 1, `exit code (stderr: ${result.stderr})`);
      assert.equal(result.stdout, '', 'no score id: nothing was stored');
      assert.match(result.stderr, /^tracetop: cannot open the score queue .*scores-[0-9a-f]+\.jsonl: (the file system is read-only \(EROFS\)|permission denied \(EACCES\))/);
      assert.doesNotMatch(result.stderr, /queued/);
      const trace = await server.get('/api/public/traces/t-1');
      assert.deepEqual(trace.body.scores, [], 'not sent behind the queue’s back either');
      if (canMount) remount(state, 'rw');
      else chmodSync(join(state, 'tracetop'), 0o700);
    } finally {
      await server.close();
      home.remove();
    }
  });
});

describe('score queue: unwritable state directory, in the TUI', () => {
  const skip = !hasTmux ? 'tmux is not installed' : canMount || !isRoot ? false : needsMount;
  it('the trace list still opens; scoring says it is off and why, and stores nothing', { skip }, async () => {
    const server = await startTestServer();
    const home = tempDir();
    const state = canMount ? smallDisk('64k') : tempDir('tracetop-state-').path;
    try {
      await server.post('/api/public/score-configs', { name: 'groundedness', dataType: 'NUMERIC', minValue: 0, maxValue: 1 });
      await server.post('/api/public/ingestion', { batch: ragTrace('ro-1', { name: 'readable_trace' }) });
      if (canMount) remount(state, 'ro');
      else chmodSync(state, 0o500);
      const tui = startTmux([], { env: { ...keysEnv(home.path), XDG_STATE_HOME: state, LANGFUSE_BASE_URL: server.url }, width: 160, height: 30 });
      try {
        await tui.waitFor(/readable_trace/, 10_000);
        tui.keys('s');
        await tui.waitFor(/groundedness/);
        tui.keys('1');
        await tui.waitFor(/value:/);
        tui.keys('-l', '0.5');
        tui.keys('Enter');
        await tui.waitFor(/comment/);
        tui.keys('Enter');
        await tui.waitFor(/not scored: scoring is off, the score queue cannot be opened: (the file system is read-only|permission denied)/, 5_000);
        const trace = await server.get('/api/public/traces/ro-1');
        assert.deepEqual(trace.body.scores, []);
        tui.keys('q');
        await tui.waitFor(/\[exited 0\]/);
      } finally {
        tui.kill();
      }
    } finally {
      if (!canMount) chmodSync(state, 0o700);
      await server.close();
      home.remove();
    }
  });
});

describe('score queue: disk full', { skip: needsMount }, () => {
  it('`tracetop score` exits 1, never claims the score, keeps the journal whole and the earlier queued score', async () => {
    const server = await startTestServer();
    const home = tempDir();
    const state = smallDisk('256k');
    try {
      await server.post('/api/public/ingestion', { batch: ragTrace('t-2') });
      const env = { ...keysEnv(home.path), XDG_STATE_HOME: state, LANGFUSE_BASE_URL: server.url };
      // A first run stores the journal's path; a "previous run" then leaves a score queued.
      const first = await runCli(['score', 't-2', 'first', '1'], env);
      assert.equal(first.code, 0, first.stderr);
      const [journal] = readdirSync(join(state, 'tracetop')).filter((name) => name.endsWith('.jsonl'));
      assert.ok(journal);
      const journalPath = join(state, 'tracetop', journal);
      const previous = DurableScoreQueue.open(journalPath);
      previous.enqueue({ id: 'left-queued', traceId: 't-2', name: 'earlier', value: 0.5, dataType: 'NUMERIC' });
      previous.close();

      const filler = fill(state);
      // Long enough to need a page the disk no longer has: the write comes up short or fails.
      const comment = 'c'.repeat(12_000);
      const result = await runCli(['score', 't-2', 'lost', '1', '--comment', comment], env);
      assert.equal(result.code, 1, `exit code (stderr: ${result.stderr})`);
      assert.equal(result.stdout, '', 'no id printed');
      assert.match(result.stderr, /cannot write the score queue .*: no space left on the device \(ENOSPC\); the score was not queued/);
      assert.doesNotMatch(result.stderr, /is queued/);

      // The journal ends on a whole entry, and replays to exactly the earlier queued score.
      const text = readFileSync(journalPath, 'utf8');
      assert.ok(text.endsWith('\n'), 'no torn line left behind');
      assert.doesNotMatch(text, /"lost"/);
      const replayed = DurableScoreQueue.open(journalPath);
      assert.deepEqual(replayed.pending().map((entry) => entry.score.id), ['left-queued']);
      replayed.close();

      filler.free();
      const next = await runCli(['score', 't-2', 'later', '1'], env);
      assert.equal(next.code, 0, next.stderr);
      const trace = await server.get('/api/public/traces/t-2');
      const names = (trace.body.scores as { name: string }[]).map((score) => score.name).sort();
      assert.deepEqual(names, ['earlier', 'first', 'later'], 'the queued score went out with the next run; the lost one never existed');
    } finally {
      await server.close();
      home.remove();
    }
  });
});

describe('embedded server: clear start-up failures', () => {
  it('a read-only data directory with no keys configured: names the key file, says how to do without it', { skip: canMount || !isRoot ? false : needsMount }, async () => {
    const data = canMount ? smallDisk('64k') : tempDir('tracetop-keys-').path;
    if (canMount) remount(data, 'ro');
    else chmodSync(data, 0o500);
    const result = await runCli(['serve', '--port', '0', '--db', ':memory:'], { XDG_DATA_HOME: data, XDG_STATE_HOME: data, XDG_CONFIG_HOME: data, LANGFUSE_PUBLIC_KEY: '', LANGFUSE_SECRET_KEY: '' });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^tracetop: cannot keep a generated key pair in .*keys\.json: (the file system is read-only \(EROFS\)|permission denied \(EACCES\)).*set LANGFUSE_PUBLIC_KEY\/LANGFUSE_SECRET_KEY/);
    assert.doesNotMatch(result.stderr, /ENOENT/);
    if (!canMount) chmodSync(data, 0o700);
  });

  it('a port already in use: says so and how to pick another, exit 1', async () => {
    const home = tempDir();
    const first = await serve(':memory:', home.path);
    try {
      const port = new URL(first.url).port;
      const result = await runCli(['serve', '--port', port, '--db', ':memory:'], keysEnv(home.path));
      assert.equal(result.code, 1);
      assert.equal(result.stderr, `tracetop: port ${port} on 127.0.0.1 is already in use (another tracetop serve?): pick another with --port\n`);
    } finally {
      await first.cli.stop();
      home.remove();
    }
  });
});

describe('score queue journal after a torn write', () => {
  it('open cuts a torn last line, so the next entry is not glued onto it and lost', () => {
    const dir = tempDir();
    try {
      const path = join(dir.path, 'scores.jsonl');
      const queue = DurableScoreQueue.open(path);
      queue.enqueue({ id: 'whole', traceId: 't', name: 'a', value: 1, dataType: 'NUMERIC' });
      queue.close();
      // A crash (or a full disk) mid-append leaves half a line.
      const torn = readFileSync(path, 'utf8') + '{"op":"add","score":{"id":"half';
      writeFileSync(path, torn);
      const reopened = DurableScoreQueue.open(path);
      reopened.enqueue({ id: 'next', traceId: 't', name: 'b', value: 1, dataType: 'NUMERIC' });
      reopened.close();
      const replayed = DurableScoreQueue.open(path);
      assert.deepEqual(replayed.pending().map((entry) => entry.score.id), ['whole', 'next']);
      replayed.close();
      assert.ok(readFileSync(path, 'utf8').split('\n').filter(Boolean).every((line) => JSON.parse(line)));
    } finally {
      dir.remove();
    }
  });
});
