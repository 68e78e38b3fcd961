// Ingestion rate through POST /api/public/ingestion in batches of 100 observations, over real
// HTTP on loopback into a SQLite file (WAL). Target: ≥ 20,000 observations/s.
//   npm run bench:ingest

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { startServer } from '../src/server/index.js';
import { machine, ragTraceEvents } from './common.js';

const keys = { publicKey: 'pk-lf-bench', secretKey: 'sk-lf-bench' };
const auth = `Basic ${Buffer.from(`${keys.publicKey}:${keys.secretKey}`).toString('base64')}`;
const totalObservations = Number(process.env.BENCH_OBSERVATIONS ?? 200_000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 4);

const dir = mkdtempSync(join(tmpdir(), 'tracetop-bench-'));
const server = await startServer({ dbPath: join(dir, 'bench.db'), port: 0, ...keys });
const agent = new Agent({ connections: concurrency, pipelining: 1 });

// 100 observations per batch: 20 traces × (1 trace + 5 observations); the trace-create
// events ride along, as an SDK sends them.
const batches: string[] = [];
const base = Date.now() - 3_600_000;
for (let trace = 0; batches.length * 100 < totalObservations; ) {
  const batch: unknown[] = [];
  for (let i = 0; i < 20; i++, trace++) batch.push(...ragTraceEvents(trace, base));
  batches.push(JSON.stringify({ batch }));
}

let next = 0;
let failures = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < batches.length) {
      const body = batches[next++]!;
      const response = await request(`${server.url}/api/public/ingestion`, {
        method: 'POST',
        body,
        headers: { authorization: auth, 'content-type': 'application/json' },
        dispatcher: agent,
      });
      const result = (await response.body.json()) as { errors: unknown[] };
      if (response.statusCode !== 207 || result.errors.length > 0) failures++;
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
const observations = batches.length * 100;
console.log(`machine: ${machine()}`);
console.log(`ingested ${observations.toLocaleString()} observations (+${(observations / 5).toLocaleString()} traces) in ${batches.length.toLocaleString()} batches of 100, ${concurrency} concurrent clients`);
console.log(`time ${seconds.toFixed(2)} s → ${Math.round(observations / seconds).toLocaleString()} observations/s (target ≥ 20,000); failed batches: ${failures}`);
await agent.close();
await server.close();
rmSync(dir, { recursive: true, force: true });
