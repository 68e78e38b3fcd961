// Strict command-line flags: every flag tracetop knows, once, and a parser (Node's
// util.parseArgs) that refuses what a command does not take. A typo that widens a filter
// (`--tags staging`) or drops a value (`--tag` at the end) is an error, never ignored.

import { parseArgs } from 'node:util';
import { nearest, UsageError } from './usage.js';
import type { FilterFlags } from '../domain/filter-language.js';

export type FlagKind = 'boolean' | 'string' | 'list' | 'integer';

export interface FlagSpec {
  kind: FlagKind;
  /** The value's name in messages (`--tag TAG`). */
  value?: string;
  /** The key in the parsed flags; default the camelCase name (`no-color` → `color: false`). */
  key?: string;
  short?: string;
  min?: number;
  max?: number;
}

/** Every flag, by its long name. A command lists which of these it takes. */
export const FLAGS: Record<string, FlagSpec> = {
  help: { kind: 'boolean', short: 'h' },
  version: { kind: 'boolean', short: 'v', key: 'showVersion' },
  // Connection
  host: { kind: 'string', value: 'URL' },
  'public-key': { kind: 'string', value: 'KEY' },
  'secret-key': { kind: 'string', value: 'KEY' },
  profile: { kind: 'string', value: 'NAME' },
  port: { kind: 'integer', value: 'PORT', min: 0, max: 65535 },
  // Filters (the same language as the TUI's `/` line)
  tag: { kind: 'list', value: 'TAG' },
  user: { kind: 'string', value: 'ID' },
  session: { kind: 'string', value: 'ID' },
  name: { kind: 'string', value: 'GLOB' },
  env: { kind: 'list', value: 'ENV' },
  level: { kind: 'string', value: 'error|warning' },
  score: { kind: 'list', value: "'NAME<0.5'" },
  since: { kind: 'string', value: 'DURATION' },
  from: { kind: 'string', value: 'ISO_TIME' },
  to: { kind: 'string', value: 'ISO_TIME' },
  release: { kind: 'string', value: 'RELEASE' },
  'app-version': { kind: 'string', value: 'VERSION' },
  prompt: { kind: 'string', value: 'NAME[@VERSION]' },
  model: { kind: 'string', value: 'NAME' },
  // Output and behaviour
  json: { kind: 'boolean' },
  'no-color': { kind: 'boolean' },
  color: { kind: 'boolean' },
  demo: { kind: 'boolean' },
  'read-only': { kind: 'boolean' },
  redact: { kind: 'boolean' },
  theme: { kind: 'string', value: 'dark|light' },
  // score, label
  comment: { kind: 'string', value: 'TEXT' },
  observation: { kind: 'string', value: 'ID' },
  queue: { kind: 'string', value: 'NAME|ID' },
  // serve
  bind: { kind: 'string', value: 'ADDRESS' },
  'allow-remote': { kind: 'boolean' },
  db: { kind: 'string', value: 'PATH' },
  'no-stream': { kind: 'boolean' },
  'read-api': { kind: 'string', value: 'both|v1|v2' },
  'rate-limit': { kind: 'string', value: 'PLAN' },
  retention: { kind: 'string', value: 'DURATION' },
  'max-db-size': { kind: 'string', value: 'SIZE' },
  // datasets, compare, prompts, top
  gate: { kind: 'list', value: 'EXPR' },
  label: { kind: 'string', value: 'LABEL' },
  by: { kind: 'string', value: 'name|model|prompt|release|env|user|tag' },
};

/** Every parsed flag a command may receive (camelCase keys; `--no-x` gives `x: false`). */
export interface CliFlags extends FilterFlags {
  help?: boolean;
  showVersion?: boolean;
  host?: string;
  publicKey?: string;
  secretKey?: string;
  profile?: string;
  port?: number;
  json?: boolean;
  color?: boolean;
  demo?: boolean;
  readOnly?: boolean;
  redact?: boolean;
  theme?: string;
  comment?: string;
  observation?: string;
  queue?: string;
  bind?: string;
  allowRemote?: boolean;
  db?: string;
  stream?: boolean;
  readApi?: string;
  rateLimit?: string;
  retention?: string;
  maxDbSize?: string;
  gate?: string[];
  label?: string;
  by?: string;
  /** `prompts --version N` (a command's own meaning of a flag name). */
  version?: number;
}

const camel = (name: string) => name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());

function keyOf(name: string, spec: FlagSpec): { key: string; negated: boolean } {
  if (spec.key) return { key: spec.key, negated: false };
  if (name.startsWith('no-')) return { key: camel(name.slice(3)), negated: true };
  return { key: camel(name), negated: false };
}

export interface ParsedArgs {
  positionals: string[];
  flags: CliFlags;
}

/**
 * Parses argv against the flags a command takes (`allowed`: long names, or own specs that
 * override the shared table). Throws UsageError naming the flag: unknown (with a did-you-mean),
 * missing its value, a value for a switch, or a malformed number.
 */
export function parseFlags(args: string[], allowed: Record<string, FlagSpec>, command: string | null): ParsedArgs {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const [name, spec] of Object.entries(allowed)) {
    options[name] = { type: spec.kind === 'boolean' ? 'boolean' : 'string', ...(spec.short ? { short: spec.short } : {}) };
  }
  // Not strict: the tokens are checked here, so each mistake gets its own message.
  const { tokens } = parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true });
  const positionals: string[] = [];
  const flags: Record<string, unknown> = {};
  const where = command ? `tracetop ${command}` : 'tracetop';
  for (const token of tokens) {
    if (token.kind === 'positional') {
      positionals.push(token.value);
      continue;
    }
    if (token.kind !== 'option') continue;
    const spec = allowed[token.name];
    if (!spec) {
      throw new UsageError(unknownFlag(token.rawName, allowed, where), command);
    }
    const flag = `--${token.name}`;
    if (spec.kind === 'boolean') {
      if (token.value !== undefined) throw new UsageError(`${flag} takes no value (got ${flag}=${token.value})`, command);
      const { key, negated } = keyOf(token.name, spec);
      flags[key] = !negated;
      continue;
    }
    const value = token.value;
    const example = `${flag} ${spec.value ?? 'VALUE'}`;
    if (value === undefined || value === '') throw new UsageError(`${flag} needs a value: ${example}`, command);
    if (!token.inlineValue && value.startsWith('-') && value.length > 1) {
      throw new UsageError(`${flag} needs a value, not the flag ${value} (for a value that starts with "-", write ${flag}=${value})`, command);
    }
    const { key } = keyOf(token.name, spec);
    if (spec.kind === 'list') {
      ((flags[key] ??= []) as string[]).push(value);
    } else if (spec.kind === 'integer') {
      const number = /^\d+$/.test(value) ? Number(value) : NaN;
      const min = spec.min ?? 0;
      const max = spec.max ?? Number.MAX_SAFE_INTEGER;
      if (!Number.isSafeInteger(number) || number < min || number > max) {
        const range = spec.max === undefined ? `of at least ${min}` : `from ${min} to ${max}`;
        throw new UsageError(`${flag} takes a whole number ${range}, not "${value}"`, command);
      }
      flags[key] = number;
    } else {
      flags[key] = value;
    }
  }
  return { positionals, flags: flags as CliFlags };
}

function unknownFlag(raw: string, allowed: Record<string, FlagSpec>, where: string): string {
  if (!raw.startsWith('--')) return `unknown flag ${raw} for ${where}`;
  const name = raw.slice(2);
  if (name === 'version' && allowed['app-version']) return `unknown flag --version for ${where} (the trace's version: --app-version; tracetop's own: tracetop --version)`;
  const near = nearest(name, Object.keys(allowed));
  if (near) return `unknown flag ${raw} for ${where} (did you mean --${near}?)`;
  if (FLAGS[name]) return `${where} does not take ${raw}`;
  const elsewhere = nearest(name, Object.keys(FLAGS));
  if (elsewhere) return `unknown flag ${raw} for ${where} (--${elsewhere} is not a flag of ${where.replace(/^tracetop ?/, '') || 'tracetop'} either)`;
  return `unknown flag ${raw} for ${where}`;
}

/** The specs of the named flags, with a command's own specs on top. */
export function flagTable(names: readonly string[], own: Record<string, FlagSpec> = {}): Record<string, FlagSpec> {
  const table: Record<string, FlagSpec> = { help: FLAGS.help! };
  for (const name of names) {
    const spec = FLAGS[name];
    if (!spec) throw new Error(`no flag --${name} in FLAGS`);
    table[name] = spec;
  }
  return { ...table, ...own };
}

/** The long names of flags that take a value (to find the command word among flags). */
export const VALUE_FLAGS = new Set(Object.entries(FLAGS).filter(([, spec]) => spec.kind !== 'boolean').map(([name]) => name));
