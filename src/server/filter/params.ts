// Query parameters read the way Langfuse's Zod schemas read them: a repeated key arrives as an
// array (so a plain-string parameter sent twice is a 400), csv|rep arrays, `.strict()` schemas
// that refuse unknown keys, ISO datetimes that need an offset, and 400 bodies carrying Zod-like
// issues: `{message:"Invalid request data", error:[{code, path, message, ...}]}`.

import { HttpError } from '../http.js';

export interface ZodIssue {
  code: string;
  path: (string | number)[];
  message: string;
  [extra: string]: unknown;
}

/** 400 `{message:"Invalid request data", error:[issues]}`, as a failed Zod parse answers. */
export const invalidRequestData = (issues: ZodIssue[]): HttpError => new HttpError(400, 'Invalid request data', issues);

/** 400 `{message, error:"InvalidRequestError"}`, as a handler's InvalidRequestError answers. */
export const invalidRequest = (message: string): HttpError => new HttpError(400, message, 'InvalidRequestError');

const issue = (code: string, name: string, message: string, extra: Record<string, unknown> = {}): HttpError =>
  invalidRequestData([{ code, ...extra, path: [name], message }]);

/** Zod 4's `z.iso.datetime({offset:true})`: a date, a time, and Z or a ±hh:mm offset. */
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** Unknown keys of a `.strict()` schema, as the one `unrecognized_keys` issue Zod reports. */
export function rejectUnknownKeys(params: URLSearchParams, known: readonly string[]): void {
  const unknown = [...new Set([...params.keys()])].filter((key) => !known.includes(key));
  if (unknown.length === 0) return;
  throw invalidRequestData([
    {
      code: 'unrecognized_keys',
      keys: unknown,
      path: [],
      message: `Unrecognized key${unknown.length > 1 ? 's' : ''}: ${unknown.map((key) => `"${key}"`).join(', ')}`,
    },
  ]);
}

export class ApiQuery {
  constructor(readonly params: URLSearchParams) {}

  has(name: string): boolean {
    return this.params.has(name);
  }

  /** A plain string parameter: absent or empty → null; sent twice → 400 (Zod sees an array). */
  string(name: string): string | null {
    const values = this.params.getAll(name);
    if (values.length > 1) {
      throw issue('invalid_type', name, 'Invalid input: expected string, received array', { expected: 'string' });
    }
    const value = values[0];
    return value === undefined || value === '' ? null : value;
  }

  /** csv|rep: repeated keys are taken as they are; one value is split on commas. */
  csvOrRepeated(name: string): string[] {
    const values = this.params.getAll(name);
    const list = values.length === 1 ? (values[0] as string).split(',') : values;
    return list.map((value) => value.trim()).filter(Boolean);
  }

  /** Repeated or single, never comma-split (GET /sessions' environment). */
  repeated(name: string): string[] {
    return this.params.getAll(name).filter(Boolean);
  }

  /** Comma-separated only (the v3 scores API): a repeated key is a 400. */
  csv(name: string): string[] {
    const value = this.string(name);
    return value === null ? [] : value.split(',').map((part) => part.trim()).filter(Boolean);
  }

  /** `z.coerce.number()` with bounds; an empty value takes the default (publicApiPaginationZod). */
  int(name: string, fallback: number, min: number, max: number): number {
    const raw = this.string(name);
    if (raw === null) return fallback;
    const value = Number(raw);
    if (Number.isNaN(value)) {
      throw issue('invalid_type', name, 'Invalid input: expected number, received NaN', { expected: 'number', received: 'NaN' });
    }
    if (!Number.isSafeInteger(value)) {
      throw issue('invalid_type', name, 'Invalid input: expected int, received number', { expected: 'int', format: 'safeint' });
    }
    if (value > max) {
      throw issue('too_big', name, `Too big: expected number to be <=${max}`, { origin: 'number', maximum: max, inclusive: true });
    }
    if (value < min) {
      throw issue('too_small', name, `Too small: expected number to be >=${min}`, { origin: 'number', minimum: min, inclusive: true });
    }
    return value;
  }

  page(): number {
    return this.int('page', 1, 1, Number.MAX_SAFE_INTEGER);
  }

  limit(max = 100, min = 1): number {
    return this.int('limit', 50, min, max);
  }

  number(name: string): number | null {
    const raw = this.string(name);
    if (raw === null) return null;
    const value = Number(raw);
    if (!Number.isFinite(value)) {
      throw issue('invalid_type', name, 'Invalid input: expected number, received NaN', { expected: 'number', received: 'NaN' });
    }
    return value;
  }

  /** `z.iso.datetime({offset:true})` → epoch ms. Present but empty is a 400 too. */
  datetime(name: string): number | null {
    const values = this.params.getAll(name);
    if (values.length === 0) return null;
    const raw = this.string(name) ?? '';
    const ms = Date.parse(raw);
    if (!ISO_WITH_OFFSET.test(raw) || Number.isNaN(ms)) {
      throw issue('invalid_format', name, 'Invalid ISO datetime', { origin: 'string', format: 'datetime' });
    }
    return ms;
  }

  /** Any string `new Date()` can parse (the v3 scores API's timestamps). */
  looseDate(name: string): number | null {
    const raw = this.string(name);
    if (raw === null) return null;
    const ms = new Date(raw).getTime();
    if (Number.isNaN(ms)) throw issue('custom', name, 'Invalid date', {});
    return ms;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T | null {
    const raw = this.string(name);
    if (raw === null) return null;
    if (!allowed.includes(raw as T)) throw invalidOption(name, allowed);
    return raw as T;
  }
}

export function invalidOption(name: string, allowed: readonly string[]): HttpError {
  return issue('invalid_value', name, `Invalid option: expected one of ${allowed.map((value) => `"${value}"`).join('|')}`, {
    values: [...allowed],
  });
}
