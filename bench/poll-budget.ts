// Polling under Langfuse Cloud's hobby rate limits, against the strict twin of each read
// generation (`rateLimit: 'hobby'`, real one-minute windows):
//   1. ingest → screen latency of the live list (a trace ingested every 2 s, one opened every
//      30 s as someone reading the TUI does), requests per minute spent per bucket, 429s;
//   2. history load time for 10,000 traces in the window — unlimited (self-hosted), and under
//      the hobby budget (v2 measured; v1's legacy bucket at 15/min is measured with one-second
//      windows and scaled to minutes, since it takes about eleven).
//   npm run bench:poll            (BENCH_POLL_SECONDS=60 per generation by default)

import { LangfuseClient } from '../src/api/client.js';
import { RequestBudget, PLAN_LIMITS, type Bucket, type Limit } from '../src/api/budget.js';
import { startServer, type RunningServer } from '../src/server/index.js';
import { applyIngestionBatch } from '../src/server/ingest/apply.js';
import { Repository } from '../src/server/repository.js';
import { PLAN_LIMITS as SERVER_PLANS, type RateLimitTable } from '../src/server/rate-limit.js';
import { createLiveSource } from '../src/stream/live-source.js';
import { machine, percentile } from './common.js';

const keys = { publicKey: 'pk-lf-bench', secretKey: 'sk-lf-bench' };
const SECONDS = Number(process.env.BENCH_POLL_SECONDS ?? 60);
const HISTORY = 10_000;

/** A trace with one root span and a generation under it (one root observation on v2). */
const traceEvents = (id: string, at: Date) => {
  const iso = at.toISOString();
  return [
    { id: `e-${id}`, type: 'trace-create', timestamp: iso, body: { id, name: 'bench', userId: 'u_1', tags: ['production'], timestamp: iso } },
    { id: `e-${id}-r`, type: 'span-create', timestamp: iso, body: { id: `${id}-r`, traceId: id, name: 'pipeline', startTime: iso, endTime: iso } },
    { id: `e-${id}-g`, type: 'generation-create', timestamp: iso, body: { id: `${id}-g`, traceId: id, parentObservationId: `${id}-r`, name: 'generate', startTime: iso, endTime: iso, model: 'gpt-4o-mini' } },
  ];
};

function seed(server: RunningServer, count: number, prefix: string, fromMs: number, stepMs: number) {
  const repo = new Repository(server.db);
  for (let i = 0; i < count; i += 500) {
    const batch = [];
    for (let j = i; j < Math.min(count, i + 500); j++) batch.push(...traceEvents(`${prefix}-${j}`, new Date(fromMs + j * stepMs)));
    applyIngestionBatch(repo, batch);
  }
}

const ms = (value: number) => `${Math.round(value).toLocaleString('en-US')} ms`;

async function latency(readApi: 'v1' | 'v2') {
  const server = await startServer({ dbPath: ':memory:', port: 0, ...keys, readApi, streamEnabled: false, rateLimit: 'hobby' });
  seed(server, 200, 'old', Date.now() - 30 * 60_000, 5_000);
  const client = new LangfuseClient({ host: server.url, ...keys }, { plan: 'hobby' });
  const source = await createLiveSource({ client, filter: { fromTimestamp: new Date(Date.now() - 3_600_000).toISOString() } });
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let waits = 0;
  source.onStatus((status) => {
    if (status.rateLimit) waits++;
  });
  source.onTraces((traces) => {
    const now = Date.now();
    for (const trace of traces) {
      const sent = sentAt.get(trace.id);
      if (sent === undefined) continue;
      latencies.push(now - sent);
      sentAt.delete(trace.id);
    }
  });
  source.start();
  while (source.status().history?.loading !== false) await new Promise((resolve) => setTimeout(resolve, 50));
  const spentBefore = client.budget.spent();
  const started = Date.now();
  const repo = new Repository(server.db);
  let opened = 0;
  for (let i = 0; Date.now() - started < SECONDS * 1000; i++) {
    const id = `live-${i}`;
    sentAt.set(id, Date.now());
    applyIngestionBatch(repo, traceEvents(id, new Date()));
    if (i % 15 === 0) void client.getTrace(i === 0 ? 'old-199' : `live-${i - 1}`).then(() => opened++, () => {});
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
  // Let the last arrivals reach the list.
  const deadline = Date.now() + 20_000;
  while (sentAt.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  const minutes = (Date.now() - started) / 60_000;
  await source.stop();
  const spent = client.budget.spent();
  const perMinute = Object.entries(spent)
    .map(([bucket, count]) => `${bucket} ${((count - (spentBefore[bucket as Bucket] ?? 0)) / minutes).toFixed(1)}/min`)
    .join(', ');
  latencies.sort((a, b) => a - b);
  console.log(
    `${readApi} hobby  ingest→list p50 ${ms(percentile(latencies, 50))}  p95 ${ms(percentile(latencies, 95))}  max ${ms(latencies.at(-1) ?? NaN)}` +
      `  (${latencies.length} traces, ${sentAt.size} missing, ${opened} opened)  spent ${perMinute}  429s ${client.http.counters.rateLimited}  rate-limit waits shown ${waits}`,
  );
  await client.close();
  await server.close();
}

async function historyLoad(readApi: 'v1' | 'v2', budget: 'none' | 'hobby' | 'hobby-per-second') {
  const perSecond = budget === 'hobby-per-second';
  let rateLimit: 'hobby' | { plan: 'hobby'; buckets: Partial<RateLimitTable> } | undefined;
  let limits: Partial<Record<Bucket, Limit>> | undefined;
  if (budget === 'hobby') rateLimit = 'hobby';
  if (perSecond) {
    const buckets: Partial<RateLimitTable> = {};
    for (const [bucket, limit] of Object.entries(SERVER_PLANS.hobby)) if (limit?.durationSec === 60) buckets[bucket as keyof RateLimitTable] = { points: limit.points, durationSec: 1 };
    rateLimit = { plan: 'hobby', buckets };
    limits = {};
    for (const [bucket, limit] of Object.entries(PLAN_LIMITS.hobby) as [Bucket, Limit][]) if (limit.windowMs === 60_000) limits[bucket] = { limit: limit.limit, windowMs: 1_000 };
  }
  const server = await startServer({ dbPath: ':memory:', port: 0, ...keys, readApi, streamEnabled: false, rateLimit });
  seed(server, HISTORY, 'h', Date.now() - 90 * 60_000, 500);
  const client = new LangfuseClient({ host: server.url, ...keys }, { budget: new RequestBudget({ plan: budget === 'none' ? 'none' : 'hobby', limits }) });
  await client.backend();
  const before = client.http.counters.requests;
  const started = performance.now();
  const result = await client.history({ fromTimestamp: new Date(Date.now() - 2 * 3_600_000).toISOString() }, { capacity: HISTORY });
  const elapsed = performance.now() - started;
  const requests = client.http.counters.requests - before;
  const label = budget === 'none' ? 'no limit (self-hosted)' : perSecond ? 'hobby, 1-s windows' : 'hobby';
  const time = perSecond ? `${ms(elapsed)} simulated ≈ ${(elapsed / 1000).toFixed(1)} min on Cloud` : ms(elapsed);
  console.log(`${readApi} history of ${result.traces.length.toLocaleString('en-US')} traces (${result.complete ? 'whole window' : 'cut'}), ${label}: ${time}, ${requests} requests, 429s ${client.http.counters.rateLimited}`);
  await client.close();
  await server.close();
}

console.log(`poll-budget bench — ${machine()}, ${SECONDS}s a generation`);
await historyLoad('v1', 'none');
await historyLoad('v2', 'none');
await historyLoad('v2', 'hobby');
await historyLoad('v1', 'hobby-per-second');
await latency('v2');
await latency('v1');
