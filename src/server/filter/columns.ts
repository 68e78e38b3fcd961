// The columns a `filter` condition may name, per table, as Langfuse maps them
// (mapTracesTable.ts for v1 GET /traces, mapEventsTable.ts for GET /v2/observations, the scores
// table for score reads), each with its filter type and the SQL that reads it from our SQLite
// schema. A column matches by id, alias or display name, case-sensitively.

export type ColumnType =
  | 'string'
  | 'stringOptions'
  | 'arrayOptions'
  | 'number'
  | 'datetime'
  | 'boolean'
  | 'stringObject'
  | 'numberObject'
  | 'booleanObject'
  | 'categoryOptions';

/** How a column is read in SQL. */
export type ColumnSql =
  /** A scalar expression: text, a number, epoch ms (datetime) or 0/1 (boolean). */
  | { kind: 'scalar'; expr: string }
  /** The trace's tags, through trace_tags; `traceId` is the trace id expression. */
  | { kind: 'tags'; traceId: string }
  /** An array that is always empty here (tool names: not stored). */
  | { kind: 'emptyArray' }
  /** `metadata` of a JSON body column. */
  | { kind: 'metadata'; body: string }
  /** Scores of the trace: numeric ("any score with that name"), categorical (`name:value`), boolean. */
  | { kind: 'scoreNumber' | 'scoreCategory' | 'scoreBoolean'; traceId: string };

export interface Column {
  id: string;
  /** The UI display name, which also matches. */
  name: string;
  aliases?: string[];
  type: ColumnType;
  /** Columns with the same field are one column (the simple parameter a filter overrides). */
  field?: string;
  sql: ColumnSql;
  /** `matches` (full-text) is allowed here: input, output, metadata of the events table. */
  fullText?: boolean;
  /** Only `string` filters with `=` or `matches` (input/output of the events table). */
  textOnly?: boolean;
}

/** Which filter types a column of each type accepts (COMPATIBLE_FILTER_TYPES). */
export const COMPATIBLE_FILTER_TYPES: Record<ColumnType, readonly string[]> = {
  string: ['string', 'stringOptions'],
  stringOptions: ['string', 'stringOptions'],
  arrayOptions: ['arrayOptions', 'stringOptions'],
  datetime: ['datetime'],
  number: ['number'],
  boolean: ['boolean'],
  stringObject: ['stringObject'],
  numberObject: ['numberObject'],
  booleanObject: ['booleanObject'],
  categoryOptions: ['categoryOptions', 'stringOptions'],
};

const scalar = (expr: string): ColumnSql => ({ kind: 'scalar', expr });
const json = (body: string, path: string) => `json_extract(${body}, '$.${path}')`;

/** Sum of a usage/cost map's entries whose key contains `part` (Langfuse's arraySum(mapFilter)). */
const mapSum = (body: string, map: string, part: string) =>
  `(SELECT total(m.value) FROM json_each(${body}, '$.${map}') m WHERE instr(lower(m.key), '${part}') > 0)`;

/** The highest level among a trace's observations, ERROR > WARNING > DEFAULT > DEBUG (NULL
 * without any); the stored counts answer the common cases without a subquery. */
const TRACE_LEVEL = `(CASE WHEN t.error_count > 0 THEN 'ERROR' WHEN t.warning_count > 0 THEN 'WARNING' WHEN t.obs_count = 0 THEN NULL
  WHEN EXISTS (SELECT 1 FROM observations lv WHERE lv.trace_id = t.id AND lv.level = 'DEFAULT') THEN 'DEFAULT' ELSE 'DEBUG' END)`;
const levelCount = (level: string) => `(SELECT count(*) FROM observations lc WHERE lc.trace_id = t.id AND lc.level = '${level}')`;
const traceObservationSum = (map: string, part: string) =>
  `(SELECT total(m.value) FROM observations oc, json_each(oc.body, '$.${map}') m WHERE oc.trace_id = t.id AND instr(lower(m.key), '${part}') > 0)`;

/** v1 GET /traces (alias `t`). Latency and total cost read as the API shows them (0 when none). */
export const TRACE_COLUMNS: Column[] = [
  { id: 'id', aliases: ['traceId'], name: 'ID', type: 'string', sql: scalar('t.id') },
  { id: 'name', aliases: ['traceName'], name: 'Name', type: 'stringOptions', sql: scalar('t.name') },
  { id: 'timestamp', name: 'Timestamp', type: 'datetime', sql: scalar('t.ts_ms') },
  { id: 'userId', name: 'User ID', type: 'string', sql: scalar('t.user_id') },
  { id: 'sessionId', name: 'Session ID', type: 'string', sql: scalar('t.session_id') },
  { id: 'metadata', name: 'Metadata', type: 'stringObject', sql: { kind: 'metadata', body: 't.body' } },
  { id: 'version', name: 'Version', type: 'string', sql: scalar('t.version') },
  { id: 'release', name: 'Release', type: 'string', sql: scalar('t.release') },
  { id: 'environment', name: 'Environment', type: 'stringOptions', sql: scalar('t.environment') },
  { id: 'tags', aliases: ['traceTags'], name: 'Tags', type: 'arrayOptions', sql: { kind: 'tags', traceId: 't.id' } },
  { id: 'bookmarked', name: '⭐️', type: 'boolean', sql: scalar(`coalesce(${json('t.body', 'bookmarked')}, 0)`) },
  { id: 'level', name: 'Level', type: 'stringOptions', sql: scalar(TRACE_LEVEL) },
  { id: 'errorCount', name: 'Error Level Count', type: 'number', sql: scalar('t.error_count') },
  { id: 'warningCount', name: 'Warning Level Count', type: 'number', sql: scalar('t.warning_count') },
  { id: 'defaultCount', name: 'Default Level Count', type: 'number', sql: scalar(levelCount('DEFAULT')) },
  { id: 'debugCount', name: 'Debug Level Count', type: 'number', sql: scalar(levelCount('DEBUG')) },
  { id: 'inputTokens', name: 'Input Tokens', type: 'number', sql: scalar('t.input_tokens') },
  { id: 'outputTokens', name: 'Output Tokens', type: 'number', sql: scalar('t.output_tokens') },
  { id: 'totalTokens', aliases: ['tokens'], name: 'Total Tokens', type: 'number', sql: scalar('t.total_tokens') },
  {
    id: 'latency',
    name: 'Latency (s)',
    type: 'number',
    sql: scalar('coalesce((t.end_max_ms - t.start_min_ms) / 1000.0, 0)'),
  },
  { id: 'inputCost', name: 'Input Cost ($)', type: 'number', sql: scalar(traceObservationSum('costDetails', 'input')) },
  { id: 'outputCost', name: 'Output Cost ($)', type: 'number', sql: scalar(traceObservationSum('costDetails', 'output')) },
  { id: 'totalCost', name: 'Total Cost ($)', type: 'number', sql: scalar('coalesce(t.total_cost, 0)') },
  { id: 'scores_avg', aliases: ['scores'], name: 'Scores (numeric)', type: 'numberObject', sql: { kind: 'scoreNumber', traceId: 't.id' } },
  { id: 'score_categories', name: 'Scores (categorical)', type: 'categoryOptions', sql: { kind: 'scoreCategory', traceId: 't.id' } },
  { id: 'score_booleans', name: 'Scores (boolean)', type: 'booleanObject', sql: { kind: 'scoreBoolean', traceId: 't.id' } },
  // No evaluators or rules run here: these columns exist and match no value.
  { id: 'evaluatorId', name: 'Evaluator', type: 'stringOptions', sql: scalar('NULL') },
  { id: 'ruleId', name: 'Rule', type: 'stringOptions', sql: scalar('NULL') },
];

/** A root observation: no parent, or (an SDK app root) a parent outside its trace. */
export const IS_ROOT_OBSERVATION = `(o.parent_id IS NULL OR NOT EXISTS (SELECT 1 FROM observations po WHERE po.id = o.parent_id AND po.trace_id = o.trace_id))`;

const ob = (path: string) => json('o.body', path);
/** Events-table strings are never null: a missing value reads as ''. */
const text = (expr: string) => scalar(`coalesce(${expr}, '')`);
const ioText = (path: string) => text(`CASE json_type(o.body, '$.${path}') WHEN 'null' THEN NULL WHEN 'text' THEN ${ob(path)} ELSE json(${ob(path)}) END`);
const seconds = (fromMs: string, toIso: string) =>
  scalar(`CASE WHEN ${toIso} IS NULL THEN NULL ELSE (unixepoch(${toIso}, 'subsec') * 1000 - ${fromMs}) / 1000.0 END`);

/** GET /v2/observations and v1 GET /observations (alias `o`, joined to its trace as `t`). */
export const OBSERVATION_COLUMNS: Column[] = [
  { id: 'environment', aliases: ['traceEnvironment'], name: 'Environment', type: 'stringOptions', sql: scalar('o.environment') },
  { id: 'type', name: 'Type', type: 'stringOptions', sql: scalar('o.type') },
  { id: 'id', name: 'ID', type: 'stringOptions', sql: scalar('o.id') },
  { id: 'name', name: 'Name', type: 'stringOptions', sql: text('o.name') },
  { id: 'traceId', name: 'Trace ID', type: 'string', sql: scalar('o.trace_id') },
  { id: 'startTime', name: 'Start Time', type: 'datetime', sql: scalar('o.start_ms') },
  { id: 'endTime', name: 'End Time', type: 'datetime', sql: scalar(`CASE WHEN ${ob('endTime')} IS NULL THEN NULL ELSE o.end_ms END`) },
  { id: 'timeToFirstToken', name: 'Time To First Token (s)', type: 'number', sql: seconds('o.start_ms', ob('completionStartTime')) },
  { id: 'latency', name: 'Latency (s)', type: 'number', sql: seconds('o.start_ms', ob('endTime')) },
  {
    id: 'tokensPerSecond',
    name: 'Tokens per second',
    type: 'number',
    sql: scalar(`${mapSum('o.body', 'usageDetails', 'output')} / nullif((o.end_ms - o.start_ms) / 1000.0, 0)`),
  },
  { id: 'inputCost', name: 'Input Cost ($)', type: 'number', sql: scalar(mapSum('o.body', 'costDetails', 'input')) },
  { id: 'outputCost', name: 'Output Cost ($)', type: 'number', sql: scalar(mapSum('o.body', 'costDetails', 'output')) },
  { id: 'totalCost', name: 'Total Cost ($)', type: 'number', sql: scalar(ob('costDetails.total')) },
  { id: 'level', name: 'Level', type: 'stringOptions', sql: scalar('o.level') },
  { id: 'statusMessage', name: 'Status Message', type: 'string', sql: text(ob('statusMessage')) },
  { id: 'model', aliases: ['providedModelName'], name: 'Model', type: 'stringOptions', field: 'model', sql: text(ob('model')) },
  { id: 'modelId', name: 'Model ID', type: 'stringOptions', sql: scalar(`''`) },
  { id: 'inputTokens', name: 'Input Tokens', type: 'number', sql: scalar(mapSum('o.body', 'usageDetails', 'input')) },
  { id: 'outputTokens', name: 'Output Tokens', type: 'number', sql: scalar(mapSum('o.body', 'usageDetails', 'output')) },
  { id: 'totalTokens', aliases: ['tokens'], name: 'Total Tokens', type: 'number', sql: scalar(ob('usageDetails.total')) },
  { id: 'metadata', name: 'Metadata', type: 'stringObject', sql: { kind: 'metadata', body: 'o.body' }, fullText: true },
  { id: 'version', name: 'Version', type: 'string', sql: text('coalesce(o.version, t.version)') },
  { id: 'release', name: 'Release', type: 'string', sql: text(`coalesce(${ob('release')}, t.release)`) },
  { id: 'promptName', name: 'Prompt Name', type: 'stringOptions', sql: text(ob('promptName')) },
  { id: 'promptVersion', name: 'Prompt Version', type: 'number', sql: scalar(ob('promptVersion')) },
  { id: 'input', name: 'Input', type: 'string', sql: ioText('input'), fullText: true, textOnly: true },
  { id: 'output', name: 'Output', type: 'string', sql: ioText('output'), fullText: true, textOnly: true },
  { id: 'sessionId', name: 'Session ID', type: 'string', sql: text('t.session_id') },
  { id: 'traceName', name: 'Trace Name', type: 'stringOptions', sql: text('t.name') },
  { id: 'userId', name: 'User ID', type: 'string', sql: text('t.user_id') },
  { id: 'tags', aliases: ['traceTags'], name: 'Tags', type: 'arrayOptions', sql: { kind: 'tags', traceId: 'o.trace_id' } },
  { id: 'hasParentObservation', name: 'Has Parent Observation', type: 'boolean', sql: scalar('(o.parent_id IS NOT NULL)') },
  { id: 'isRootObservation', name: 'Is Root Observation', type: 'boolean', sql: scalar(IS_ROOT_OBSERVATION) },
  { id: 'hasInput', name: 'Has Input', type: 'boolean', sql: scalar(`(coalesce(json_type(o.body, '$.input'), 'null') <> 'null')`) },
  { id: 'hasOutput', name: 'Has Output', type: 'boolean', sql: scalar(`(coalesce(json_type(o.body, '$.output'), 'null') <> 'null')`) },
  { id: 'parentObservationId', name: 'Parent Observation ID', type: 'string', sql: text('o.parent_id') },
  // Experiments are not stored on observations here: the columns exist and read as empty.
  { id: 'experimentDatasetId', name: 'Experiment Dataset ID', type: 'stringOptions', sql: scalar(`''`) },
  { id: 'experimentId', name: 'Experiment ID', type: 'stringOptions', sql: scalar(`''`) },
  { id: 'experimentName', name: 'Experiment Name', type: 'stringOptions', sql: scalar(`''`) },
  { id: 'isExperimentItemRootSpan', name: 'Is Experiment Item Root Span', type: 'boolean', sql: scalar('0') },
  { id: 'toolDefinitions', name: 'Available Tools', type: 'number', sql: scalar('0') },
  { id: 'toolCalls', name: 'Tool Calls', type: 'number', sql: scalar('0') },
  { id: 'toolNames', name: 'Tool Names', type: 'arrayOptions', sql: { kind: 'emptyArray' } },
  { id: 'calledToolNames', name: 'Called Tool Names', type: 'arrayOptions', sql: { kind: 'emptyArray' } },
];

const sb = (path: string) => json('s.body', path);

/** GET /scores and /v2/scores (alias `s`). */
export const SCORE_COLUMNS: Column[] = [
  { id: 'id', name: 'ID', type: 'string', sql: scalar('s.id') },
  { id: 'timestamp', name: 'Timestamp', type: 'datetime', sql: scalar('s.ts_ms') },
  { id: 'environment', name: 'Environment', type: 'stringOptions', sql: scalar('s.environment') },
  { id: 'traceId', name: 'Trace ID', type: 'string', sql: scalar('s.trace_id') },
  { id: 'observationId', name: 'Observation ID', type: 'string', sql: scalar('s.observation_id') },
  { id: 'sessionId', name: 'Session ID', type: 'string', sql: scalar('s.session_id') },
  { id: 'name', name: 'Name', type: 'stringOptions', sql: scalar('s.name') },
  { id: 'evaluatorId', name: 'Evaluator', type: 'stringOptions', sql: scalar('NULL') },
  { id: 'value', name: 'Value', type: 'number', sql: scalar('s.value') },
  { id: 'booleanValue', name: 'Boolean Value', type: 'boolean', sql: scalar(`CASE WHEN s.data_type = 'BOOLEAN' THEN s.value END`) },
  { id: 'source', name: 'Source', type: 'stringOptions', sql: scalar('s.source') },
  { id: 'comment', name: 'Comment', type: 'string', sql: scalar(sb('comment')) },
  { id: 'authorUserId', name: 'Author User ID', type: 'string', sql: scalar(sb('authorUserId')) },
  { id: 'dataType', name: 'Data Type', type: 'stringOptions', sql: scalar('s.data_type') },
  { id: 'stringValue', name: 'String Value', type: 'string', sql: scalar(sb('stringValue')) },
  { id: 'metadata', name: 'Metadata', type: 'stringObject', sql: { kind: 'metadata', body: 's.body' } },
  { id: 'traceName', name: 'Trace Name', type: 'stringOptions', sql: scalar('(SELECT st.name FROM traces st WHERE st.id = s.trace_id)') },
  { id: 'userId', name: 'User ID', type: 'string', sql: scalar('(SELECT st.user_id FROM traces st WHERE st.id = s.trace_id)') },
  { id: 'trace_tags', name: 'Trace Tags', type: 'arrayOptions', sql: { kind: 'tags', traceId: 's.trace_id' } },
];

export function findColumn(columns: Column[], name: string): Column | undefined {
  return columns.find((column) => column.id === name || column.name === name || column.aliases?.includes(name));
}
