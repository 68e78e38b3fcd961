// Ingestion rate through POST /api/public/ingestion in batches of 100 observations, over real
// HTTP on loopback into a SQLite file (WAL), printed beside the raw node:sqlite upsert rate of
// the same rows measured in the same run (target: HTTP at least half the raw rate).
//   npm run bench:ingest            (BENCH_OBSERVATIONS, BENCH_CONCURRENCY to change the load)

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import type { StatementSync } from 'node:sqlite';
import { openDatabase } from '../src/server/db.js';
import type { ObservationRecord } from '../src/server/ingest/records.js';
import { putObservationFacts } from '../src/server/metrics/facts.js';
import { BENCH_AUTH, childServer } from './child-server.js';
import { machine, ragTraceEvents } from './common.js';

const totalObservations = Number(process.env.BENCH_OBSERVATIONS ?? 200_000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 4);

const dir = mkdtempSync(join(tmpdir(), 'tracetop-bench-'));

// 100 observations per batch: 20 traces × (1 trace + 5 observations); the trace-create
// events ride along, as an SDK sends them.
const batches: { events: { type: string; body: Record<string, unknown> }[]; text: string }[] = [];
const base = Date.now() - 3_600_000;
for (let trace = 0; batches.length * 100 < totalObservations; ) {
  const batch: { type: string; body: Record<string, unknown> }[] = [];
  for (let i = 0; i < 20; i++, trace++) batch.push(...(ragTraceEvents(trace, base) as typeof batch));
  batches.push({ events: batch, text: JSON.stringify({ batch }) });
}
const observations = batches.length * 100;

/** The same rows the server writes, upserted straight into the same schema: per event its
 * dedup claim (`ingested_events`) and its change-log row (`changes`); per observation its row
 * and its metrics row (`observation_facts`, through the server's own putObservationFacts, a
 * batch's rows at its end as the server writes them); per trace its row and a change-log row. One transaction per batch, prepared statements, JSON
 * bodies: the floor of what storing them costs. Not included: validation, merging, savepoints. */
function rawUpserts(name: string): { rate: number; cpuRate: number } {
  const db = openDatabase(join(dir, name));
  const statements = new Map<string, StatementSync>();
  const prepare = (sql: string) => statements.get(sql) ?? statements.set(sql, db.prepare(sql)).get(sql)!;
  const claim = db.prepare('INSERT OR IGNORE INTO ingested_events (id) VALUES (?)');
  const change = db.prepare('INSERT INTO changes (kind, entity_id, trace_id, at_ms) VALUES (?,?,?,?)');
  const trace = db.prepare(
    `INSERT INTO traces (id, ts_ms, name, user_id, session_id, environment, body, updated_ms) VALUES (?,?,?,?,?,?,?,?)
     ON CONFLICT(id) DO UPDATE SET ts_ms=excluded.ts_ms, name=excluded.name, user_id=excluded.user_id, session_id=excluded.session_id, body=excluded.body, updated_ms=excluded.updated_ms`,
  );
  const observation = db.prepare(
    `INSERT INTO observations (id, trace_id, type, name, level, environment, start_ms, end_ms, body) VALUES (?,?,?,?,?,?,?,?,?)
     ON CONFLICT(id) DO UPDATE SET trace_id=excluded.trace_id, type=excluded.type, name=excluded.name, start_ms=excluded.start_ms, end_ms=excluded.end_ms, body=excluded.body`,
  );
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  for (const { text } of batches) {
    const { batch } = JSON.parse(text) as { batch: { id: string; type: string; body: Record<string, string> }[] };
    const now = Date.now();
    const facts: Parameters<typeof putObservationFacts>[1] = [];
    const traces = new Map<string, Record<string, string>>();
    db.exec('BEGIN IMMEDIATE');
    for (const { id: eventId, type, body } of batch) {
      claim.run(eventId);
      const at = Date.parse(body.timestamp ?? body.startTime!);
      if (type === 'trace-create') {
        trace.run(body.id!, at, body.name!, body.userId!, body.sessionId!, 'default', JSON.stringify(body), now);
        change.run('trace', body.id!, body.id!, now);
        traces.set(body.id!, body);
      } else {
        const record = { ...body, type: type === 'generation-create' ? 'GENERATION' : type === 'event-create' ? 'EVENT' : 'SPAN', level: 'DEFAULT', environment: 'default' };
        observation.run(body.id!, body.traceId!, record.type, body.name!, 'DEFAULT', 'default', at, body.endTime ? Date.parse(body.endTime) : at, JSON.stringify(record));
        const trace = traces.get(body.traceId!);
        facts.push({
          record: { parentObservationId: null, version: null, model: null, promptName: null, promptVersion: null, completionStartTime: null, ...record } as unknown as ObservationRecord,
          trace: trace ? { name: trace.name!, userId: trace.userId!, sessionId: trace.sessionId!, release: null, version: null } : null,
        });
        change.run('observation', body.id!, body.traceId!, now);
      }
    }
    putObservationFacts(prepare, facts);
    db.exec('COMMIT');
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  db.close();
  return { rate: observations / seconds, cpuRate: observations / ((cpu.user + cpu.system) / 1e6) };
}

async function http(): Promise<{ rate: number; cpuRate: number; failures: number; seconds: number }> {
  // The server runs in its own process, as `tracetop serve` does: the clients' work is not counted.
  const server = await childServer();
  const agent = new Agent({ connections: concurrency, pipelining: 1 });
  let next = 0;
  let failures = 0;
  const cpuBefore = (await server.sample()).cpu;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < batches.length) {
        const body = batches[next++]!.text;
        const response = await request(`${server.url}/api/public/ingestion`, {
          method: 'POST',
          body,
          headers: { authorization: BENCH_AUTH, 'content-type': 'application/json' },
          dispatcher: agent,
        });
        const result = (await response.body.json()) as { errors: unknown[] };
        if (response.statusCode !== 207 || result.errors.length > 0) failures++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = (await server.sample()).cpu - cpuBefore;
  await agent.close();
  await server.stop();
  return { rate: observations / seconds, cpuRate: observations / cpu, failures, seconds };
}

// Raw before and after, so a machine busy with something else in between shows as a spread.
// Rates per CPU-second (the server process's, the raw loop's) hold steadier than wall-clock
// rates on a shared machine.
const rawBefore = rawUpserts('raw-1.db');
const viaHttp = await http();
const rawAfter = rawUpserts('raw-2.db');
const raw = (rawBefore.rate + rawAfter.rate) / 2;
const rawCpu = (rawBefore.cpuRate + rawAfter.cpuRate) / 2;
const n = (value: number) => Math.round(value).toLocaleString();
console.log(`machine: ${machine()}`);
console.log(`ingested ${observations.toLocaleString()} observations (+${(observations / 5).toLocaleString()} traces) in ${batches.length.toLocaleString()} batches of 100, ${concurrency} concurrent clients; server in its own process`);
console.log(`HTTP ingestion: ${viaHttp.seconds.toFixed(2)} s → ${n(viaHttp.rate)} observations/s, ${n(viaHttp.cpuRate)} per server CPU-second; failed batches: ${viaHttp.failures}`);
console.log(`raw node:sqlite upserts of the same rows (one transaction per batch; per event its dedup claim and change-log row, per observation its row and its observation_facts metrics row, per trace its row): ${n(raw)} observations/s (before ${n(rawBefore.rate)}, after ${n(rawAfter.rate)}), ${n(rawCpu)} per CPU-second`);
console.log(`HTTP / raw = ${(viaHttp.rate / raw).toFixed(2)} wall-clock, ${(viaHttp.cpuRate / rawCpu).toFixed(2)} per CPU-second (target ≥ 0.50)`);
rmSync(dir, { recursive: true, force: true });
