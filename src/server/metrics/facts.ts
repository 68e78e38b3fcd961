// Writes an observation's row of the metrics projection (`observation_facts`, schema.ts) from
// the record ingestion already holds in memory: no JSON body is parsed again. Called by the
// repository right after it stores the observation; the trace's fields are read by id.

import type { StatementSync } from 'node:sqlite';
import type { ObservationRecord } from '../ingest/records.js';

// `WHERE true`: an INSERT … SELECT with a join needs it before ON CONFLICT (SQLite's parsing rule).
const UPSERT = `INSERT INTO observation_facts (id, trace_id, parent_id, type, name, level, environment, version, release, start_ms, end_ms,
    completion_start_ms, model, prompt_name, prompt_version, input_tokens, output_tokens, total_tokens, input_cost, output_cost, total_cost,
    trace_name, user_id, session_id, trace_release, trace_version)
  SELECT ?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?, tr.name, tr.user_id, tr.session_id, tr.release, tr.version
  FROM (SELECT 1) LEFT JOIN traces tr ON tr.id = ? WHERE true
  ON CONFLICT(id) DO UPDATE SET trace_id=excluded.trace_id, parent_id=excluded.parent_id, type=excluded.type, name=excluded.name,
    level=excluded.level, environment=excluded.environment, version=excluded.version, release=excluded.release, start_ms=excluded.start_ms,
    end_ms=excluded.end_ms, completion_start_ms=excluded.completion_start_ms, model=excluded.model, prompt_name=excluded.prompt_name,
    prompt_version=excluded.prompt_version, input_tokens=excluded.input_tokens, output_tokens=excluded.output_tokens,
    total_tokens=excluded.total_tokens, input_cost=excluded.input_cost, output_cost=excluded.output_cost, total_cost=excluded.total_cost,
    trace_name=excluded.trace_name, user_id=excluded.user_id, session_id=excluded.session_id, trace_release=excluded.trace_release,
    trace_version=excluded.trace_version`;

const finite = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

export function putObservationFacts(prepare: (sql: string) => StatementSync, record: ObservationRecord): void {
  const start = Date.parse(record.startTime);
  const end = record.endTime ? Math.max(start, Date.parse(record.endTime)) : null;
  const completion = record.completionStartTime ? Date.parse(record.completionStartTime) : null;
  const usage = record.usageDetails ?? {};
  const cost = record.costDetails ?? {};
  const input = finite(usage.input) ?? 0;
  const output = finite(usage.output) ?? 0;
  prepare(UPSERT).run(
    record.id,
    record.traceId,
    record.parentObservationId,
    record.type,
    record.name,
    record.level,
    record.environment,
    record.version,
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
    record.traceId,
  );
}
