// Ingestion runs on a write worker with its own connection to the database file, and WAL
// checkpoints on a second thread, so the main thread keeps serving while a batch is parsed and
// written. These check what a client and an operator see of that: answers, what is stored and
// visible on the main connection, failures that cross the thread (a full disk is still a 507),
// a worker that stops mid-request, and a clean close.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase, storageFailure } from '../../src/server/db.js';
import { HttpError } from '../../src/server/http.js';
import { Repository } from '../../src/server/repository.js';
import { Writer } from '../../src/server/ingest/writer.js';
import { fromFailure, toFailure, type WriteJob } from '../../src/server/ingest/write-job.js';
import { startTestServer, tempDir } from '../helpers/server.js';

const at = '2026-12-03T10:00:00.000Z';

function batchJob(events: unknown[]): WriteJob {
  return { kind: 'batch', body: Buffer.from(JSON.stringify({ batch: events })) };
}

const trace = (id: string, input: unknown = 'hello') => ({ id: `e-${id}`, type: 'trace-create', timestamp: at, body: { id, name: 'agent', timestamp: at, input } });

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  assert.fail(`never: ${what}`);
}

/** A Writer on a fresh database file, its main connection beside it; closed and removed after. */
async function withWriter(fn: (writer: Writer, db: ReturnType<typeof openDatabase>, path: string) => Promise<void>): Promise<void> {
  const dir = tempDir();
  const path = join(dir.path, 'w.db');
  const db = openDatabase(path);
  const writer = new Writer(path, new Repository(db));
  try {
    await fn(writer, db, path);
  } finally {
    await writer.close();
    db.close();
    dir.remove();
  }
}

describe('the write worker', () => {
  it('stores a batch that the main connection then reads, and answers per event', () =>
    withWriter(async (writer, db) => {
      const done = await writer.run(batchJob([trace('t1'), { id: 'bad', type: 'trace-create', timestamp: 'garbage', body: { id: 't2' } }]));
      assert.equal(done.status, 207);
      assert.equal(done.changed, true);
      const response = done.body as { successes: { id: string }[]; errors: { id: string; status: number }[] };
      assert.deepEqual(response.successes.map((s) => s.id), ['e-t1']);
      assert.deepEqual(response.errors.map((e) => [e.id, e.status]), [['bad', 400]]);
      assert.equal(new Repository(db).getTrace('t1')?.record.name, 'agent');
    }));

  it('refuses a malformed body as the route did (400 Invalid JSON), nothing stored', () =>
    withWriter(async (writer, db) => {
      const body = Buffer.from('{"batch":[{"id":"e1","type":"trace-create","body":{"id":"t1"}},{"id":]}');
      await assert.rejects(writer.run({ kind: 'batch', body }), (error: unknown) => {
        assert.ok(error instanceof HttpError);
        assert.equal(error.status, 400);
        assert.equal(error.message, 'Invalid JSON');
        return true;
      });
      assert.equal(new Repository(db).getTrace('t1'), null);
    }));

  it('a storage failure keeps its SQLite code across the thread, so a full disk is still a 507', () => {
    const full = Object.assign(new Error('database or disk is full'), { errcode: 13 });
    const crossed = fromFailure(toFailure(full));
    assert.equal(storageFailure(crossed)?.status, 507);
    const refused = fromFailure(toFailure(new HttpError(413, 'Request body too complex', 'detail')));
    assert.ok(refused instanceof HttpError);
    assert.deepEqual([refused.status, refused.message, refused.detail], [413, 'Request body too complex', 'detail']);
  });

  it('a worker that stops mid-request: that request gets a 503 to retry, the next one is stored by a new worker', () =>
    withWriter(async (writer, db) => {
      await writer.run(batchJob([trace('warm')]));
      const inFlight = writer.run(batchJob(Array.from({ length: 500 }, (_, i) => trace(`big${i}`, 'x'.repeat(4000)))));
      await (writer as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
      await assert.rejects(inFlight, (error: unknown) => error instanceof HttpError && error.status === 503);
      const retried = await writer.run(batchJob([trace('after')]));
      assert.equal(retried.status, 207);
      assert.equal(new Repository(db).getTrace('after')?.record.name, 'agent');
    }));

  it('close lets a request in flight finish', () =>
    withWriter(async (writer, db) => {
      const inFlight = writer.run(batchJob(Array.from({ length: 200 }, (_, i) => trace(`c${i}`))));
      await writer.close();
      assert.equal((await inFlight).status, 207);
      assert.ok(new Repository(db).getTrace('c199'));
    }));

  it('the checkpoint thread copies the WAL into the database file; the main connection leaves it to that thread', () =>
    withWriter(async (writer, db, path) => {
      const before = statSync(path).size;
      await writer.run(batchJob(Array.from({ length: 100 }, (_, i) => trace(`k${i}`, 'y'.repeat(20_000)))));
      await until(() => statSync(path).size > before + 1_000_000, 'the database file grew by the checkpointed pages');
      assert.equal((db.prepare('PRAGMA wal_autocheckpoint').get() as { wal_autocheckpoint: number }).wal_autocheckpoint, 0);
    }));

  it('an in-memory database (which a second connection cannot see) is written inline, through the same routes', async () => {
    const server = await startTestServer({ dbPath: ':memory:' });
    try {
      const response = await server.post('/api/public/ingestion', { batch: [trace('mem')] });
      assert.equal(response.status, 207);
      assert.equal((await server.get('/api/public/traces/mem')).body.name, 'agent');
    } finally {
      await server.close();
    }
  });
});
