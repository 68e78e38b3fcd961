// Retention (issue 15: ingested_events and the change log grew forever). `serve --retention
// 30d` prunes old traces with everything attached, the change log and the dedup ids, in small
// background transactions while ingestion goes on; `--max-db-size` keeps the pages in use
// under a bound; a stream client whose Last-Event-ID fell off the pruned log is told to reset.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { parseDuration, parseSize, usedBytes } from '../../src/server/retention.js';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';

const DAY = 86_400_000;
const count = (server: TestServer, sql: string) => Number((server.db.prepare(sql).get() as { n: number }).n);

function traceEvents(id: string, at: number, extra: Record<string, unknown> = {}) {
  const iso = new Date(at).toISOString();
  return [
    { id: `e-${id}`, type: 'trace-create', timestamp: iso, body: { id, timestamp: iso, tags: ['a', 'b'], sessionId: `s-${id}`, ...extra } },
    { id: `e-${id}-o`, type: 'generation-create', timestamp: iso, body: { id: `${id}-o`, traceId: id, startTime: iso, usageDetails: { input: 1 } } },
    { id: `e-${id}-s`, type: 'score-create', timestamp: iso, body: { id: `${id}-s`, traceId: id, name: 'q', value: 1, timestamp: iso } },
  ];
}

async function hello(server: TestServer, lastEventId: number): Promise<{ reset: boolean; head: number }> {
  const controller = new AbortController();
  const response = await fetch(`${server.url}/api/public/stream`, { headers: { authorization: server.auth, 'last-event-id': String(lastEventId) }, signal: controller.signal });
  const reader = response.body!.getReader();
  let text = '';
  while (!/event: hello\n.*\ndata: .*\n/.test(text)) text += Buffer.from((await reader.read()).value!).toString('utf8');
  controller.abort();
  return JSON.parse(/event: hello\n.*\ndata: (.*)\n/.exec(text)![1]!) as { reset: boolean; head: number };
}

describe('retention by age', () => {
  let server: TestServer;
  const dir = tempDir('tracetop-retention-');
  const now = Date.now();
  before(async () => {
    server = await startTestServer({ dbPath: join(dir.path, 'r.db'), retention: { maxAgeMs: 30 * DAY, intervalMs: 3_600_000, batchSize: 7 } });
    const batch = [];
    for (let i = 0; i < 40; i++) batch.push(...traceEvents(`old-${i}`, now - 60 * DAY + i));
    for (let i = 0; i < 10; i++) batch.push(...traceEvents(`new-${i}`, now - DAY + i));
    batch.push({ id: 'e-old-session-score', type: 'score-create', timestamp: new Date(now - 60 * DAY).toISOString(), body: { id: 'old-session-score', sessionId: 's-x', name: 'q', value: 1, timestamp: new Date(now - 60 * DAY).toISOString() } });
    const response = await server.post('/api/public/ingestion', { batch });
    assert.deepEqual(response.body.errors, []);
    // A dataset run over an old and a new trace, and experiment spans on both.
    assert.equal((await server.post('/api/public/datasets', { name: 'kept' })).status, 200);
    assert.equal((await server.post('/api/public/dataset-items', { datasetName: 'kept', id: 'item-1', input: 'q' })).status, 200);
    for (const traceId of ['old-0', 'new-0']) {
      assert.equal((await server.post('/api/public/dataset-run-items', { runName: 'run-1', datasetItemId: 'item-1', traceId })).status, 200);
    }
    const span = server.db.prepare(
      "INSERT INTO experiment_spans (span_id, trace_id, experiment_id, experiment_name, item_id, root_span_id, dataset_id, body) VALUES (?, ?, 'exp', 'exp', 'item-1', NULL, NULL, '{}')",
    );
    span.run('span-old', 'old-1');
    span.run('span-new', 'new-1');
  });
  after(async () => {
    await server.close();
    dir.remove();
  });

  it('old traces go with their observations, scores and tags while ingestion goes on', async () => {
    assert.equal(count(server, 'SELECT count(*) AS n FROM traces'), 50);
    // A pass runs in slices of 7 traces; ingestion is answered between them.
    const pass = server.prune(now);
    const during = await server.post('/api/public/ingestion', { batch: traceEvents('during', now) });
    assert.deepEqual(during.body.errors, []);
    const result = await pass;
    assert.equal(result.traces, 40);
    assert.equal(count(server, "SELECT count(*) AS n FROM traces WHERE id LIKE 'old-%'"), 0);
    assert.equal(count(server, "SELECT count(*) AS n FROM observations WHERE trace_id LIKE 'old-%'"), 0);
    assert.equal(count(server, "SELECT count(*) AS n FROM scores WHERE trace_id LIKE 'old-%' OR id = 'old-session-score'"), 0);
    assert.equal(count(server, "SELECT count(*) AS n FROM trace_tags WHERE trace_id LIKE 'old-%'"), 0);
    assert.equal(count(server, 'SELECT count(*) AS n FROM traces'), 11);
    assert.equal(count(server, 'SELECT count(*) AS n FROM observations'), 11);
    // Rows pointing at a pruned trace go; the dataset, its item and the run stay.
    assert.equal(count(server, "SELECT count(*) AS n FROM dataset_run_items WHERE trace_id = 'old-0'"), 0);
    assert.equal(count(server, "SELECT count(*) AS n FROM dataset_run_items WHERE trace_id = 'new-0'"), 1);
    assert.equal(count(server, "SELECT count(*) AS n FROM experiment_spans WHERE trace_id = 'old-1'"), 0);
    assert.equal(count(server, "SELECT count(*) AS n FROM experiment_spans WHERE trace_id = 'new-1'"), 1);
    assert.equal((await server.get('/api/public/datasets/kept')).status, 200);
    assert.equal((await server.get('/api/public/dataset-items/item-1')).status, 200);
    assert.equal((await server.get('/api/public/datasets/kept/runs/run-1')).body.datasetRunItems.length, 1);
    const list = await server.get('/api/public/traces?limit=100');
    assert.equal(list.body.data.length, 11);
    assert.equal((await server.get('/api/public/traces/old-0')).status, 404);
    assert.equal((await server.get('/api/public/traces/new-0')).body.observations.length, 1);
    assert.equal(server.db.prepare('PRAGMA integrity_check').get()!.integrity_check, 'ok');
  });

  it('the change log and dedup ids age out; a resume point that fell off is told to reset', async () => {
    const head = (await hello(server, 0)).head;
    assert.equal((await hello(server, 1)).reset, false);
    const result = await server.prune(now + 31 * DAY);
    assert.ok(result.changes > 0 && result.events > 0, JSON.stringify(result));
    // Everything received before the cutoff went, but the newest entry stays as the head.
    assert.equal(count(server, 'SELECT count(*) AS n FROM changes'), 1);
    assert.equal(count(server, 'SELECT max(seq) AS n FROM changes'), head);
    assert.equal(count(server, 'SELECT count(*) AS n FROM ingested_events'), 0);
    assert.equal((await hello(server, 1)).reset, true);
    assert.equal((await hello(server, head - 1)).reset, false);
    assert.equal((await hello(server, head)).reset, false);
    // New events are claimed (and deduplicated) as before.
    const again = traceEvents('after', now);
    await server.post('/api/public/ingestion', { batch: again });
    await server.post('/api/public/ingestion', { batch: again });
    assert.equal(count(server, "SELECT count(*) AS n FROM observations WHERE trace_id = 'after'"), 1);
    assert.equal(count(server, "SELECT count(*) AS n FROM scores WHERE trace_id = 'after'"), 1);
  });
});

describe('retention by size', () => {
  it('the oldest traces go until the pages in use fit; the newest stay', async () => {
    const dir = tempDir('tracetop-retention-size-');
    const server = await startTestServer({ dbPath: join(dir.path, 's.db'), retention: { maxDbBytes: 2 * 1024 * 1024, intervalMs: 3_600_000 } });
    const now = Date.now();
    for (let b = 0; b < 6; b++) {
      const batch = [];
      for (let i = 0; i < 50; i++) batch.push(...traceEvents(`t-${b * 50 + i}`, now - DAY + b * 50 + i, { input: 'x'.repeat(4000) }));
      assert.deepEqual((await server.post('/api/public/ingestion', { batch })).body.errors, []);
    }
    assert.ok(usedBytes(server.db) > 2 * 1024 * 1024, `${usedBytes(server.db)} bytes in use`);
    const result = await server.prune(now);
    assert.ok(result.traces > 0);
    assert.ok(usedBytes(server.db) <= 2 * 1024 * 1024, `${usedBytes(server.db)} bytes in use after pruning`);
    assert.equal((await server.get('/api/public/traces/t-0')).status, 404);
    assert.equal((await server.get('/api/public/traces/t-299')).status, 200);
    await server.close();
    dir.remove();
  });

  it('the flag values: durations and sizes, with errors that say what is accepted', () => {
    assert.equal(parseDuration('30d'), 30 * DAY);
    assert.equal(parseDuration('12h'), 12 * 3_600_000);
    assert.equal(parseDuration('2w'), 14 * DAY);
    assert.equal(parseSize('2GB'), 2e9);
    assert.equal(parseSize('1.5GiB'), 1.5 * 1024 ** 3);
    assert.equal(parseSize('500mb'), 5e8);
    for (const bad of ['30', '30x', '-1d', '0d', 'forever']) assert.throws(() => parseDuration(bad), /--retention must be a duration like 30d/);
    for (const bad of ['2XB', '10KB', '-5GB', 'big']) assert.throws(() => parseSize(bad), /--max-db-size must be a size of at least 1MB/);
  });
});
