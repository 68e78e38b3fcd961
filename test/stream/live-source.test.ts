// LiveSource against the embedded server: SSE resumes across server restarts and polling
// (a server without the stream, like stock Langfuse) catches up — every trace seen, with
// exact counts.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { LangfuseClient } from '../../src/api/client.js';
import { LangfuseApiError } from '../../src/api/http.js';
import { createLiveSource, PollSource, SseSource } from '../../src/stream/live-source.js';
import type { TraceSummary } from '../../src/domain/types.js';
import type { ConnectionState } from '../../src/stream/types.js';
import { startTestServer, tempDir, TEST_KEYS } from '../helpers/server.js';
import { ragTrace } from '../helpers/ingest.js';

const waitFor = async (predicate: () => boolean, what: string, timeoutMs = 15_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

function collect(source: { onTraces(listener: (traces: TraceSummary[]) => void): () => void }) {
  const seen = new Map<string, TraceSummary>();
  let deliveries = 0;
  source.onTraces((traces) => {
    for (const trace of traces) {
      deliveries++;
      seen.set(trace.id, trace);
    }
  });
  return { seen, deliveries: () => deliveries };
}

async function ingest(server: { post(path: string, body: unknown): Promise<{ status: number }> }, from: number, count: number, tags = ['production']) {
  const batch = [];
  for (let i = from; i < from + count; i++) batch.push(...ragTrace(`trace-${i}`, { tags, userId: `u_${i % 4}` }));
  assert.equal((await server.post('/api/public/ingestion', { batch })).status, 207);
}

describe('LiveSource', () => {
  it('picks SSE on tracetop and polling without the stream', async () => {
    const streaming = await startTestServer();
    const plain = await startTestServer({ streamEnabled: false });
    const a = new LangfuseClient({ host: streaming.url, ...TEST_KEYS });
    const b = new LangfuseClient({ host: plain.url, ...TEST_KEYS });
    assert.ok((await createLiveSource({ client: a })) instanceof SseSource);
    assert.ok((await createLiveSource({ client: b })) instanceof PollSource);
    await Promise.all([a.close(), b.close(), streaming.close(), plain.close()]);
  });

  it('over SSE: history, then live, resumed across 5 server restarts — every trace once', async () => {
    const dir = tempDir();
    const dbPath = join(dir.path, 'live.db');
    let server = await startTestServer({ dbPath, retryMs: 50 });
    const port = server.port;
    await ingest(server, 0, 20);
    const client = new LangfuseClient({ host: server.url, ...TEST_KEYS });
    const source = await createLiveSource({ client, filter: { tags: ['production'] }, flushIntervalMs: 20 });
    const states: ConnectionState[] = [];
    source.onStatus((status) => states.push(status.state));
    const { seen } = collect(source);
    source.start();
    await waitFor(() => seen.size === 20, 'history of 20');
    let next = 20;
    for (let restart = 0; restart < 5; restart++) {
      await ingest(server, next, 30);
      await ingest(server, 10_000 + next, 5, ['staging']);
      next += 30;
      await server.close();
      server = await startTestServer({ dbPath, port, retryMs: 50 });
      await ingest(server, next, 30);
      next += 30;
      await waitFor(() => seen.size === next, `${next} traces after restart ${restart + 1}`);
    }
    await source.stop();
    assert.equal(seen.size, next, 'every production trace, and no staging trace');
    assert.ok([...seen.keys()].every((id) => Number(id.split('-')[1]) < 10_000));
    assert.ok(states.includes('reconnecting') && states.at(-1) === 'live', `states: ${states.join(',')}`);
    const last = seen.get(`trace-${next - 1}`)!;
    assert.equal(last.observationCount, 2, 'summaries carry the aggregates');
    assert.equal(last.totalTokens, 120);
    assert.equal(source.status().stats.lastEventId !== null, true);
    await client.close();
    await server.close();
    dir.remove();
  });

  it('polling (no stream, like stock Langfuse): catches up after a restart, late arrivals included', async () => {
    const dir = tempDir();
    const dbPath = join(dir.path, 'poll.db');
    let server = await startTestServer({ dbPath, streamEnabled: false });
    const port = server.port;
    await ingest(server, 0, 10);
    const client = new LangfuseClient({ host: server.url, ...TEST_KEYS }, { attempts: 1, minBackoffMs: 10 });
    const source = await createLiveSource({ client, pollIntervalMs: 50, flushIntervalMs: 10 });
    const { seen } = collect(source);
    source.start();
    await waitFor(() => seen.size === 10, 'history');
    await ingest(server, 10, 25);
    // A trace stamped a minute ago arrives late (async ingestion): the overlap still finds it.
    await server.post('/api/public/ingestion', { batch: ragTrace('late', { at: new Date(Date.now() - 60_000) }) });
    await waitFor(() => seen.size === 36, '36 after live polling');
    await server.close();
    await waitFor(() => source.status().state === 'reconnecting' || source.status().state === 'offline', 'the outage noticed');
    server = await startTestServer({ dbPath, port, streamEnabled: false });
    await ingest(server, 100, 15);
    await waitFor(() => seen.size === 51, 'all 51 after the restart');
    await waitFor(() => source.status().state === 'polling', 'polling again');
    await source.stop();
    await client.close();
    await server.close();
    dir.remove();
  });

  it('polling backs off exponentially from a failing server, but retries an unreachable one at least every max(interval, 5 s)', () => {
    const down = new LangfuseApiError('network', 'cannot reach', 'http://x');
    const failing = new LangfuseApiError('server', '503', 'http://x', 503);
    const limited = new LangfuseApiError('rate-limited', '429', 'http://x', 429, 30_000);
    assert.deepEqual([1, 2, 3, 5, 9].map((n) => PollSource.retryDelay(2_000, n, down)), [4_000, 5_000, 5_000, 5_000, 5_000]);
    assert.deepEqual([1, 2, 3, 5, 9].map((n) => PollSource.retryDelay(2_000, n, failing)), [4_000, 8_000, 16_000, 60_000, 60_000]);
    assert.equal(PollSource.retryDelay(10_000, 3, down), 10_000, 'never more often than the interval');
    assert.equal(PollSource.retryDelay(100, 9, down), 3_200);
    assert.equal(PollSource.retryDelay(2_000, 1, limited), 30_000, 'Retry-After honoured');
  });

  it('coalesces a burst of changes to the same trace', async () => {
    const server = await startTestServer();
    const client = new LangfuseClient({ host: server.url, ...TEST_KEYS });
    const source = await createLiveSource({ client, flushIntervalMs: 300 });
    const { seen, deliveries } = collect(source);
    source.start();
    await waitFor(() => source.status().state === 'live', 'live');
    for (let i = 0; i < 10; i++) {
      await server.post('/api/public/ingestion', {
        batch: [{ id: `burst-${i}`, type: 'span-create', timestamp: new Date().toISOString(), body: { id: `burst-span-${i}`, traceId: 'burst', name: `step ${i}` } }],
      });
    }
    await waitFor(() => seen.get('burst')?.observationCount === 10, 'the burst to settle');
    await source.stop();
    assert.ok(deliveries() < 10, `10 changes arrived as ${deliveries()} deliveries`);
    assert.ok(source.status().stats.coalesced > 0);
    await client.close();
    await server.close();
  });
  it('starts with the backend down: offline with the reason, then live once it answers', async () => {
    const dir = tempDir();
    const dbPath = join(dir.path, 'late.db');
    // Find a free port, then leave it closed for now.
    const probe = await startTestServer({ dbPath });
    const port = probe.port;
    await probe.close();
    const client = new LangfuseClient({ host: `http://127.0.0.1:${port}`, ...TEST_KEYS }, { attempts: 1 });
    const source = await createLiveSource({ client, flushIntervalMs: 10 });
    const { seen } = collect(source);
    source.start();
    await waitFor(() => source.status().state === 'offline', 'offline');
    assert.match(source.status().detail ?? '', /cannot reach/);
    const server = await startTestServer({ dbPath, port });
    await ingest(server, 500, 3);
    await waitFor(() => seen.size === 3, 'the traces once the backend is up');
    await waitFor(() => source.status().state === 'live', 'live');
    await source.stop();
    await client.close();
    await server.close();
    dir.remove();
  });
});
