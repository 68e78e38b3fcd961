// The filter language, one definition for every place a filter is written: CLI flags, the
// TUI's `/` query line, the server-side query (Langfuse parameters and the scores endpoint)
// and the client-side check on the live stream.
//
//   tag:production user:u_42 session:s_1 name:support-* env:production level:error
//   score:helpfulness<0.5 score:user_feedback=negative since:15m from:2026-11-24T10:00:00Z
//   release:r1 version:1.2 prompt:support-agent@2 model:gpt-4o* "password reset" timeout
//
// prompt: and model: look at a trace's generations: it matches when one of them does.
//
// Bare words and "quoted phrases" search name, input, output and metadata.

import type { ScoreCondition, ScoreOperator, TraceQuery, TraceSummary } from './types.js';

export interface TraceFilter {
  tags: string[];
  user: string | null;
  session: string | null;
  /** A glob: `*` any run, `?` one character. */
  name: string | null;
  environments: string[];
  level: 'error' | 'warning' | null;
  scores: ScoreCondition[];
  /** A duration such as 15m, relative to now. */
  since: string | null;
  from: string | null;
  to: string | null;
  release: string | null;
  version: string | null;
  /** A generation linked to this prompt (any version when version is null). */
  prompt: { name: string; version: number | null } | null;
  /** A generation of this model; a glob like name. */
  model: string | null;
  text: string[];
}

export interface FilterError {
  message: string;
  position: number;
  length: number;
}

export type ParseResult = { ok: true; filter: TraceFilter } | { ok: false; error: FilterError };

export const KEYS = ['tag', 'user', 'session', 'name', 'env', 'level', 'score', 'since', 'from', 'to', 'release', 'version', 'prompt', 'model'] as const;
export const ACCEPTED_FORMS =
  'tag:production user:u_42 session:s_1 name:support-* env:production level:error|warning score:helpfulness<0.5 (ops < <= > >= = !=) since:15m|2h|7d from:/to:2026-11-24T10:00:00Z release:… version:… prompt:NAME[@VERSION] model:gpt-4o* "free text"';

const OPERATORS: ScoreOperator[] = ['<=', '>=', '!=', '<', '>', '='];
const DURATION = /^(\d+)(s|m|h|d|w)$/;
const DURATION_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** A duration of the language (30s, 15m, 2h, 7d, 1w) in milliseconds; null when malformed. */
export function durationMs(text: string): number | null {
  const match = DURATION.exec(text);
  return match ? Number(match[1]) * DURATION_MS[match[2]!]! : null;
}

export const emptyFilter = (): TraceFilter => ({
  tags: [],
  user: null,
  session: null,
  name: null,
  environments: [],
  level: null,
  scores: [],
  since: null,
  from: null,
  to: null,
  release: null,
  version: null,
  prompt: null,
  model: null,
  text: [],
});

export function isEmptyFilter(filter: TraceFilter): boolean {
  return printFilter(filter) === '';
}

interface Token {
  text: string;
  quoted: boolean;
  position: number;
  length: number;
}

/** Splits on spaces, keeping "quoted phrases" (with \" escapes) and key:"quoted values" whole. */
function tokenize(input: string): Token[] | FilterError {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    if (input[i] === ' ' || input[i] === '\t') {
      i++;
      continue;
    }
    const start = i;
    let text = '';
    let quoted = false;
    while (i < input.length && input[i] !== ' ' && input[i] !== '\t') {
      if (input[i] === '"') {
        quoted = true;
        i++;
        let closed = false;
        while (i < input.length) {
          if (input[i] === '\\' && i + 1 < input.length) {
            text += input[i + 1];
            i += 2;
            continue;
          }
          if (input[i] === '"') {
            closed = true;
            i++;
            break;
          }
          text += input[i++];
        }
        if (!closed) return { message: 'unterminated quote', position: start, length: input.length - start };
      } else {
        text += input[i++];
      }
    }
    tokens.push({ text, quoted, position: start, length: i - start });
  }
  return tokens;
}

function parseScore(value: string): ScoreCondition | string {
  const operator = OPERATORS.map((op) => ({ op, at: value.indexOf(op) })).filter((entry) => entry.at > 0).sort((a, b) => a.at - b.at || b.op.length - a.op.length)[0];
  if (!operator) return 'score needs NAME OP VALUE, e.g. score:helpfulness<0.5 or score:user_feedback=negative';
  const name = value.slice(0, operator.at);
  const raw = value.slice(operator.at + operator.op.length);
  if (!/^[\w.-]+$/.test(name)) return `score name "${name}" is not valid`;
  if (raw === '' || /^[<>=!]/.test(raw)) return `score:${name}${operator.op} needs a value`;
  const number = Number(raw);
  const typed: number | string | boolean = raw !== '' && Number.isFinite(number) ? number : /^(true|false)$/i.test(raw) ? raw.toLowerCase() === 'true' : raw;
  if (typeof typed !== 'number' && !['=', '!='].includes(operator.op)) {
    return `score:${name}${operator.op}${raw}: ${operator.op} compares numbers; use = or != for categories and booleans`;
  }
  return { name, operator: operator.op, value: typed };
}

function suggest(key: string): string {
  const close = KEYS.find((candidate) => candidate.startsWith(key.slice(0, 2)) || key.startsWith(candidate.slice(0, 3)));
  return close ? `; did you mean ${close}:?` : '';
}

export function parseFilter(input: string): ParseResult {
  const tokens = tokenize(input);
  if (!Array.isArray(tokens)) return { ok: false, error: tokens };
  const filter = emptyFilter();
  const fail = (token: Token, message: string): ParseResult => ({
    ok: false,
    error: { message: `${message} (at ${token.position})`, position: token.position, length: token.length },
  });
  for (const token of tokens) {
    const colon = token.quoted && !/^[a-z]+:/.test(input.slice(token.position)) ? -1 : token.text.indexOf(':');
    const key = colon > 0 ? token.text.slice(0, colon) : null;
    if (key === null || !/^[a-z]+$/.test(key)) {
      filter.text.push(token.text);
      continue;
    }
    const value = token.text.slice(colon + 1);
    if (!(KEYS as readonly string[]).includes(key)) {
      return fail(token, `unknown key "${key}"${suggest(key)} Accepted: ${ACCEPTED_FORMS}`);
    }
    if (value === '') return fail(token, `${key}: needs a value`);
    switch (key as (typeof KEYS)[number]) {
      case 'tag':
        if (!filter.tags.includes(value)) filter.tags.push(value);
        break;
      case 'env':
        if (!filter.environments.includes(value)) filter.environments.push(value);
        break;
      case 'user':
        filter.user = value;
        break;
      case 'session':
        filter.session = value;
        break;
      case 'name':
        filter.name = value;
        break;
      case 'release':
        filter.release = value;
        break;
      case 'version':
        filter.version = value;
        break;
      case 'prompt': {
        // NAME@VERSION when what follows the last @ is a version number; otherwise all of it is the name.
        const match = /^(.+)@(\d{1,9})$/.exec(value);
        filter.prompt = match ? { name: match[1]!, version: Number(match[2]) } : { name: value, version: null };
        break;
      }
      case 'model':
        filter.model = value;
        break;
      case 'level': {
        const level = value.toLowerCase();
        if (level !== 'error' && level !== 'warning') return fail(token, `level: takes error or warning, not "${value}"`);
        filter.level = level;
        break;
      }
      case 'score': {
        const score = parseScore(value);
        if (typeof score === 'string') return fail(token, score);
        filter.scores.push(score);
        break;
      }
      case 'since':
        if (!DURATION.test(value)) return fail(token, `since: takes a duration like 30s, 15m, 2h, 7d, not "${value}"`);
        filter.since = value;
        break;
      case 'from':
      case 'to': {
        if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) || Number.isNaN(Date.parse(value))) {
          return fail(token, `${key}: takes an ISO date or time, e.g. 2026-11-24T10:00:00Z, not "${value}"`);
        }
        filter[key as 'from' | 'to'] = new Date(value).toISOString();
        break;
      }
    }
  }
  return { ok: true, filter };
}

const quote = (value: string): string => (/^[^\s"\\]+$/.test(value) ? value : `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`);

/** Canonical text of a filter: parseFilter(printFilter(f)) equals f. */
export function printFilter(filter: TraceFilter): string {
  const parts: string[] = [];
  for (const tag of filter.tags) parts.push(`tag:${quote(tag)}`);
  if (filter.user !== null) parts.push(`user:${quote(filter.user)}`);
  if (filter.session !== null) parts.push(`session:${quote(filter.session)}`);
  if (filter.name !== null) parts.push(`name:${quote(filter.name)}`);
  for (const env of filter.environments) parts.push(`env:${quote(env)}`);
  if (filter.level) parts.push(`level:${filter.level}`);
  for (const score of filter.scores) parts.push(`score:${quote(`${score.name}${score.operator}${String(score.value)}`)}`);
  if (filter.since) parts.push(`since:${filter.since}`);
  if (filter.from) parts.push(`from:${filter.from}`);
  if (filter.to) parts.push(`to:${filter.to}`);
  if (filter.release !== null) parts.push(`release:${quote(filter.release)}`);
  if (filter.version !== null) parts.push(`version:${quote(filter.version)}`);
  if (filter.prompt !== null) parts.push(`prompt:${quote(filter.prompt.version === null ? filter.prompt.name : `${filter.prompt.name}@${filter.prompt.version}`)}`);
  if (filter.model !== null) parts.push(`model:${quote(filter.model)}`);
  for (const text of filter.text) parts.push(/^[a-z]+:/.test(text) || !/^[^\s"\\]+$/.test(text) ? `"${text.replace(/["\\]/g, (c) => `\\${c}`)}"` : text);
  return parts.join(' ');
}

export interface FilterFlags {
  tag?: string[];
  user?: string;
  session?: string;
  name?: string;
  env?: string[];
  level?: string;
  score?: string[];
  since?: string;
  from?: string;
  to?: string;
  release?: string;
  appVersion?: string;
  prompt?: string;
  model?: string;
}

/** The CLI flags as one filter, with every malformed flag named. */
export function filterFromFlags(flags: FilterFlags): { ok: true; filter: TraceFilter } | { ok: false; errors: string[] } {
  const parts: [string, string][] = [];
  for (const tag of flags.tag ?? []) parts.push(['--tag', `tag:${quote(tag)}`]);
  if (flags.user) parts.push(['--user', `user:${quote(flags.user)}`]);
  if (flags.session) parts.push(['--session', `session:${quote(flags.session)}`]);
  if (flags.name) parts.push(['--name', `name:${quote(flags.name)}`]);
  for (const env of flags.env ?? []) parts.push(['--env', `env:${quote(env)}`]);
  if (flags.level) parts.push(['--level', `level:${quote(flags.level)}`]);
  for (const score of flags.score ?? []) parts.push(['--score', `score:${quote(score)}`]);
  if (flags.since) parts.push(['--since', `since:${quote(flags.since)}`]);
  if (flags.from) parts.push(['--from', `from:${quote(flags.from)}`]);
  if (flags.to) parts.push(['--to', `to:${quote(flags.to)}`]);
  if (flags.release) parts.push(['--release', `release:${quote(flags.release)}`]);
  if (flags.appVersion) parts.push(['--app-version', `version:${quote(flags.appVersion)}`]);
  if (flags.prompt) parts.push(['--prompt', `prompt:${quote(flags.prompt)}`]);
  if (flags.model) parts.push(['--model', `model:${quote(flags.model)}`]);
  const errors: string[] = [];
  const filter = emptyFilter();
  for (const [flag, text] of parts) {
    const parsed = parseFilter(text);
    if (!parsed.ok) {
      errors.push(`${flag}: ${parsed.error.message.replace(/ \(at \d+\)$/, '')}`);
      continue;
    }
    mergeInto(filter, parsed.filter);
  }
  return errors.length ? { ok: false, errors } : { ok: true, filter };
}

function mergeInto(target: TraceFilter, source: TraceFilter): void {
  target.tags.push(...source.tags.filter((tag) => !target.tags.includes(tag)));
  target.environments.push(...source.environments.filter((env) => !target.environments.includes(env)));
  target.scores.push(...source.scores);
  target.text.push(...source.text);
  for (const key of ['user', 'session', 'name', 'level', 'since', 'from', 'to', 'release', 'version', 'prompt', 'model'] as const) {
    if (source[key] !== null) (target as unknown as Record<string, unknown>)[key] = source[key];
  }
}

/** Combines two filters (e.g. the CLI's and the query line's). */
export function combineFilters(a: TraceFilter, b: TraceFilter): TraceFilter {
  const result = structuredClone(a);
  mergeInto(result, b);
  return result;
}

export function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, 'i');
}

const hasGlob = (value: string) => /[*?]/.test(value);

function window(filter: TraceFilter, now: Date): { from: string | null; to: string | null } {
  let from = filter.from;
  if (filter.since) {
    const match = DURATION.exec(filter.since)!;
    const since = new Date(now.getTime() - Number(match[1]) * DURATION_MS[match[2]!]!).toISOString();
    from = from && from > since ? from : since;
  }
  return { from, to: filter.to };
}

export function scoreHolds(condition: ScoreCondition, actual: number | string | boolean | undefined): boolean {
  if (actual === undefined) return false;
  const normalised =
    typeof condition.value === 'boolean'
      ? actual === true || actual === 1 || String(actual).toLowerCase() === 'true'
      : actual;
  if (typeof condition.value === 'boolean') {
    const equal = normalised === condition.value;
    return condition.operator === '!=' ? !equal : equal;
  }
  if (typeof condition.value === 'string') {
    const equal = String(actual).toLowerCase() === condition.value.toLowerCase();
    return condition.operator === '!=' ? !equal : equal;
  }
  const value = typeof actual === 'boolean' ? (actual ? 1 : 0) : Number(actual);
  if (!Number.isFinite(value)) return false;
  switch (condition.operator) {
    case '<': return value < condition.value;
    case '<=': return value <= condition.value;
    case '>': return value > condition.value;
    case '>=': return value >= condition.value;
    case '=': return value === condition.value;
    case '!=': return value !== condition.value;
  }
}

/** prompt:/model: against the models and prompt versions of a trace's generations. A summary
 * that does not list them (a source that cannot tell) is left to the server-side filter. */
function generationsMatch(filter: TraceFilter, trace: TraceSummary): boolean {
  if (filter.model !== null && trace.models !== undefined) {
    const model = filter.model;
    const test = hasGlob(model) ? (m: string) => globToRegExp(model).test(m) : (m: string) => m === model;
    if (!trace.models.some(test)) return false;
  }
  if (filter.prompt !== null && trace.prompts !== undefined) {
    const { name, version } = filter.prompt;
    const wanted = (key: string) => (version === null ? key.slice(0, key.lastIndexOf('@')) === name : key === `${name}@${version}`);
    if (!trace.prompts.some(wanted)) return false;
  }
  return true;
}

function containsText(trace: TraceSummary, needle: string): boolean {
  const lower = needle.toLowerCase();
  const haystacks = [trace.name, trace.input, trace.output, trace.metadata];
  return haystacks.some((value) => value !== undefined && value !== null && (typeof value === 'string' ? value : JSON.stringify(value)).toLowerCase().includes(lower));
}

/** The client-side check: exactly what the server-side query means, on one summary. */
export function matchesTrace(filter: TraceFilter, trace: TraceSummary, now: Date = new Date()): boolean {
  if (filter.tags.some((tag) => !trace.tags.includes(tag))) return false;
  if (filter.user !== null && trace.userId !== filter.user) return false;
  if (filter.session !== null && trace.sessionId !== filter.session) return false;
  if (filter.name !== null && !(hasGlob(filter.name) ? globToRegExp(filter.name).test(trace.name ?? '') : trace.name === filter.name)) return false;
  if (filter.environments.length > 0 && !filter.environments.includes(trace.environment)) return false;
  if (filter.release !== null && trace.release !== filter.release) return false;
  if (filter.version !== null && trace.version !== filter.version) return false;
  if (!generationsMatch(filter, trace)) return false;
  if (filter.level === 'error' && trace.errorCount === 0) return false;
  if (filter.level === 'warning' && trace.errorCount + trace.warningCount === 0) return false;
  const { from, to } = window(filter, now);
  if (from && trace.timestamp < from) return false;
  if (to && trace.timestamp >= to) return false;
  if (!filter.scores.every((condition) => scoreHolds(condition, trace.scores[condition.name]))) return false;
  return filter.text.every((text) => containsText(trace, text));
}

/**
 * What a Langfuse backend can filter (as a TraceQuery), and whether the results must still be
 * checked client-side (a glob name, free text).
 */
export function toServerQuery(filter: TraceFilter, now: Date = new Date()): { query: TraceQuery; needsClientSide: boolean } {
  const { from, to } = window(filter, now);
  const query: TraceQuery = {
    tags: filter.tags.length ? filter.tags : undefined,
    userId: filter.user ?? undefined,
    sessionId: filter.session ?? undefined,
    name: filter.name !== null && !hasGlob(filter.name) ? filter.name : undefined,
    environment: filter.environments.length ? filter.environments : undefined,
    release: filter.release ?? undefined,
    version: filter.version ?? undefined,
    fromTimestamp: from ?? undefined,
    toTimestamp: to ?? undefined,
    level: filter.level ?? undefined,
    scores: filter.scores.length ? filter.scores : undefined,
    prompt: filter.prompt ?? undefined,
    model: filter.model !== null && !hasGlob(filter.model) ? filter.model : undefined,
  };
  const needsClientSide = filter.text.length > 0 || (filter.name !== null && hasGlob(filter.name)) || (filter.model !== null && hasGlob(filter.model));
  return { query, needsClientSide };
}

export function describeFilter(filter: TraceFilter): string {
  return printFilter(filter);
}
