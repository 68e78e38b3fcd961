// The stream's hello names the database (an id stored in it when a server first opens it), so a
// client resuming against another database — a swapped or restored file with an equal or
// higher head, where Last-Event-ID alone looks valid — resets its cursor and re-syncs.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { EventSource } from 'eventsource';
import { LangfuseClient } from '../../src/api/client.js';
import { SseSource } from '../../src/stream/live-source.js';
import type { TraceSummary } from '../../src/domain/types.js';
import { startTestServer, tempDir, TEST_KEYS, type TestServer } from '../helpers/server.js';
import { ragTrace } from '../helpers/ingest.js';

const waitFor = async (predicate: () => boolean, what: string, timeoutMs = 15_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

async function ingest(server: TestServer, prefix: string, from: number, count: number) {
  const batch = [];
  for (let i = from; i < from + count; i++) batch.push(...ragTrace(`${prefix}-${i}`));
  assert.equal((await server.post('/api/public/ingestion', { batch })).status, 207);
}

/** The hello of a raw stream connection. */
async function hello(server: TestServer, query = '', lastEventId?: string): Promise<{ databaseId: string; reset: boolean; resumedFrom: number; head: number }> {
  const headers: Record<string, string> = { authorization: server.auth };
  if (lastEventId) headers['last-event-id'] = lastEventId;
  const source = new EventSource(`${server.url}/api/public/stream${query}`, {
    fetch: (input, init) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), ...headers } }),
  });
  try {
    return await new Promise((resolve) => source.addEventListener('hello', (event) => resolve(JSON.parse(event.data))));
  } finally {
    source.close();
  }
}

describe('stream database identity', () => {
  it('the hello carries an id stored in the database: stable across restarts, different per database; a resume naming another is reset', async () => {
    const dir = tempDir();
    let a = await startTestServer({ dbPath: join(dir.path, 'a.db') });
    const port = a.port;
    await ingest(a, 'a', 0, 3);
    const first = await hello(a);
    assert.match(first.databaseId, /^[0-9a-f-]{36}$/);
    await a.close();
    a = await startTestServer({ dbPath: join(dir.path, 'a.db'), port });
    assert.equal((await hello(a)).databaseId, first.databaseId, 'the same database keeps its id across restarts');
    // Resuming with our own id: no reset. Naming another database: reset to the head.
    const own = await hello(a, `?databaseId=${first.databaseId}`, '2');
    assert.deepEqual([own.reset, own.resumedFrom], [false, 2]);
    const other = await hello(a, '?databaseId=another', '2');
    assert.deepEqual([other.reset, other.resumedFrom], [true, other.head]);
    await a.close();
    const b = await startTestServer({ dbPath: join(dir.path, 'b.db') });
    assert.notEqual((await hello(b)).databaseId, first.databaseId);
    await b.close();
    dir.remove();
  });

  it('SseSource: a swapped database with a higher head resets the cursor and reloads the window', async () => {
    const dir = tempDir();
    // Database B, prepared elsewhere: more changes than A will have.
    const prepared = await startTestServer({ dbPath: join(dir.path, 'b.db') });
    await ingest(prepared, 'b', 0, 40);
    await prepared.close();

    let server = await startTestServer({ dbPath: join(dir.path, 'a.db'), retryMs: 50 });
    const port = server.port;
    await ingest(server, 'a', 0, 10);
    const client = new LangfuseClient({ host: server.url, ...TEST_KEYS }, { attempts: 2, minBackoffMs: 20 });
    const source = new SseSource({ client, flushIntervalMs: 10 });
    const deliveries = new Map<string, number>();
    let resets = 0;
    source.onReset(() => {
      resets++;
      deliveries.clear();
    });
    source.onTraces((traces: TraceSummary[]) => {
      for (const trace of traces) deliveries.set(trace.id, (deliveries.get(trace.id) ?? 0) + 1);
    });
    source.start();
    await waitFor(() => source.status().state === 'live' && deliveries.size === 10, 'A live with its 10 traces');
    await ingest(server, 'a', 10, 5);
    await waitFor(() => deliveries.size === 15, '15 traces of A');
    const resumePoint = Number(source.status().stats.lastEventId);
    assert.ok(resumePoint > 0);

    // Swap: the same host and port now serve database B, whose head is past A's resume point.
    await server.close();
    server = await startTestServer({ dbPath: join(dir.path, 'b.db'), port, retryMs: 50 });
    assert.ok((await hello(server)).head > resumePoint, 'B has an equal or higher head: Last-Event-ID alone looks valid');
    await waitFor(() => resets === 1, 'the reset');
    await waitFor(() => deliveries.size === 40, "B's window (its 40 traces)");
    await ingest(server, 'b', 40, 5);
    await waitFor(() => deliveries.size === 45, 'new traces of B');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await source.stop();
    assert.equal(resets, 1);
    assert.ok([...deliveries.keys()].every((id) => id.startsWith('b-')), 'nothing of A after the reset');
    assert.ok([...deliveries.values()].every((count) => count === 1), 'each trace of B once');
    assert.equal(source.status().state, 'live');
    await client.close();
    await server.close();
    dir.remove();
  });
});
