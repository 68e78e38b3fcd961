// The views of Langfuse's metrics API over our SQLite schema: which dimensions a query may
// group or filter by, which measures it may aggregate, and the SQL for each (reference §5).
// Observations read the `observation_facts` projection (f) joined to their trace (t); scores
// read `scores` (s) joined to their trace and observation; traces read `traces` (t).

export type DimensionType = 'string' | 'stringOptions' | 'number' | 'arrayOptions' | 'boolean';

export interface Dimension {
  sql: string;
  type: DimensionType;
  /** v2 refuses to group by it without row_limit + orderBy desc (and with a time dimension). */
  highCardinality?: boolean;
  /** The value is a JSON array (tags): parsed before it is returned. */
  json?: boolean;
  only?: 'v1' | 'v2';
}

export interface Measure {
  /** Per-row value; null rows are left out of every aggregation but count(*) of `count`. */
  sql: string;
  type: 'number' | 'string';
  only?: 'v1' | 'v2';
}

export interface MetricsView {
  from: string;
  /** The base table's rowid (percentiles sample by it on big windows). */
  rowid: string;
  /** The FROM without joins, used when no part of a query reads a joined table. */
  bareFrom?: string;
  /** Always-on conditions (e.g. the score data types of a score view). */
  where: string[];
  /** Epoch ms of the row's time, the column fromTimestamp/toTimestamp bound. */
  time: string;
  /** The filterable name of the time column. */
  timeField: string;
  /** The trace id expression (tag filters and the tags dimension). */
  traceId: string;
  /** The JSON body of the row, for `metadata` filters. */
  body: string;
  dimensions: Record<string, Dimension>;
  measures: Record<string, Measure>;
  only?: 'v1';
}

const TAGS = (traceId: string): Dimension => ({
  sql: `(SELECT json_group_array(tag) FROM (SELECT tag FROM trace_tags WHERE trace_id = ${traceId} ORDER BY tag))`,
  type: 'arrayOptions',
  json: true,
});
const month = (ms: string) => `strftime('%Y-%m', ${ms} / 1000, 'unixepoch')`;
const day = (ms: string) => `strftime('%Y-%m-%d', ${ms} / 1000, 'unixepoch')`;
const EMPTY: Dimension = { sql: `''`, type: 'stringOptions', only: 'v2' };

const OBSERVATIONS: MetricsView = {
  from: 'observation_facts f LEFT JOIN traces t ON t.id = f.trace_id',
  bareFrom: 'observation_facts f',
  rowid: 'f.rowid',
  where: [],
  time: 'f.start_ms',
  timeField: 'startTime',
  traceId: 'f.trace_id',
  body: '(SELECT ob.body FROM observations ob WHERE ob.id = f.id)',
  dimensions: {
    id: { sql: 'f.id', type: 'string', highCardinality: true },
    traceId: { sql: 'f.trace_id', type: 'string', highCardinality: true },
    traceName: { sql: 'f.trace_name', type: 'stringOptions' },
    environment: { sql: 'f.environment', type: 'stringOptions' },
    parentObservationId: { sql: 'f.parent_id', type: 'string', highCardinality: true },
    type: { sql: 'f.type', type: 'stringOptions' },
    name: { sql: 'f.name', type: 'stringOptions' },
    level: { sql: 'f.level', type: 'stringOptions' },
    version: { sql: 'f.version', type: 'string' },
    tags: TAGS('f.trace_id'),
    providedModelName: { sql: 'f.model', type: 'stringOptions' },
    promptName: { sql: 'f.prompt_name', type: 'stringOptions' },
    promptVersion: { sql: 'f.prompt_version', type: 'number' },
    userId: { sql: 'f.user_id', type: 'string', highCardinality: true },
    sessionId: { sql: 'f.session_id', type: 'string', highCardinality: true },
    traceRelease: { sql: 'f.trace_release', type: 'string' },
    traceVersion: { sql: 'f.trace_version', type: 'string' },
    startTimeMonth: { sql: month('f.start_ms'), type: 'string' },
    isRootObservation: { sql: '(f.parent_id IS NULL)', type: 'boolean', only: 'v2' },
    release: { sql: 'coalesce(f.release, f.trace_release)', type: 'string', only: 'v2' },
    experimentName: { ...EMPTY, highCardinality: true },
    experimentDatasetId: { ...EMPTY, highCardinality: true },
    experimentId: { ...EMPTY, highCardinality: true },
  },
  measures: {
    count: { sql: '1', type: 'number' },
    latency: { sql: '(f.end_ms - f.start_ms)', type: 'number' },
    streamingLatency: { sql: '(f.end_ms - f.completion_start_ms)', type: 'number' },
    inputTokens: { sql: 'f.input_tokens', type: 'number' },
    outputTokens: { sql: 'f.output_tokens', type: 'number' },
    totalTokens: { sql: 'f.total_tokens', type: 'number' },
    outputTokensPerSecond: { sql: '(f.output_tokens / nullif((f.end_ms - f.start_ms) / 1000.0, 0))', type: 'number' },
    tokensPerSecond: { sql: '(f.total_tokens / nullif((f.end_ms - f.start_ms) / 1000.0, 0))', type: 'number' },
    inputCost: { sql: 'f.input_cost', type: 'number' },
    outputCost: { sql: 'f.output_cost', type: 'number' },
    totalCost: { sql: 'f.total_cost', type: 'number' },
    timeToFirstToken: { sql: '(f.completion_start_ms - f.start_ms)', type: 'number' },
    countScores: { sql: '(SELECT count(*) FROM scores cs WHERE cs.observation_id = f.id)', type: 'number' },
    traceId: { sql: 'f.trace_id', type: 'string', only: 'v2' },
    uniqueUserIds: { sql: 'f.user_id', type: 'string', only: 'v2' },
    uniqueSessionIds: { sql: 'f.session_id', type: 'string', only: 'v2' },
  },
};

const TRACES: MetricsView = {
  from: 'traces t',
  rowid: 't.rowid',
  where: [],
  time: 't.ts_ms',
  timeField: 'timestamp',
  traceId: 't.id',
  body: 't.body',
  only: 'v1',
  dimensions: {
    id: { sql: 't.id', type: 'string', highCardinality: true },
    name: { sql: 't.name', type: 'stringOptions' },
    tags: TAGS('t.id'),
    userId: { sql: 't.user_id', type: 'string', highCardinality: true },
    sessionId: { sql: 't.session_id', type: 'string', highCardinality: true },
    release: { sql: 't.release', type: 'string' },
    version: { sql: 't.version', type: 'string' },
    environment: { sql: 't.environment', type: 'stringOptions' },
    timestampMonth: { sql: month('t.ts_ms'), type: 'string' },
  },
  measures: {
    count: { sql: '1', type: 'number' },
    observationsCount: { sql: 't.obs_count', type: 'number' },
    scoresCount: { sql: '(SELECT count(*) FROM scores cs WHERE cs.trace_id = t.id)', type: 'number' },
    uniqueUserIds: { sql: 't.user_id', type: 'string' },
    uniqueSessionIds: { sql: 't.session_id', type: 'string' },
    latency: { sql: '(t.end_max_ms - t.start_min_ms)', type: 'number' },
    totalTokens: { sql: 't.total_tokens', type: 'number' },
    totalCost: { sql: 't.total_cost', type: 'number' },
  },
};

function scoreView(dataTypes: string[], value: Record<string, Dimension>, measures: Record<string, Measure>): MetricsView {
  return {
    from: 'scores s LEFT JOIN traces t ON t.id = s.trace_id LEFT JOIN observation_facts f ON f.id = s.observation_id',
    rowid: 's.rowid',
    where: [`s.data_type IN (${dataTypes.map((type) => `'${type}'`).join(',')})`],
    time: 's.ts_ms',
    timeField: 'timestamp',
    traceId: 's.trace_id',
    body: 's.body',
    dimensions: {
      id: { sql: 's.id', type: 'string', highCardinality: true },
      environment: { sql: 's.environment', type: 'stringOptions' },
      name: { sql: 's.name', type: 'stringOptions' },
      evaluatorId: { sql: 'NULL', type: 'stringOptions', highCardinality: true },
      source: { sql: 's.source', type: 'stringOptions' },
      dataType: { sql: 's.data_type', type: 'stringOptions' },
      traceId: { sql: 's.trace_id', type: 'string', highCardinality: true },
      observationId: { sql: 's.observation_id', type: 'string', highCardinality: true },
      sessionId: { sql: 'coalesce(s.session_id, t.session_id)', type: 'string', highCardinality: true },
      userId: { sql: 't.user_id', type: 'string', highCardinality: true },
      configId: { sql: 's.config_id', type: 'string' },
      timestampMonth: { sql: month('s.ts_ms'), type: 'string' },
      timestampDay: { sql: day('s.ts_ms'), type: 'string' },
      traceName: { sql: 't.name', type: 'stringOptions' },
      tags: TAGS('s.trace_id'),
      traceRelease: { sql: 't.release', type: 'string' },
      traceVersion: { sql: 't.version', type: 'string' },
      observationName: { sql: 'f.name', type: 'stringOptions' },
      observationModelName: { sql: 'f.model', type: 'stringOptions' },
      observationPromptName: { sql: 'f.prompt_name', type: 'stringOptions' },
      observationPromptVersion: { sql: 'f.prompt_version', type: 'number' },
      datasetRunId: { sql: `json_extract(s.body, '$.datasetRunId')`, type: 'string', highCardinality: true, only: 'v2' },
      experimentName: { ...EMPTY, highCardinality: true },
      experimentId: { ...EMPTY, highCardinality: true },
      ...value,
    },
    measures: { count: { sql: '1', type: 'number' }, ...measures },
  };
}

const VALUE: Measure = { sql: 's.value', type: 'number' };

export const METRICS_VIEWS: Record<string, MetricsView> = {
  traces: TRACES,
  observations: OBSERVATIONS,
  'scores-numeric': scoreView(['NUMERIC', 'BOOLEAN'], { value: { sql: 's.value', type: 'number' } }, { value: VALUE }),
  'scores-boolean': scoreView(['BOOLEAN'], { booleanValue: { sql: '(s.value = 1)', type: 'boolean' } }, { value: VALUE }),
  'scores-categorical': scoreView(['CATEGORICAL'], { stringValue: { sql: `json_extract(s.body, '$.stringValue')`, type: 'stringOptions' } }, {}),
};

export const availableIn = (item: { only?: 'v1' | 'v2' }, version: 'v1' | 'v2'): boolean => !item.only || item.only === version;
