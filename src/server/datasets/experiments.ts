// Experiments as Langfuse v4 keeps them: not dataset run items, but spans the SDK's experiment
// runner marks with `langfuse.experiment.*` attributes (the trace ↔ experiment link of the
// events table). Recorded as OTLP arrives; read by GET /experiments and /experiment-items.

import type { OtlpAttributes, OtlpExportRequest } from '../otlp/types.js';
import type { ScoreRecord } from '../ingest/records.js';
import { inTransaction, type Database } from '../db.js';
import { scoreV3 } from '../views.js';
import { DatasetStore } from './repository.js';

const ATTR = {
  id: 'langfuse.experiment.id',
  name: 'langfuse.experiment.name',
  description: 'langfuse.experiment.description',
  metadata: 'langfuse.experiment.metadata',
  datasetId: 'langfuse.experiment.dataset.id',
  itemId: 'langfuse.experiment.item.id',
  expectedOutput: 'langfuse.experiment.item.expected_output',
  itemMetadata: 'langfuse.experiment.item.metadata',
  rootSpanId: 'langfuse.experiment.item.root_observation_id',
} as const;

/** Bounds on what one span may carry into the table (ids, names). */
const MAX_ID = 255;

interface SpanBody {
  description: string | null;
  expectedOutput: unknown;
  metadata: Record<string, unknown> | null;
  itemMetadata: Record<string, unknown> | null;
}

const text = (value: unknown): string | null => (typeof value === 'string' && value.length > 0 ? value : null);

function json(value: unknown): unknown {
  if (typeof value !== 'string') return value ?? null;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function record(value: unknown): Record<string, unknown> | null {
  const parsed = json(value);
  return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
}

/** Stores the experiment link of every span that carries one; other spans are ignored. */
export function recordExperimentSpans(db: Database, request: OtlpExportRequest): number {
  const store = DatasetStore.of(db);
  const upsert = store.prepare(
    `INSERT INTO experiment_spans (span_id, trace_id, experiment_id, experiment_name, item_id, root_span_id, dataset_id, body)
     VALUES (?,?,?,?,?,?,?,?)
     ON CONFLICT(span_id) DO UPDATE SET trace_id = excluded.trace_id, experiment_id = excluded.experiment_id,
       experiment_name = excluded.experiment_name, item_id = excluded.item_id, root_span_id = excluded.root_span_id,
       dataset_id = excluded.dataset_id, body = excluded.body`,
  );
  const rows: [string, string, string, string, string, string | null, string | null, string][] = [];
  for (const resource of request.resourceSpans) {
    for (const scope of resource.scopeSpans) {
      for (const span of scope.spans) {
        const attributes: OtlpAttributes = span.attributes;
        const experimentId = text(attributes[ATTR.id]);
        const itemId = text(attributes[ATTR.itemId]);
        if (!experimentId || !itemId || experimentId.length > MAX_ID || itemId.length > MAX_ID) continue;
        const body: SpanBody = {
          description: text(attributes[ATTR.description]),
          expectedOutput: json(attributes[ATTR.expectedOutput]),
          metadata: record(attributes[ATTR.metadata]),
          itemMetadata: record(attributes[ATTR.itemMetadata]),
        };
        rows.push([
          span.spanId,
          span.traceId,
          experimentId,
          text(attributes[ATTR.name]) ?? experimentId,
          itemId,
          text(attributes[ATTR.rootSpanId]),
          text(attributes[ATTR.datasetId]),
          JSON.stringify(body),
        ]);
      }
    }
  }
  // One transaction per export: a commit per span would cost a sync each.
  const write = () => rows.forEach((row) => upsert.run(...row));
  if (rows.length > 0) {
    if (db.isTransaction) write();
    else inTransaction(db, write);
  }
  return rows.length;
}

type Row = Record<string, unknown>;

const EMBEDDED_GROUPS = new Set(['details', 'annotation']);

/** Scores in the v3 read shape with details and annotation, as the experiments endpoints embed them. */
export const experimentScore = (record: ScoreRecord) => scoreV3(record, EMBEDDED_GROUPS);

/** Scores attached to these dataset runs / experiments, by run id, name-sorted. */
export function runScores(db: Database, runIds: string[]): Map<string, ScoreRecord[]> {
  const result = new Map<string, ScoreRecord[]>();
  if (runIds.length === 0) return result;
  const store = DatasetStore.of(db);
  for (let start = 0; start < runIds.length; start += 500) {
    const chunk = runIds.slice(start, start + 500);
    const rows = store
      .prepare(
        `SELECT body FROM scores WHERE json_extract(body, '$.datasetRunId') IN (${chunk.map(() => '?').join(',')})
         ORDER BY name ASC, ts_ms DESC`,
      )
      .all(...chunk) as Row[];
    for (const row of rows) {
      const score = JSON.parse(row.body as string) as ScoreRecord;
      const list = result.get(score.datasetRunId!) ?? [];
      list.push(score);
      result.set(score.datasetRunId!, list);
    }
  }
  return result;
}

/** Scores on these observations or on their traces (trace-level: no observation). */
export function itemScores(db: Database, items: { traceId: string; spanId: string }[]): Map<string, ScoreRecord[]> {
  const result = new Map<string, ScoreRecord[]>();
  const store = DatasetStore.of(db);
  const byTrace = store.prepare('SELECT body FROM scores WHERE trace_id = ? ORDER BY ts_ms DESC, id DESC');
  for (const item of items) {
    const rows = byTrace.all(item.traceId) as Row[];
    const scores = rows
      .map((row) => JSON.parse(row.body as string) as ScoreRecord)
      .filter((score) => score.observationId === null || score.observationId === item.spanId)
      .filter((score) => score.dataType !== 'CORRECTION');
    result.set(item.spanId, scores);
  }
  return result;
}
