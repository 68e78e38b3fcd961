// The SSE stream with a real EventSource client: it survives the server being stopped and
// started again on the same database, resumes with Last-Event-ID, and sees every change
// exactly once.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { EventSource } from 'eventsource';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import { Repository } from '../../src/server/repository.js';

function traceBatch(from: number, count: number, tag = 'production') {
  const batch = [];
  for (let i = from; i < from + count; i++) {
    const at = new Date(Date.UTC(2026, 10, 24, 10, 0, 0, i)).toISOString();
    batch.push({ id: `ev-t-${i}`, type: 'trace-create', timestamp: at, body: { id: `t-${i}`, name: 'rag_pipeline', userId: `u_${i % 3}`, tags: [tag], timestamp: at } });
    batch.push({ id: `ev-s-${i}`, type: 'span-create', timestamp: at, body: { id: `s-${i}`, traceId: `t-${i}`, name: 'retrieve', startTime: at } });
  }
  return { batch };
}

const waitFor = async (predicate: () => boolean, what: string, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('GET /api/public/stream', () => {
  const dir = tempDir();
  const dbPath = join(dir.path, 'stream.db');
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ dbPath, retryMs: 50, heartbeatMs: 200 });
  });
  after(async () => {
    await server.close();
    dir.remove();
  });

  it('requires keys', async () => {
    const response = await fetch(`${server.url}/api/public/stream`);
    assert.equal(response.status, 401);
    assert.equal(((await response.json()) as { message: string }).message.includes('Invalid credentials'), true);
  });

  it('resumes across server restarts with Last-Event-ID: every change once', async () => {
    const port = server.port;
    const received: { seq: number; kind: string }[] = [];
    const helloResumes: number[] = [];
    const source = new EventSource(`${server.url}/api/public/stream`, {
      fetch: (input, init) =>
        fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), authorization: server.auth } }),
    });
    for (const kind of ['trace', 'observation', 'score']) {
      source.addEventListener(kind, (event) => {
        received.push({ seq: Number(event.lastEventId), kind });
      });
    }
    source.addEventListener('hello', (event) => helloResumes.push(JSON.parse(event.data).resumedFrom));
    await waitFor(() => helloResumes.length === 1, 'the hello event');

    let next = 0;
    for (let round = 0; round < 4; round++) {
      // Traffic while connected …
      for (let i = 0; i < 5; i++, next += 10) assert.equal((await server.post('/api/public/ingestion', traceBatch(next, 10))).status, 207);
      const repo = new Repository(server.db);
      const head = repo.headSeq();
      await waitFor(() => received.length > 0 && received[received.length - 1]!.seq === head, `seq ${head}`);
      // … then the server goes away, more changes land while no client is attached, and it comes back.
      await server.close();
      server = await startTestServer({ dbPath, port, retryMs: 50, heartbeatMs: 200 });
      for (let i = 0; i < 3; i++, next += 10) await server.post('/api/public/ingestion', traceBatch(next, 10));
    }
    const head = new Repository(server.db).headSeq();
    await waitFor(() => received[received.length - 1]?.seq === head, `final seq ${head}`);
    source.close();

    const seqs = received.map((event) => event.seq);
    assert.equal(new Set(seqs).size, seqs.length, 'no change delivered twice');
    assert.deepEqual(seqs, Array.from({ length: head }, (_, index) => index + 1), 'every change delivered, in order');
    assert.equal(received.filter((event) => event.kind === 'trace').length, next, 'one trace change per trace');
    assert.equal(received.filter((event) => event.kind === 'observation').length, next);
    assert.ok(helloResumes.length >= 5, 'reconnected after each restart');
  });

  it('filters by tag and user and carries trace summaries', async () => {
    const events: any[] = [];
    const source = new EventSource(`${server.url}/api/public/stream?tags=canary&userId=u_1&kinds=trace`, {
      fetch: (input, init) =>
        fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), authorization: server.auth } }),
    });
    source.addEventListener('trace', (event) => events.push(JSON.parse(event.data)));
    let opened = false;
    source.addEventListener('hello', () => (opened = true));
    await waitFor(() => opened, 'hello');
    await server.post('/api/public/ingestion', traceBatch(10_000, 9, 'canary'));
    await server.post('/api/public/ingestion', traceBatch(20_000, 9, 'other'));
    await waitFor(() => events.length === 3, 'three canary traces of u_1');
    await new Promise((resolve) => setTimeout(resolve, 200));
    source.close();
    assert.equal(events.length, 3);
    for (const event of events) {
      assert.equal(event.data.userId, 'u_1');
      assert.deepEqual(event.data.tags, ['canary']);
      assert.equal(event.data.observationCount, 1);
      assert.equal(event.data.input, undefined, 'no payloads without fields=io');
    }
  });

  it('rejects a malformed Last-Event-ID', async () => {
    const response = await fetch(`${server.url}/api/public/stream`, {
      headers: { authorization: server.auth, 'last-event-id': 'abc' },
    });
    assert.equal(response.status, 400);
  });
});
