// `:top` at scale: the metrics queries behind a top breakdown over 1,000,000 observations in a
// 15-minute window (SQLite, the metrics API's own SQL), and the cost of one live update through
// the incremental aggregator at 1,000 traces/s with the window full (900,000 rows).
//   npm run bench:top
//   BENCH_TOP_DB=/tmp/top.db npm run bench:top   keeps the database, and reuses it on the next run

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../src/server/db.js';
import { parseMetricsQuery } from '../src/server/metrics/query.js';
import { runMetricsQuery } from '../src/server/metrics/run.js';
import { topRowFromTrace } from '../src/domain/top.js';
import { TopAggregator } from '../src/domain/top-live.js';
import type { TraceSummary } from '../src/domain/types.js';
import { machine, percentile } from './common.js';

const OBSERVATIONS = 1_000_000;
const PER_TRACE = 5;
const WINDOW_MS = 15 * 60_000;
const kept = process.env.BENCH_TOP_DB;
const reuse = kept !== undefined && existsSync(kept);
const dir = kept ? null : mkdtempSync(join(tmpdir(), 'tracetop-bench-top-'));
const db = openDatabase(kept ?? join(dir!, 'top.db'));
// A reused database keeps its window: the newest trace's time is the window's end.
const newest = reuse ? Number((db.prepare('SELECT max(ts_ms) AS t FROM traces').get() as { t: number }).t) : null;
const now = newest !== null ? newest + 1 : Date.now();
const from = now - WINDOW_MS;
console.log(`bench:top on ${machine()}`);

// ---- 1. a window of 1,000,000 observations ---------------------------------------------------
// Written straight into the tables (the projection's triggers are ingestion's cost, measured by
// bench:ingest); the facts carry their trace's fields as the triggers would set them.
let started = performance.now();
const models = ['gpt-4o', 'gpt-4o-mini', 'claude-3-5-sonnet', 'llama-3.1-70b'];
const names = ['support', 'search', 'triage', 'summarise', 'classify', 'rag_pipeline'];
const insertTrace = db.prepare(
  `INSERT INTO traces (id, ts_ms, name, user_id, session_id, environment, release, version, body, obs_count, start_min_ms, end_max_ms,
     total_cost, input_tokens, output_tokens, total_tokens, error_count, warning_count, updated_ms)
   VALUES (?, ?, ?, ?, ?, 'production', ?, NULL, '{}', ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)`,
);
const insertTag = db.prepare('INSERT INTO trace_tags (tag, trace_id) VALUES (?, ?)');
const insertFact = db.prepare(
  `INSERT INTO observation_facts (id, trace_id, parent_id, type, name, level, environment, version, release, start_ms, end_ms,
     completion_start_ms, model, prompt_name, prompt_version, input_tokens, output_tokens, total_tokens, input_cost, output_cost, total_cost,
     trace_name, user_id, session_id, trace_release, trace_version)
   VALUES (?, ?, ?, ?, ?, ?, 'production', NULL, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)`,
);
const insertScore = db.prepare(
  `INSERT INTO scores (id, trace_id, observation_id, session_id, name, value, data_type, source, config_id, queue_id, environment, ts_ms, body)
   VALUES (?, ?, NULL, NULL, 'groundedness', ?, 'NUMERIC', 'API', NULL, NULL, 'production', ?, '{}')`,
);
const traces = OBSERVATIONS / PER_TRACE;
if (!reuse) db.exec('BEGIN');
for (let t = 0; t < (reuse ? 0 : traces); t++) {
  const id = `t${t}`;
  const start = from + Math.floor((t / traces) * WINDOW_MS);
  let errors = 0;
  for (let o = 0; o < PER_TRACE; o++) {
    const generation = o >= 3;
    const level = generation && (t * 7 + o) % 23 === 0 ? 'ERROR' : 'DEFAULT';
    if (level === 'ERROR') errors++;
    const begin = start + o * 50;
    const end = begin + 100 + ((t * 13 + o * 31) % 2000);
    const input = generation ? 200 + (t % 500) : 0;
    const output = generation ? 20 + (t % 80) : 0;
    insertFact.run(
      `${id}-${o}`, id, o === 0 ? null : `${id}-0`, generation ? 'GENERATION' : 'SPAN', generation ? 'answer' : `step${o}`, level, begin, end,
      generation ? begin + 50 : null, generation ? models[(t + o) % models.length]! : null, generation ? 'support-agent' : null, generation ? 1 + (t % 3) : null,
      input, output, input + output, generation ? input * 1e-6 : null, generation ? output * 4e-6 : null, generation ? input * 1e-6 + output * 4e-6 : null,
      names[t % names.length]!, `u${t % 1000}`, `s${Math.floor(t / 5)}`, `r${t % 4}`,
    );
  }
  insertTrace.run(id, start, names[t % names.length]!, `u${t % 1000}`, `s${Math.floor(t / 5)}`, `r${t % 4}`, PER_TRACE, start, start + 2400, 0.001, 400, 60, 460, errors, start);
  insertTag.run(t % 2 === 0 ? 'production' : 'staging', id);
  insertScore.run(`sc${t}`, id, (t % 100) / 100, start + 10);
}
if (!reuse) db.exec('COMMIT');
console.log(`  ${reuse ? 'reused' : 'loaded'} ${OBSERVATIONS.toLocaleString('en-US')} observations in ${traces.toLocaleString('en-US')} traces in ${((performance.now() - started) / 1000).toFixed(1)} s`);

// ---- 2. the top queries -------------------------------------------------------------------------
const window = { fromTimestamp: new Date(from).toISOString(), toTimestamp: new Date(now).toISOString() };
const generationFilter = [{ column: 'type', type: 'stringOptions', operator: 'any of', value: ['GENERATION'] }];
const queries: [string, Record<string, unknown>][] = [
  ['top by model: count, p50, p95, tokens, cost (400k generations)', {
    view: 'observations', dimensions: [{ field: 'providedModelName' }], filters: generationFilter,
    metrics: [{ measure: 'count', aggregation: 'count' }, { measure: 'latency', aggregation: 'p50' }, { measure: 'latency', aggregation: 'p95' }, { measure: 'totalTokens', aggregation: 'sum' }, { measure: 'totalCost', aggregation: 'sum' }],
  }],
  ['top by model: errors', { view: 'observations', dimensions: [{ field: 'providedModelName' }], filters: [...generationFilter, { column: 'level', type: 'stringOptions', operator: 'any of', value: ['ERROR'] }], metrics: [{ measure: 'count', aggregation: 'count' }] }],
  ['top by prompt@version: count, p50, p95, tokens, cost', {
    view: 'observations', dimensions: [{ field: 'promptName' }, { field: 'promptVersion' }], filters: generationFilter,
    metrics: [{ measure: 'count', aggregation: 'count' }, { measure: 'latency', aggregation: 'p50' }, { measure: 'latency', aggregation: 'p95' }, { measure: 'totalTokens', aggregation: 'sum' }, { measure: 'totalCost', aggregation: 'sum' }],
  }],
  ['top by trace name: root count, p50, p95 (v2, 200k roots)', {
    view: 'observations', dimensions: [{ field: 'traceName' }], filters: [{ column: 'isRootObservation', type: 'boolean', operator: '=', value: true }],
    metrics: [{ measure: 'count', aggregation: 'count' }, { measure: 'latency', aggregation: 'p50' }, { measure: 'latency', aggregation: 'p95' }],
  }],
  ['top by trace name: tokens and cost of all 1M observations', { view: 'observations', dimensions: [{ field: 'traceName' }], metrics: [{ measure: 'totalTokens', aggregation: 'sum' }, { measure: 'totalCost', aggregation: 'sum' }] }],
  ['top by trace name: score means (200k scores)', { view: 'scores-numeric', dimensions: [{ field: 'traceName' }, { field: 'name' }], metrics: [{ measure: 'value', aggregation: 'avg' }] }],
  ['v1 traces view by name: count, p95, tokens, cost', { view: 'traces', dimensions: [{ field: 'name' }], metrics: [{ measure: 'count', aggregation: 'count' }, { measure: 'latency', aggregation: 'p95' }, { measure: 'totalTokens', aggregation: 'sum' }, { measure: 'totalCost', aggregation: 'sum' }] }],
];
let topTotal = 0;
for (const [label, body] of queries) {
  const version = body.view === 'traces' ? 'v1' : 'v2';
  const times: number[] = [];
  let rows = 0;
  for (let run = 0; run < 5; run++) {
    started = performance.now();
    rows = runMetricsQuery(db, parseMetricsQuery(JSON.stringify({ ...window, ...body }), version)).length;
    times.push(performance.now() - started);
  }
  const best = Math.min(...times);
  if (label.startsWith('top by model')) topTotal += best;
  console.log(`  ${label}: ${best.toFixed(0)} ms (best of 5; ${rows} rows)`);
}
console.log(`  => a full top by model (its two queries): ${topTotal.toFixed(0)} ms`);
db.close();
if (dir) rmSync(dir, { recursive: true, force: true });

// ---- 3. the live path: 1,000 traces/s into a full 15-minute window ------------------------------
const live = new TopAggregator({ by: 'name', windowMs: WINDOW_MS, buckets: 60, maxTracked: 250_000 });
const RATE = 1_000;
const SECONDS = WINDOW_MS / 1000;
const summary = (i: number, atMs: number, update: number): TraceSummary => ({
  id: `l${i}`, timestamp: new Date(atMs).toISOString(), name: names[i % names.length]!, userId: `u${i % 1000}`, sessionId: null, tags: ['production'],
  environment: 'production', release: `r${i % 4}`, version: null, latency: 0.2 + (i % 3000) / 1000, totalCost: 0.001, inputTokens: 400, outputTokens: 60,
  totalTokens: 460, observationCount: update + 1, errorCount: i % 29 === 0 ? 1 : 0, warningCount: 0, scores: { groundedness: (i % 100) / 100 }, updatedAt: new Date(atMs).toISOString(),
});
// Fill the window: 15 minutes at 1,000 traces/s (each trace announced twice, as its observations arrive).
const start = Date.now() - WINDOW_MS;
started = performance.now();
let updates = 0;
for (let s = 0; s < SECONDS; s++) {
  for (let k = 0; k < RATE; k++) {
    const i = s * RATE + k;
    const at = start + s * 1000 + k;
    live.upsert(topRowFromTrace(summary(i, at, 0), 'name')!);
    live.upsert(topRowFromTrace(summary(i, at, 1), 'name')!);
    updates += 2;
  }
}
const fillMs = performance.now() - started;
// The same work without the summaries' construction: upserts of rows already built.
const rows = Array.from({ length: 100_000 }, (_, i) => topRowFromTrace(summary(i, start + WINDOW_MS - 60_000 + (i % 60_000), 1), 'name')!);
started = performance.now();
for (let pass = 0; pass < 5; pass++) for (const row of rows) live.upsert(row);
const upsertUs = ((performance.now() - started) * 1000) / (rows.length * 5);
started = performance.now();
for (let i = 0; i < 100_000; i++) topRowFromTrace(summary(i, start + i, 1), 'name');
const convertUs = ((performance.now() - started) * 1000) / 100_000;
const perUpdateUs = (fillMs * 1000) / updates;
const snapshots: number[] = [];
for (let run = 0; run < 20; run++) {
  started = performance.now();
  live.snapshot(Date.now());
  snapshots.push(performance.now() - started);
}
snapshots.sort((a, b) => a - b);
const heap = process.memoryUsage().heapUsed / 1024 / 1024;
console.log(`  live: ${updates.toLocaleString('en-US')} updates (${(RATE * SECONDS).toLocaleString('en-US')} traces) in ${(fillMs / 1000).toFixed(1)} s = ${perUpdateUs.toFixed(2)} µs per update`);
console.log(`  live: of which building the summary and its row ${convertUs.toFixed(2)} µs, the aggregator's upsert ${upsertUs.toFixed(2)} µs`);
console.log(`  live: at 1,000 traces/s (2 updates each) that is ${((perUpdateUs * 2 * RATE) / 10_000).toFixed(2)}% of one core`);
console.log(`  live: snapshot of a full window: p50 ${percentile(snapshots, 50).toFixed(2)} ms, max ${Math.max(...snapshots).toFixed(2)} ms (4 a second = ${((percentile(snapshots, 50) * 4) / 10).toFixed(1)}% of a core); heap ${heap.toFixed(0)} MB`);
