// Each ingestion event is all or nothing: one that fails half-way (after some of its writes)
// leaves neither rows nor totals behind, the batch's other events are kept; a full disk
// fails the whole batch, so the caller can say 507 and the SDK retry it.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '../../src/server/db.js';
import { Repository } from '../../src/server/repository.js';
import { applyIngestionBatch } from '../../src/server/ingest/apply.js';

const at = '2026-11-24T10:00:00.000Z';
const generation = (id: string, traceId: string, input: number) => ({
  id: `ev-${id}`,
  type: 'generation-create',
  timestamp: at,
  body: { id, traceId, name: id, startTime: at, endTime: '2026-11-24T10:00:01.000Z', usageDetails: { input, output: 1 } },
});

/** A repository whose change log throws for one entity: the event's observation row is already written by then. */
function failingAfterWrite(failFor: string, error: Error) {
  const repo = new Repository(openDatabase(':memory:'));
  const appendChange = repo.appendChange.bind(repo);
  repo.appendChange = (kind, entityId, traceId, atMs) => {
    if (entityId === failFor) throw error;
    return appendChange(kind, entityId, traceId, atMs);
  };
  return repo;
}

describe('ingestion events are atomic', () => {
  it('an event failing after its first write leaves no row and no total; its neighbours stay', () => {
    const repo = failingAfterWrite('bad', new Error('boom'));
    const { response } = applyIngestionBatch(repo, [generation('good1', 't', 10), generation('bad', 't', 1000), generation('good2', 't', 20)]);
    assert.deepEqual(response.successes.map((s) => s.id), ['ev-good1', 'ev-good2']);
    assert.deepEqual(response.errors.map((e) => [e.id, e.status]), [['ev-bad', 500]]);
    assert.deepEqual(repo.observationsOfTrace('t').map((o) => o.id).sort(), ['good1', 'good2']);
    const stored = repo.getTrace('t')!;
    assert.equal(stored.aggregates.obsCount, 2);
    assert.equal(stored.aggregates.inputTokens, 30, 'the failed event’s 1,000 tokens are not counted');
    // The failed event was not claimed: an SDK retry of it is applied, not skipped as a duplicate.
    const retry = applyIngestionBatch(new Repository(repo.db), [generation('bad', 't', 1000)]);
    assert.equal(retry.response.successes.length, 1);
    assert.equal(repo.getTrace('t')!.aggregates.inputTokens, 1030);
  });

  it('a new trace created only by a failed event does not appear', () => {
    const repo = failingAfterWrite('lonely', new Error('boom'));
    applyIngestionBatch(repo, [generation('lonely', 'ghost', 5)]);
    assert.equal(repo.getTrace('ghost'), null);
  });

  it('a full disk fails the whole batch (nothing stored, the error surfaces for a 507)', () => {
    const full = Object.assign(new Error('database or disk is full'), { errcode: 13 });
    const repo = failingAfterWrite('second', full);
    assert.throws(() => applyIngestionBatch(repo, [generation('first', 't', 1), generation('second', 't', 2)]), /disk is full/);
    assert.equal(repo.getTrace('t'), null);
    assert.deepEqual(repo.observationsOfTrace('t'), []);
  });
});
