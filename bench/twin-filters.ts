// The strict twin's `filter` parameter over a large store: v1 GET /traces with score, level,
// tag and metadata conditions, and GET /v2/observations with tag, root and latency conditions,
// over real HTTP on loopback. Prints p50/p95 per query shape.
//   npm run bench:filters            (BENCH_TRACES=20000 by default: 120,000 observations)

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { startServer } from '../src/server/index.js';
import { applyIngestionBatch } from '../src/server/ingest/apply.js';
import { Repository } from '../src/server/repository.js';
import { machine, percentile, ragTraceEvents } from './common.js';

const keys = { publicKey: 'pk-lf-bench', secretKey: 'sk-lf-bench' };
const auth = `Basic ${Buffer.from(`${keys.publicKey}:${keys.secretKey}`).toString('base64')}`;
const traces = Number(process.env.BENCH_TRACES ?? 20_000);
const runs = Number(process.env.BENCH_QUERIES ?? 30);

const dir = mkdtempSync(join(tmpdir(), 'tracetop-bench-'));
const server = await startServer({ dbPath: join(dir, 'bench.db'), port: 0, ...keys });
const repo = new Repository(server.db);
const base = Date.now() - 3_600_000;
const loadStart = performance.now();
for (let trace = 0; trace < traces; ) {
  const batch: unknown[] = [];
  for (let i = 0; i < 200 && trace < traces; i++, trace++) {
    batch.push(...ragTraceEvents(trace, base));
    batch.push({ id: `sc-${trace}`, type: 'score-create', timestamp: new Date(base).toISOString(), body: { id: `sc-${trace}`, traceId: `bt-${trace}`, name: 'helpfulness', value: (trace % 100) / 100 } });
    if (trace % 3 === 0) {
      batch.push({ id: `sk-${trace}`, type: 'score-create', timestamp: new Date(base).toISOString(), body: { id: `sk-${trace}`, traceId: `bt-${trace}`, name: 'sentiment', value: trace % 2 ? 'negative' : 'positive', dataType: 'CATEGORICAL' } });
    }
  }
  applyIngestionBatch(repo, batch);
}
const loadSeconds = (performance.now() - loadStart) / 1000;
server.db.exec('ANALYZE');

const filter = (conditions: unknown[]) => `filter=${encodeURIComponent(JSON.stringify(conditions))}`;
const since = encodeURIComponent(new Date(base - 60_000).toISOString());
const shapes: [string, string][] = [
  ['v1 /traces (no filter)', `/api/public/traces?limit=100&fromTimestamp=${since}`],
  ['v1 /traces scores_avg helpfulness < 0.1', `/api/public/traces?limit=100&fromTimestamp=${since}&${filter([{ type: 'numberObject', column: 'scores_avg', key: 'helpfulness', operator: '<', value: 0.1 }])}`],
  ['v1 /traces score_categories sentiment=negative', `/api/public/traces?limit=100&fromTimestamp=${since}&${filter([{ type: 'categoryOptions', column: 'score_categories', key: 'sentiment', operator: 'any of', value: ['negative'] }])}`],
  ['v1 /traces level any of ERROR', `/api/public/traces?limit=100&fromTimestamp=${since}&${filter([{ type: 'stringOptions', column: 'level', operator: 'any of', value: ['ERROR'] }])}`],
  ['v1 /traces tags any of production + latency > 0.05', `/api/public/traces?limit=100&fromTimestamp=${since}&${filter([{ type: 'arrayOptions', column: 'tags', operator: 'any of', value: ['production'] }, { type: 'number', column: 'latency', operator: '>', value: 0.05 }])}`],
  ['v1 /traces metadata region = eu', `/api/public/traces?limit=100&fromTimestamp=${since}&${filter([{ type: 'stringObject', column: 'metadata', key: 'region', operator: '=', value: 'eu' }])}`],
  ['v2 /observations roots, tags production', `/api/public/v2/observations?limit=1000&fromStartTime=${since}&fields=core,basic,trace_context&isRootObservation=true&${filter([{ type: 'arrayOptions', column: 'tags', operator: 'any of', value: ['production'] }])}`],
  ['v2 /observations latency > 0.01, model', `/api/public/v2/observations?limit=1000&fromStartTime=${since}&${filter([{ type: 'number', column: 'latency', operator: '>', value: 0.01 }, { type: 'stringOptions', column: 'model', operator: 'any of', value: ['gpt-4o-mini'] }])}`],
];

const agent = new Agent({ connections: 1 });
console.log(`machine: ${machine()}`);
console.log(`stored ${traces.toLocaleString()} traces / ${(traces * 5).toLocaleString()} observations / ${Math.round(traces * 1.33).toLocaleString()} scores in ${loadSeconds.toFixed(1)} s`);
for (const [name, path] of shapes) {
  const timings: number[] = [];
  let rows = 0;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const response = await request(`${server.url}${path}`, { headers: { authorization: auth }, dispatcher: agent });
    const body = (await response.body.json()) as { data: unknown[] };
    timings.push(performance.now() - started);
    if (response.statusCode !== 200) throw new Error(`${name}: status ${response.statusCode} ${JSON.stringify(body)}`);
    rows = body.data.length;
  }
  timings.sort((a, b) => a - b);
  console.log(`${name}: ${rows} rows, p50 ${percentile(timings, 50).toFixed(1)} ms, p95 ${percentile(timings, 95).toFixed(1)} ms`);
}
await agent.close();
await server.close();
rmSync(dir, { recursive: true, force: true });
