// The `filter` query parameter of Langfuse's public API: URL-encoded JSON, an array of
// `{type, column, operator, value[, key]}` conditions (packages/shared/src/interfaces/filters.ts).
// Parsing and shape validation only; columns and SQL are in columns.ts / compile.ts.

import { invalidRequest, invalidRequestData, type ZodIssue } from './params.js';

export const STRING_OPERATORS = ['=', 'contains', 'does not contain', 'starts with', 'ends with'] as const;
export const NUMBER_OPERATORS = ['=', '>', '<', '>=', '<='] as const;
export const DATETIME_OPERATORS = ['>', '<', '>=', '<='] as const;
export const OPTIONS_OPERATORS = ['any of', 'none of'] as const;
export const ARRAY_OPERATORS = ['any of', 'none of', 'all of'] as const;
export const BOOLEAN_OPERATORS = ['=', '<>'] as const;
export const NULL_OPERATORS = ['is null', 'is not null'] as const;

export type StringOperator = (typeof STRING_OPERATORS)[number] | 'matches';
export type NumberOperator = (typeof NUMBER_OPERATORS)[number];

export type FilterCondition =
  | { type: 'string'; column: string; operator: StringOperator; value: string }
  | { type: 'stringObject'; column: string; key: string; operator: StringOperator; value: string }
  | { type: 'stringOptions'; column: string; operator: 'any of' | 'none of'; value: string[] }
  | { type: 'categoryOptions'; column: string; key: string; operator: 'any of' | 'none of'; value: string[] }
  | { type: 'arrayOptions'; column: string; operator: 'any of' | 'none of' | 'all of'; value: string[] }
  | { type: 'number'; column: string; operator: NumberOperator; value: number }
  | { type: 'numberObject'; column: string; key: string; operator: NumberOperator; value: number }
  | { type: 'datetime'; column: string; operator: (typeof DATETIME_OPERATORS)[number]; value: number }
  | { type: 'boolean'; column: string; operator: '=' | '<>'; value: boolean }
  | { type: 'booleanObject'; column: string; key: string; operator: '=' | '<>'; value: boolean }
  | { type: 'null'; column: string; operator: 'is null' | 'is not null'; value: '' };

export type FilterType = FilterCondition['type'];

/** Conditions one request may carry: each is a bound clause, and SQLite's depth is finite. */
export const MAX_FILTER_CONDITIONS = 100;
/** Values one options condition may list (each is a bound parameter). */
export const MAX_FILTER_VALUES = 1000;

type Raw = Record<string, unknown>;

const isString = (value: unknown): value is string => typeof value === 'string';
const isStringArray = (value: unknown): value is string[] => Array.isArray(value) && value.every(isString);

/** `z.coerce.number()`: numbers and numeric strings. */
function coerceNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value.trim() !== '') {
    const number = Number(value);
    return Number.isFinite(number) ? number : null;
  }
  return null;
}

/** `z.coerce.date()`: anything `new Date()` reads. */
function coerceDate(value: unknown): number | null {
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? null : ms;
}

/** One condition, or the reason it matches none of the union's members. */
function parseCondition(raw: unknown, allowMatches: boolean): FilterCondition | string {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'expected an object';
  const item = raw as Raw;
  const { type, column, operator, value, key } = item;
  if (!isString(column)) return 'column must be a string';
  if (!isString(type)) return 'type must be a string';
  const stringOperators: readonly string[] = allowMatches ? [...STRING_OPERATORS, 'matches'] : STRING_OPERATORS;
  const needsKey = () => (isString(key) ? null : `a ${type} filter needs a string key`);
  const op = (allowed: readonly string[]) =>
    isString(operator) && allowed.includes(operator) ? null : `operator for ${type} must be one of ${allowed.join(', ')}`;
  switch (type) {
    case 'string':
    case 'stringObject': {
      const problem = op(stringOperators) ?? (type === 'stringObject' ? needsKey() : null);
      if (problem) return problem;
      if (!isString(value)) return `value of a ${type} filter must be a string`;
      return type === 'string'
        ? { type, column, operator: operator as StringOperator, value }
        : { type, column, key: key as string, operator: operator as StringOperator, value };
    }
    case 'stringOptions':
    case 'categoryOptions': {
      const problem = op(OPTIONS_OPERATORS) ?? (type === 'categoryOptions' ? needsKey() : null);
      if (problem) return problem;
      if (!isStringArray(value)) return `value of a ${type} filter must be an array of strings`;
      if (type === 'stringOptions' && value.length === 0) return 'value of a stringOptions filter must not be empty';
      if (value.length > MAX_FILTER_VALUES) return `a filter may list at most ${MAX_FILTER_VALUES} values`;
      const operatorValue = operator as 'any of' | 'none of';
      return type === 'stringOptions'
        ? { type, column, operator: operatorValue, value }
        : { type, column, key: key as string, operator: operatorValue, value };
    }
    case 'arrayOptions': {
      const problem = op(ARRAY_OPERATORS);
      if (problem) return problem;
      if (!isStringArray(value)) return 'value of an arrayOptions filter must be an array of strings';
      if (value.length > MAX_FILTER_VALUES) return `a filter may list at most ${MAX_FILTER_VALUES} values`;
      return { type, column, operator: operator as 'any of' | 'none of' | 'all of', value };
    }
    case 'number':
    case 'numberObject': {
      const problem = op(NUMBER_OPERATORS) ?? (type === 'numberObject' ? needsKey() : null);
      if (problem) return problem;
      const number = coerceNumber(value);
      if (number === null) return `value of a ${type} filter must be a number`;
      return type === 'number'
        ? { type, column, operator: operator as NumberOperator, value: number }
        : { type, column, key: key as string, operator: operator as NumberOperator, value: number };
    }
    case 'datetime': {
      const problem = op(DATETIME_OPERATORS);
      if (problem) return problem;
      const ms = coerceDate(value);
      if (ms === null) return 'value of a datetime filter must be a date';
      return { type, column, operator: operator as (typeof DATETIME_OPERATORS)[number], value: ms };
    }
    case 'boolean':
    case 'booleanObject': {
      const problem = op(BOOLEAN_OPERATORS) ?? (type === 'booleanObject' ? needsKey() : null);
      if (problem) return problem;
      if (typeof value !== 'boolean') return `value of a ${type} filter must be a boolean`;
      return type === 'boolean'
        ? { type, column, operator: operator as '=' | '<>', value }
        : { type, column, key: key as string, operator: operator as '=' | '<>', value };
    }
    case 'null': {
      const problem = op(NULL_OPERATORS);
      if (problem) return problem;
      if (value !== '' && value !== undefined) return 'value of a null filter must be ""';
      return { type, column, operator: operator as 'is null' | 'is not null', value: '' };
    }
    case 'positionInTrace':
      return 'ignored';
    default:
      return `unknown filter type ${type}`;
  }
}

/**
 * The `filter` parameter as conditions: absent or empty → []; not JSON → 400 "Invalid JSON in
 * filter parameter"; a malformed condition → 400 with a Zod-like issue at `['filter', i]`.
 * `matches` is an operator of the v4 (events) tables only.
 */
export function parseFilterParam(raw: string | null, options: { allowMatches?: boolean } = {}): FilterCondition[] {
  if (raw === null || raw === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalidRequest('Invalid JSON in filter parameter');
  }
  if (!Array.isArray(parsed)) {
    const received = parsed === null ? 'null' : typeof parsed;
    throw invalidRequestData([{ code: 'invalid_type', expected: 'array', path: ['filter'], message: `Invalid input: expected array, received ${received}` }]);
  }
  if (parsed.length > MAX_FILTER_CONDITIONS) {
    throw invalidRequestData([{ code: 'too_big', origin: 'array', maximum: MAX_FILTER_CONDITIONS, inclusive: true, path: ['filter'], message: `Too big: expected array to have <=${MAX_FILTER_CONDITIONS} items` }]);
  }
  const conditions: FilterCondition[] = [];
  const issues: ZodIssue[] = [];
  parsed.forEach((item, index) => {
    const result = parseCondition(item, options.allowMatches ?? false);
    if (result === 'ignored') return;
    if (typeof result === 'string') issues.push({ code: 'invalid_union', path: ['filter', index], message: 'Invalid input', note: result });
    else conditions.push(result);
  });
  if (issues.length > 0) throw invalidRequestData(issues);
  return conditions;
}
