import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DurableScoreQueue } from '../../src/scoring/durable-queue.js';
import { tempDir } from '../helpers/server.js';

const score = (id: string, value: number) => ({ id, traceId: 't1', name: 'groundedness', value, dataType: 'NUMERIC' as const });

describe('DurableScoreQueue', () => {
  it('keeps pending and failed scores across a reopen, and a torn last line loses nothing before it', () => {
    const dir = tempDir();
    const path = join(dir.path, 'scores.jsonl');
    const queue = DurableScoreQueue.open(path);
    queue.enqueue(score('a', 0.1));
    queue.enqueue(score('b', 0.2));
    queue.enqueue(score('c', 7));
    queue.markSent('a');
    queue.markFailed('c', 'value 7 is above the maximum 1 of groundedness');
    queue.close();
    assert.equal(statSync(path).mode & 0o777, 0o600);
    // A crash in the middle of writing the next line.
    appendFileSync(path, '{"op":"add","score":{"id":"d"');

    const reopened = DurableScoreQueue.open(path);
    assert.deepEqual(reopened.pending().map((entry) => entry.score.id), ['b']);
    assert.deepEqual(reopened.failed().map((entry) => [entry.score.id, entry.error]), [['c', 'value 7 is above the maximum 1 of groundedness']]);
    reopened.retry('c');
    assert.deepEqual(reopened.pending().map((entry) => entry.score.id), ['b', 'c']);
    reopened.drop('c');
    reopened.compact();
    reopened.close();
    assert.equal(readFileSync(path, 'utf8').trim().split('\n').length, 1);
    assert.deepEqual(DurableScoreQueue.open(path).pending().map((entry) => entry.score.value), [0.2]);
    dir.remove();
  });

  it('enqueues the same id once', () => {
    const dir = tempDir();
    const queue = DurableScoreQueue.open(join(dir.path, 'q.jsonl'));
    queue.enqueue(score('x', 1));
    queue.enqueue(score('x', 1));
    assert.equal(queue.pending().length, 1);
    queue.close();
    dir.remove();
  });
});
