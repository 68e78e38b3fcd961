// Where score queues live: one per backend in the state dir; the demo's in a private temp dir,
// removed at the end of the run — and a killed run's file removed by the next demo — so demo
// runs leave nothing behind (issue 17.13).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { demoScoreQueue, scoreQueuePath } from '../../src/scoring/queue-path.js';
import { DurableScoreQueue } from '../../src/scoring/durable-queue.js';
import { tempDir } from '../helpers/server.js';

describe('score queue paths', () => {
  it('one file per backend in the state dir', () => {
    const home = tempDir();
    const before = process.env.XDG_STATE_HOME;
    process.env.XDG_STATE_HOME = home.path;
    try {
      const a = scoreQueuePath('http://127.0.0.1:3939', 'pk-1');
      assert.equal(a, scoreQueuePath('http://127.0.0.1:3939', 'pk-1'));
      assert.notEqual(a, scoreQueuePath('https://cloud.langfuse.com', 'pk-1'));
      assert.ok(a.startsWith(home.path));
    } finally {
      if (before === undefined) delete process.env.XDG_STATE_HOME;
      else process.env.XDG_STATE_HOME = before;
      home.remove();
    }
  });

  it("the demo's queue is outside the state dir, private, and gone after remove(); a dead run's file goes too", () => {
    // A file left by a run that was killed (a pid that has exited).
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const first = demoScoreQueue();
    const stale = join(dirname(first.path), `scores-${dead.stdout}.jsonl`);
    writeFileSync(stale, '');
    const queue = DurableScoreQueue.open(first.path);
    queue.close();
    assert.ok(existsSync(first.path));
    assert.equal(statSync(dirname(first.path)).mode & 0o077, 0, 'the directory is private');
    assert.ok(!first.path.includes('/.local/state/'));
    const second = demoScoreQueue();
    assert.equal(second.path, first.path, 'one file per run (pid)');
    assert.ok(!existsSync(stale), "the killed run's file is removed");
    first.remove();
    assert.ok(!existsSync(first.path));
  });
});
