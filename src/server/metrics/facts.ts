// Writes an observation's row of the metrics projection (`observation_facts`, schema.ts) from
// the records ingestion already holds in memory: no JSON body is parsed again, no trace row is
// read. Ingestion writes a batch's rows once, after its traces (so a new trace's insert
// trigger finds none to update), several rows per statement.

import type { StatementSync } from 'node:sqlite';
import type { ObservationRecord, TraceRecord } from '../ingest/records.js';

const COLUMNS = `id, trace_id, parent_id, type, name, level, environment, version, release, start_ms, end_ms,
    completion_start_ms, model, prompt_name, prompt_version, input_tokens, output_tokens, total_tokens, input_cost, output_cost, total_cost,
    trace_name, user_id, session_id, trace_release, trace_version`;
const ROW = `(${Array(26).fill('?').join(',')})`;
const UPSERT_TAIL = `ON CONFLICT(id) DO UPDATE SET trace_id=excluded.trace_id, parent_id=excluded.parent_id, type=excluded.type, name=excluded.name,
    level=excluded.level, environment=excluded.environment, version=excluded.version, release=excluded.release, start_ms=excluded.start_ms,
    end_ms=excluded.end_ms, completion_start_ms=excluded.completion_start_ms, model=excluded.model, prompt_name=excluded.prompt_name,
    prompt_version=excluded.prompt_version, input_tokens=excluded.input_tokens, output_tokens=excluded.output_tokens,
    total_tokens=excluded.total_tokens, input_cost=excluded.input_cost, output_cost=excluded.output_cost, total_cost=excluded.total_cost,
    trace_name=excluded.trace_name, user_id=excluded.user_id, session_id=excluded.session_id, trace_release=excluded.trace_release,
    trace_version=excluded.trace_version`;
/** Rows per statement: one statement per chunk, its SQL prepared once per chunk length. */
const CHUNK = 100;
const upsert = (rows: number) => `INSERT INTO observation_facts (${COLUMNS}) VALUES ${Array(rows).fill(ROW).join(',')} ${UPSERT_TAIL}`;

const finite = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/** The columns `observations` and `observation_facts` share, in their order in both tables. */
export const observationKeyValues = (record: ObservationRecord) =>
  [record.id, record.traceId, record.parentObservationId, record.type, record.name, record.level, record.environment, record.version] as const;

/** The trace fields a metrics row carries (its trace's row as stored), null when there is none. */
export type FactsTrace = Pick<TraceRecord, 'name' | 'userId' | 'sessionId' | 'release' | 'version'> | null;

function factValues(record: ObservationRecord, trace: FactsTrace): (string | number | null)[] {
  const start = Date.parse(record.startTime);
  const end = record.endTime ? Math.max(start, Date.parse(record.endTime)) : null;
  const completion = record.completionStartTime ? Date.parse(record.completionStartTime) : null;
  const usage = record.usageDetails ?? {};
  const cost = record.costDetails ?? {};
  const input = finite(usage.input) ?? 0;
  const output = finite(usage.output) ?? 0;
  return [
    ...observationKeyValues(record),
    record.release ?? null,
    start,
    end !== null && Number.isFinite(end) ? end : null,
    completion !== null && Number.isFinite(completion) ? completion : null,
    record.model,
    record.promptName,
    record.promptVersion === null || record.promptVersion === undefined ? null : Math.trunc(record.promptVersion),
    input,
    output,
    finite(usage.total) ?? input + output,
    finite(cost.input),
    finite(cost.output),
    finite(cost.total),
    trace?.name ?? null,
    trace?.userId ?? null,
    trace?.sessionId ?? null,
    trace?.release ?? null,
    trace?.version ?? null,
  ];
}

/** Upserts the metrics rows of `rows` (distinct observation ids), a chunk per statement. */
export function putObservationFacts(prepare: (sql: string) => StatementSync, rows: { record: ObservationRecord; trace: FactsTrace }[]): void {
  for (let offset = 0; offset < rows.length; offset += CHUNK) {
    const chunk = rows.slice(offset, offset + CHUNK);
    prepare(upsert(chunk.length)).run(...chunk.flatMap(({ record, trace }) => factValues(record, trace)));
  }
}
