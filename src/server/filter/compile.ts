// `filter` conditions → SQL clauses over our SQLite schema, with Langfuse's column checks:
// unknown column → 400 "Column X does not match a UI / CH table mapping.", a filter type the
// column cannot take → 400 "Invalid filter type 'T' for column 'C'. Expected filter type 'U'.".

import { COMPATIBLE_FILTER_TYPES, findColumn, type Column } from './columns.js';
import type { FilterCondition, StringOperator } from './grammar.js';
import { invalidRequest } from './params.js';

export type SqlValue = string | number | null;

export interface CompiledFilter {
  clauses: string[];
  params: SqlValue[];
  /** Fields an advanced condition targets: the simple parameters for them are dropped. */
  fields: Set<string>;
}

const placeholders = (count: number) => Array.from({ length: count }, () => '?').join(',');

const FTS_TOKEN_ERROR = '`matches` requires at least one search token.';
const FTS_TARGET_ERROR = '`matches` is only supported for input, output, and metadata filters.';

/** A case-sensitive string comparison of `expr` (Langfuse's StringFilter). */
function stringClause(expr: string, operator: StringOperator, value: string): { sql: string; params: SqlValue[] } {
  // SQLite's substr counts characters (code points), not UTF-16 units.
  const length = Array.from(value).length;
  switch (operator) {
    case '=':
      return { sql: `${expr} = ?`, params: [value] };
    case 'contains':
      return { sql: `instr(${expr}, ?) > 0`, params: [value] };
    case 'does not contain':
      return { sql: `instr(${expr}, ?) = 0`, params: [value] };
    case 'starts with':
      return { sql: `substr(${expr}, 1, ?) = ?`, params: [length, value] };
    case 'ends with':
      return value === ''
        ? { sql: `${expr} IS NOT NULL`, params: [] }
        : { sql: `substr(${expr}, -?) = ?`, params: [length, value] };
    case 'matches':
      // Full-text search: the value as a case-insensitive substring (Langfuse also requires its
      // tokens, which the substring implies).
      return { sql: `instr(lower(${expr}), lower(?)) > 0`, params: [value] };
  }
}

/** A metadata value as Langfuse stores it: a string map, other JSON values as their text; a
 * missing key reads as ''. */
const metadataValue = (body: string) =>
  `coalesce((SELECT CASE mk.type WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' WHEN 'null' THEN NULL ELSE CAST(mk.value AS TEXT) END
    FROM json_each(${body}, '$.metadata') mk WHERE mk.key = ? LIMIT 1), '')`;

/** `traceId` is (or is not) among the traces a subquery selects. The subquery runs once, not
 * per row (a correlated EXISTS over 10,000 traces took seconds); it never yields NULL, and a
 * NULL trace id reads as '' so NOT IN stays two-valued. */
const traceIn = (traceId: string, subquery: string, negate = false) =>
  negate ? `coalesce(${traceId}, '') NOT IN (${subquery})` : `${traceId} IN (${subquery})`;

function tagsClause(traceId: string, operator: 'any of' | 'none of' | 'all of', values: string[]): { sql: string; params: SqlValue[] } {
  const distinct = [...new Set(values)];
  if (distinct.length === 0) return { sql: operator === 'any of' ? '0' : '1', params: [] };
  const tagged = `SELECT g.trace_id FROM trace_tags g WHERE g.tag IN (${placeholders(distinct.length)})`;
  if (operator === 'any of') return { sql: traceIn(traceId, tagged), params: distinct };
  if (operator === 'none of') return { sql: traceIn(traceId, tagged, true), params: distinct };
  return { sql: traceIn(traceId, `${tagged} GROUP BY g.trace_id HAVING count(*) = ?`), params: [...distinct, distinct.length] };
}

function compileOne(column: Column, condition: FilterCondition): { sql: string; params: SqlValue[] } {
  const sql = column.sql;
  if (condition.type === 'null') {
    if (sql.kind !== 'scalar') return { sql: condition.operator === 'is null' ? '0' : '1', params: [] };
    const empty = `(${sql.expr} IS NULL OR ${sql.expr} = '')`;
    return { sql: condition.operator === 'is null' ? empty : `NOT ${empty}`, params: [] };
  }
  switch (sql.kind) {
    case 'tags':
    case 'emptyArray': {
      if (condition.type !== 'arrayOptions' && condition.type !== 'stringOptions') break;
      if (sql.kind === 'emptyArray') {
        const matchesEmpty = condition.operator === 'none of' || (condition.operator === 'all of' && condition.value.length === 0);
        return { sql: matchesEmpty ? '1' : '0', params: [] };
      }
      return tagsClause(sql.traceId, condition.operator, condition.value);
    }
    case 'metadata': {
      if (condition.type !== 'stringObject') break;
      const clause = stringClause(metadataValue(sql.body), condition.operator, condition.value);
      // The value expression comes first in every string clause, so its key is the first parameter.
      return { sql: clause.sql, params: [condition.key, ...clause.params] };
    }
    case 'scoreNumber': {
      if (condition.type !== 'numberObject') break;
      return {
        sql: traceIn(sql.traceId, `SELECT fs.trace_id FROM scores fs WHERE fs.trace_id IS NOT NULL AND fs.data_type = 'NUMERIC' AND fs.name = ? AND fs.value ${condition.operator} ?`),
        params: [condition.key, condition.value],
      };
    }
    case 'scoreCategory': {
      if (condition.type !== 'categoryOptions' && condition.type !== 'stringOptions') break;
      const wanted = condition.type === 'categoryOptions' ? condition.value.map((value) => `${condition.key}:${value}`) : condition.value;
      if (wanted.length === 0) return { sql: condition.operator === 'any of' ? '0' : '1', params: [] };
      // With a key, only scores of that name can match: the (name, value) index narrows first.
      const named = condition.type === 'categoryOptions' ? 'AND fs.name = ?' : '';
      const scored = `SELECT fs.trace_id FROM scores fs WHERE fs.trace_id IS NOT NULL AND fs.data_type = 'CATEGORICAL' ${named}
        AND fs.name || ':' || coalesce(json_extract(fs.body, '$.stringValue'), '') IN (${placeholders(wanted.length)})`;
      const params = condition.type === 'categoryOptions' ? [condition.key, ...wanted] : wanted;
      return { sql: traceIn(sql.traceId, scored, condition.operator === 'none of'), params };
    }
    case 'scoreBoolean': {
      if (condition.type !== 'booleanObject') break;
      const scored = `SELECT fs.trace_id FROM scores fs WHERE fs.trace_id IS NOT NULL AND fs.data_type = 'BOOLEAN' AND fs.name = ? AND fs.value = ?`;
      return { sql: traceIn(sql.traceId, scored, condition.operator === '<>'), params: [condition.key, condition.value ? 1 : 0] };
    }
    case 'scalar': {
      const expr = sql.expr;
      switch (condition.type) {
        case 'string':
          return stringClause(expr, condition.operator, condition.value);
        case 'stringOptions':
          return {
            sql: `${expr} ${condition.operator === 'any of' ? 'IN' : 'NOT IN'} (${placeholders(condition.value.length)})`,
            params: condition.value,
          };
        case 'number':
        case 'datetime':
          return { sql: `${expr} ${condition.operator} ?`, params: [condition.value] };
        case 'boolean':
          return { sql: `${expr} ${condition.operator} ?`, params: [condition.value ? 1 : 0] };
        default:
          break;
      }
    }
  }
  throw invalidRequest('Invalid filter type');
}

/** Compiles conditions against one table's columns (all ANDed, as Langfuse does). */
export function compileFilter(conditions: FilterCondition[], columns: Column[]): CompiledFilter {
  const compiled: CompiledFilter = { clauses: [], params: [], fields: new Set() };
  for (const condition of conditions) {
    const column = findColumn(columns, condition.column);
    if (!column) throw invalidRequest(`Column ${condition.column} does not match a UI / CH table mapping.`);
    if (condition.type !== 'null' && !COMPATIBLE_FILTER_TYPES[column.type].includes(condition.type)) {
      throw invalidRequest(`Invalid filter type '${condition.type}' for column '${condition.column}'. Expected filter type '${column.type}'.`);
    }
    if ((condition.type === 'string' || condition.type === 'stringObject') && condition.operator === 'matches') {
      if (!/[\p{L}\p{N}]/u.test(condition.value)) throw invalidRequest(FTS_TOKEN_ERROR);
      if (!column.fullText) throw invalidRequest(FTS_TARGET_ERROR);
    }
    if (column.textOnly && condition.type !== 'string' && condition.type !== 'null') {
      throw invalidRequest(`Invalid filter type '${condition.type}' for column '${condition.column}'. Expected filter type 'string'.`);
    }
    const { sql, params } = compileOne(column, condition);
    compiled.clauses.push(`(${sql})`);
    compiled.params.push(...params);
    compiled.fields.add(column.field ?? column.id);
  }
  // input/output of the events table are searched, not scanned: one condition on them must be
  // an exact `=` or a `matches` (validateEventsTableMatchesFilter).
  const textConditions = conditions.filter((condition) => findColumn(columns, condition.column)?.textOnly && condition.type === 'string');
  if (textConditions.length > 0 && !textConditions.some((condition) => condition.type === 'string' && (condition.operator === '=' || condition.operator === 'matches'))) {
    throw invalidRequest('Filters on input or output need at least one `=` or `matches` condition.');
  }
  return compiled;
}
