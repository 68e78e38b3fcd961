// GET /api/public/traces with a tag + user filter over 1,000,000 stored observations
// (200,000 traces), over real HTTP on loopback. Target: p95 ≤ 20 ms.
//   npm run bench:list

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
const traces = Number(process.env.BENCH_TRACES ?? 200_000);
const queries = Number(process.env.BENCH_QUERIES ?? 300);

const dir = mkdtempSync(join(tmpdir(), 'tracetop-bench-'));
const server = await startServer({ dbPath: join(dir, 'bench.db'), port: 0, ...keys });
const repo = new Repository(server.db);
const loadStart = performance.now();
const base = Date.now() - 86_400_000;
for (let trace = 0; trace < traces; ) {
  const batch: unknown[] = [];
  for (let i = 0; i < 200 && trace < traces; i++, trace++) batch.push(...ragTraceEvents(trace, base));
  applyIngestionBatch(repo, batch);
}
const loadSeconds = (performance.now() - loadStart) / 1000;
server.db.exec('ANALYZE');

const agent = new Agent({ connections: 1 });
const timings: number[] = [];
let rows = 0;
for (let i = 0; i < queries; i++) {
  const user = `u_${(i * 7) % 100}`;
  const tag = i % 2 === 0 ? 'production' : 'rag';
  const page = 1 + (i % 3);
  const started = performance.now();
  const response = await request(`${server.url}/api/public/traces?userId=${user}&tags=${tag}&limit=50&page=${page}`, {
    headers: { authorization: auth },
    dispatcher: agent,
  });
  const body = (await response.body.json()) as { data: unknown[] };
  timings.push(performance.now() - started);
  rows += body.data.length;
  if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}`);
}
timings.sort((a, b) => a - b);
console.log(`machine: ${machine()}`);
console.log(`stored ${traces.toLocaleString()} traces / ${(traces * 5).toLocaleString()} observations in ${loadSeconds.toFixed(1)} s (in-process apply)`);
console.log(`GET /traces?userId&tags&limit=50 × ${queries} (${Math.round(rows / queries)} rows each, full default fields): p50 ${percentile(timings, 50).toFixed(2)} ms, p95 ${percentile(timings, 95).toFixed(2)} ms, max ${timings[timings.length - 1]!.toFixed(2)} ms (target p95 ≤ 20 ms)`);
await agent.close();
await server.close();
rmSync(dir, { recursive: true, force: true });
