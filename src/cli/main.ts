// Command-line entry: the one table of commands (adding a command is one entry below), strict
// flags (src/cli/flags.ts), and the one place errors become a message and an exit code. Each
// command's module is imported only when used, so `tracetop --version` stays fast and a missing
// module fails only its own command.

import { readFileSync } from 'node:fs';
import { flagTable, parseFlags, VALUE_FLAGS, type CliFlags, type FlagSpec } from './flags.js';
import { nearest, UsageError } from './usage.js';
import { sanitizeText } from '../domain/sanitize.js';

interface Command {
  /** One line: `tracetop tail [filters] [--json]`. */
  usage: string;
  /** Long names from FLAGS; `own` overrides a name's meaning for this command. */
  flags: readonly string[];
  own?: Record<string, FlagSpec>;
  /** How many arguments it takes after its name. */
  args: [min: number, max: number];
  /** Key in COMMAND_HELP (default: the command's name). */
  help?: string;
  run(args: string[], flags: CliFlags): Promise<number | void>;
}

const CONNECTION = ['host', 'public-key', 'secret-key', 'profile'] as const;
const FILTERS = ['tag', 'user', 'session', 'name', 'env', 'level', 'score', 'since', 'from', 'to', 'release', 'app-version', 'prompt', 'model'] as const;

export const COMMANDS: Record<string, Command> = {
  tui: {
    usage: 'tracetop [filters] [--demo] [--read-only] [--redact] [--no-color] [--theme dark|light]',
    flags: [...CONNECTION, ...FILTERS, 'port', 'demo', 'read-only', 'redact', 'no-color', 'theme'],
    args: [0, 0],
    run: async (_args, flags) => (await import('./tui.js')).tuiCommand(flags),
  },
  tail: {
    usage: 'tracetop tail [filters] [--json]',
    flags: [...CONNECTION, ...FILTERS, 'port', 'json', 'no-color'],
    args: [0, 0],
    run: async (_args, flags) => (await import('./tail.js')).tailCommand(flags),
  },
  get: {
    usage: 'tracetop get TRACE_ID [--json] [--redact] [--color | --no-color]',
    flags: [...CONNECTION, 'port', 'json', 'redact', 'color', 'no-color'],
    args: [1, 1],
    run: async (args, flags) => (await import('./get.js')).getCommand(args[0]!, flags),
  },
  score: {
    usage: 'tracetop score TRACE_ID NAME VALUE [--comment TEXT] [--observation ID]',
    flags: [...CONNECTION, 'port', 'comment', 'observation'],
    args: [3, 3],
    run: async (args, flags) => (await import('./score.js')).scoreCommand(args, flags),
  },
  label: {
    usage: 'tracetop label --queue NAME|ID',
    flags: [...CONNECTION, 'port', 'queue', 'no-color', 'theme'],
    args: [0, 0],
    run: async (_args, flags) => (await import('./label.js')).labelCommand(flags),
  },
  config: {
    usage: 'tracetop config doctor [--profile NAME] [--port PORT]',
    flags: [...CONNECTION, 'port'],
    args: [1, 1],
    run: async (args, flags) => {
      if (args[0] !== 'doctor') throw new UsageError(`unknown config command "${args[0]}" (there is: doctor)`, 'config');
      return (await import('./doctor.js')).doctorCommand(flags);
    },
  },
  serve: {
    usage: 'tracetop serve [--port N] [--bind ADDRESS [--allow-remote]] [--db PATH] [--no-stream] [--read-api both|v1|v2] [--rate-limit PLAN] [--retention DURATION] [--max-db-size SIZE]',
    flags: ['port', 'bind', 'allow-remote', 'db', 'no-stream', 'read-api', 'rate-limit', 'retention', 'max-db-size', 'public-key', 'secret-key'],
    args: [0, 0],
    run: async (_args, flags) => (await import('./serve.js')).serveCommand(flags),
  },
  datasets: {
    usage: 'tracetop datasets [--json]',
    flags: [...CONNECTION, 'port', 'json'],
    args: [0, 0],
    run: async (args, flags) => (await import('./datasets.js')).datasetsCommand(args, flags),
  },
  runs: {
    usage: 'tracetop runs DATASET [--json]',
    flags: [...CONNECTION, 'port', 'json'],
    args: [1, 1],
    help: 'datasets',
    run: async (args, flags) => (await import('./datasets.js')).runsCommand(args, flags),
  },
  compare: {
    usage: 'tracetop compare DATASET BASE_RUN NEW_RUN [--json] [--gate EXPR]...',
    flags: [...CONNECTION, 'port', 'json', 'gate'],
    args: [3, 3],
    help: 'datasets',
    run: async (args, flags) => (await import('./compare.js')).compareCommand(args, flags),
  },
  prompts: {
    usage: 'tracetop prompts [NAME] [--version N | --label LABEL] [--json]',
    flags: [...CONNECTION, 'port', 'label', 'json'],
    own: { version: { kind: 'integer', value: 'N', min: 1 } },
    args: [0, 1],
    run: async (args, flags) => (await import('./prompts.js')).promptsCommand(args, flags),
  },
  top: {
    usage: 'tracetop top --by name|model|prompt|release|env|user|tag [--since 15m] [filters] [--json]',
    flags: [...CONNECTION, ...FILTERS, 'port', 'by', 'json'],
    args: [0, 0],
    run: async (args, flags) => (await import('./top.js')).topCommand(args, flags),
  },
};

/** Flags the bare `tracetop` takes besides the TUI's: --version. */
const ROOT_ONLY = ['version'];

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** The command word: the first argument that is neither a flag nor a flag's value. */
function findCommand(argv: string[]): { name: string | null; index: number } {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return { name: null, index: -1 };
    if (!arg.startsWith('-') || arg === '-') return { name: arg, index: i };
    if (arg.startsWith('--') && !arg.includes('=') && VALUE_FLAGS.has(arg.slice(2))) i++;
  }
  return { name: null, index: -1 };
}

/** `tracetop: MESSAGE` on stderr: text from a backend or an argument made inert first. */
function printError(message: string): void {
  process.stderr.write(`tracetop: ${sanitizeText(message, { keepNewlines: true })}\n`);
}

export async function run(argv: string[]): Promise<void> {
  let commandName: string | null = null;
  try {
    // A command returns its exit code, or sets process.exitCode itself.
    const code = await dispatch(argv, (name) => (commandName = name));
    if (typeof code === 'number') process.exitCode = code;
  } catch (error) {
    // A person reads this at 3 a.m.: the message, not a stack trace (set DEBUG=tracetop for it).
    const message = error instanceof Error ? error.message : String(error);
    printError(message);
    const usage = error instanceof UsageError;
    if (usage && !error.showUsage) process.stderr.write('See tracetop --help.\n');
    if (usage && error.showUsage) {
      const name = error.command ?? commandName;
      const command = name ? COMMANDS[name] : COMMANDS.tui;
      if (command) process.stderr.write(`Usage: ${command.usage}\nSee ${name && name !== 'tui' ? `tracetop ${name} --help` : 'tracetop --help'}.\n`);
    }
    if (process.env.DEBUG?.includes('tracetop') && error instanceof Error) process.stderr.write(`${sanitizeText(error.stack ?? '', { keepNewlines: true })}\n`);
    process.exitCode = usage || error?.constructor?.name === 'ConfigError' ? 2 : 1;
  }
}

async function dispatch(argv: string[], named: (name: string) => void): Promise<number | void> {
  const found = findCommand(argv);
  const name = found.name ?? 'tui';
  if (found.name !== null && !COMMANDS[found.name]) {
    // `tracetop --tga production`: the mistake is the flag (which took no value), not a command.
    if (found.index > 0) parseFlags(argv.slice(0, found.index), flagTable([...COMMANDS.tui!.flags, ...ROOT_ONLY]), null);
    const near = nearest(found.name, Object.keys(COMMANDS));
    throw new UsageError(`unknown command "${found.name}"${near ? ` (did you mean ${near}?)` : ''}. Commands: ${Object.keys(COMMANDS).join(', ')}`, null, false);
  }
  named(name);
  const command = COMMANDS[name]!;
  const rest = found.index >= 0 ? [...argv.slice(0, found.index), ...argv.slice(found.index + 1)] : argv;
  const root = found.name === null;
  const table = flagTable(root ? [...command.flags, ...ROOT_ONLY] : command.flags, command.own);
  const { positionals, flags } = parseFlags(rest, table, root ? null : name);
  if (flags.showVersion) {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  if (flags.help) {
    const { COMMAND_HELP, ROOT_HELP } = await import('./command-help.js');
    process.stdout.write(`${(!root && COMMAND_HELP[command.help ?? name]) || ROOT_HELP}\n`);
    return 0;
  }
  const [min, max] = command.args;
  if (positionals.length > max) {
    const extra = positionals[max]!;
    throw new UsageError(
      `unexpected argument "${extra}"${extra.startsWith('—') || extra.startsWith('–') ? ' (a flag needs two ASCII hyphens: --)' : ''}`,
      root ? null : name,
    );
  }
  if (positionals.length < min) {
    const words = command.usage.split(' ').filter((word) => /^[A-Z][A-Z_]+$/.test(word));
    throw new UsageError(`missing ${words.slice(positionals.length, min).join(' ') || 'an argument'}`, root ? null : name);
  }
  return command.run(positionals, flags);
}
