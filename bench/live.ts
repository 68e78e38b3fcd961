// End-to-end latency from ingestion to the LiveSource consumer, over SSE and over polling, and
// the highest rate the SSE consumer keeps up with (target ≥ 5,000 traces/s on one core).
//   npm run bench:live

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { LangfuseClient } from '../src/api/client.js';
import { startServer } from '../src/server/index.js';
import { applyIngestionBatch } from '../src/server/ingest/apply.js';
import { Repository } from '../src/server/repository.js';
import { PollSource, SseSource } from '../src/stream/live-source.js';
import type { LiveSource } from '../src/stream/types.js';
import { machine, percentile } from './common.js';

const keys = { publicKey: 'pk-lf-bench', secretKey: 'sk-lf-bench' };
const auth = `Basic ${Buffer.from(`${keys.publicKey}:${keys.secretKey}`).toString('base64')}`;
const dir = mkdtempSync(join(tmpdir(), 'tracetop-bench-'));
const server = await startServer({ dbPath: join(dir, 'live.db'), port: 0, ...keys });
const agent = new Agent();
const client = new LangfuseClient({ host: server.url, ...keys });

const traceEvents = (id: string) => [
  { id: `e-${id}`, type: 'trace-create', timestamp: new Date().toISOString(), body: { id, name: 'bench', userId: 'u_1', tags: ['production'] } },
  { id: `e-${id}-s`, type: 'span-create', timestamp: new Date().toISOString(), body: { id: `${id}-s`, traceId: id, name: 'step', startTime: new Date().toISOString() } },
];

async function measureLatency(source: LiveSource, label: string, count: number, intervalMs: number) {
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  source.onTraces((traces) => {
    const now = performance.now();
    for (const trace of traces) {
      const sent = sentAt.get(trace.id);
      if (sent !== undefined) {
        latencies.push(now - sent);
        sentAt.delete(trace.id);
      }
    }
  });
  source.start();
  await new Promise((resolve) => setTimeout(resolve, 500));
  for (let i = 0; i < count; i++) {
    const id = `${label}-${i}`;
    sentAt.set(id, performance.now());
    const response = await request(`${server.url}/api/public/ingestion`, {
      method: 'POST',
      dispatcher: agent,
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({ batch: traceEvents(id) }),
    });
    await response.body.text();
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  const deadline = Date.now() + 10_000;
  while (sentAt.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  await source.stop();
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 50), p95: percentile(latencies, 95), seen: latencies.length };
}

const sse = await measureLatency(new SseSource({ client, flushIntervalMs: 16 }), 'sse', 200, 20);
const poll = await measureLatency(new PollSource({ client, pollIntervalMs: 500, flushIntervalMs: 16 }), 'poll', 100, 40);

// Throughput: 50,000 trace changes already stored, replayed through one SSE consumer from
// Last-Event-ID 0 — the consumer's parse, coalesce and delivery path at full speed.
const repo = new Repository(server.db);
const total = 50_000;
for (let i = 0; i < total; i += 500) {
  applyIngestionBatch(repo, Array.from({ length: 500 }, (_, j) => traceEvents(`bulk-${i + j}`)[0]));
}
const replay = new SseSource({ client, flushIntervalMs: 50 });
(replay as unknown as { lastEventId: string }).lastEventId = '0';
(replay as unknown as { historyLoaded: boolean }).historyLoaded = true;
let received = 0;
const started = performance.now();
const done = new Promise<void>((resolve) => {
  replay.onTraces((traces) => {
    received += traces.filter((trace) => trace.id.startsWith('bulk-')).length;
    if (received >= total) resolve();
  });
});
replay.start();
await done;
const seconds = (performance.now() - started) / 1000;
await replay.stop();

console.log(`machine: ${machine()} (server and consumer in one process)`);
console.log(`ingest → LiveSource latency over SSE:     p50 ${sse.p50.toFixed(1)} ms, p95 ${sse.p95.toFixed(1)} ms (${sse.seen} traces at 50/s)`);
console.log(`ingest → LiveSource latency over polling: p50 ${poll.p50.toFixed(1)} ms, p95 ${poll.p95.toFixed(1)} ms (${poll.seen} traces, 500 ms interval)`);
console.log(`SSE consumer throughput: ${total.toLocaleString()} trace changes in ${seconds.toFixed(2)} s → ${Math.round(total / seconds).toLocaleString()} traces/s (target ≥ 5,000)`);
console.log(`ratio SSE p50 / polling p50: ${(sse.p50 / poll.p50).toFixed(3)}`);
await client.close();
await agent.close();
await server.close();
rmSync(dir, { recursive: true, force: true });
