// Command-line entry: parses flags with meow and hands each command to its module, which is
// imported only when used so `tracetop --version` stays fast.

import meow from 'meow';

const HELP = `
  top for Langfuse: live-tail LLM traces in the terminal.

  Usage
    $ tracetop [filters]              live trace list (a TUI; JSON lines when piped)
    $ tracetop --demo                 embedded backend + demo traffic, no keys needed
    $ tracetop serve                  run the embedded Langfuse-compatible backend

  Filters (the same language as the TUI's / query line)
    --tag TAG             traces carrying the tag (repeatable: all of them)
    --user ID  --session ID  --env ENV (repeatable: any of them)
    --name GLOB           trace name, * and ? as wildcards
    --level error|warning traces with an observation at that level (or worse)
    --score 'NAME<0.5'    score condition, ops < <= > >= = != (repeatable): user_feedback=negative, resolved=false
    --since 15m           or --from/--to ISO times
    --release R  --app-version V   (the trace's version; --version is tracetop's)

  Commands
    tail [filters] [--json]   the live stream as lines (JSON lines for jq)
    get TRACE_ID [--json]     one trace: its tree and waterfall as text, or JSON
    score TRACE_ID NAME VALUE [--comment TEXT] [--observation ID]
                              attach a score (durable: queued until the backend has it);
                              exit 1 if the backend rejects it, 75 if it is unreachable
    label --queue NAME|ID     walk an annotation queue's pending items with the keyboard
    config doctor             where tracetop connects, and whether that works (no secrets shown)
    --no-color            no colour (also NO_COLOR)
    --read-only           no writes: scoring keys are off
    --redact              hide payloads and user/session ids (R toggles in the TUI)
    --theme dark|light    colours for dark or light terminal backgrounds (env TRACETOP_THEME)

  Connection (flags > environment > profile)
    --profile NAME        a profile from $XDG_CONFIG_HOME/tracetop/config.toml (env TRACETOP_PROFILE)
    --host URL            Langfuse host (env LANGFUSE_BASE_URL, LANGFUSE_BASEURL, LANGFUSE_HOST);
                          none: the embedded backend on 127.0.0.1:3939
    --public-key KEY      (env LANGFUSE_PUBLIC_KEY)
    --secret-key KEY      (env LANGFUSE_SECRET_KEY)

  serve
    --port N              default 3939
    --bind ADDRESS        default 127.0.0.1 (loopback only)
    --db PATH             SQLite file (default $XDG_DATA_HOME/tracetop/tracetop.db); :memory: for tests
    --no-stream           no /api/public/stream (behave like stock Langfuse)
    --read-api both|v1|v2 which Langfuse read generation to serve (default both)

  Examples
    $ tracetop --demo
    $ tracetop serve --port 3939
    $ LANGFUSE_BASE_URL=https://cloud.langfuse.com tracetop --tag production
    $ tracetop --tag production --score 'groundedness<0.5' --since 1h
    $ tracetop tail --json --level error | jq -r .id
`;

export async function run(argv: string[]): Promise<void> {
  try {
    await dispatch(argv);
  } catch (error) {
    // A person reads this at 3 a.m.: the message, not a stack trace (set DEBUG=tracetop for it).
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`tracetop: ${message}\n`);
    if (process.env.DEBUG?.includes('tracetop') && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    process.exitCode = error?.constructor?.name === 'UsageError' || error?.constructor?.name === 'ConfigError' ? 2 : 1;
  }
}

async function dispatch(argv: string[]): Promise<void> {
  const cli = meow(HELP, {
    argv,
    importMeta: import.meta,
    autoVersion: true,
    autoHelp: false,
    flags: {
      help: { type: 'boolean', default: false },
      host: { type: 'string' },
      publicKey: { type: 'string' },
      secretKey: { type: 'string' },
      demo: { type: 'boolean', default: false },
      port: { type: 'number' },
      bind: { type: 'string' },
      db: { type: 'string' },
      stream: { type: 'boolean', default: true },
      readApi: { type: 'string' },
      profile: { type: 'string' },
      tag: { type: 'string', isMultiple: true },
      user: { type: 'string' },
      session: { type: 'string' },
      name: { type: 'string' },
      env: { type: 'string', isMultiple: true },
      level: { type: 'string' },
      score: { type: 'string', isMultiple: true },
      since: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      release: { type: 'string' },
      appVersion: { type: 'string' },
      json: { type: 'boolean', default: false },
      color: { type: 'boolean', default: true },
      comment: { type: 'string' },
      readOnly: { type: 'boolean', default: false },
      redact: { type: 'boolean', default: false },
      theme: { type: 'string' },
      queue: { type: 'string' },
      observation: { type: 'string' },
    },
  });
  const [command] = cli.input;
  if (cli.flags.help) {
    const { COMMAND_HELP } = await import('./command-help.js');
    process.stdout.write(`${(command && COMMAND_HELP[command]) || HELP}\n`);
    return;
  }
  switch (command) {
    case 'serve': {
      const { serveCommand } = await import('./serve.js');
      await serveCommand(cli.flags);
      return;
    }
    case undefined:
    case 'tui': {
      const { tuiCommand } = await import('./tui.js');
      await tuiCommand(cli.flags);
      return;
    }
    case 'get': {
      const { getCommand } = await import('./get.js');
      await getCommand(cli.input[1], cli.flags);
      return;
    }
    case 'score': {
      const { scoreCommand } = await import('./score.js');
      process.exitCode = await scoreCommand(cli.input.slice(1), cli.flags);
      return;
    }
    case 'config': {
      if (cli.input[1] !== 'doctor') throw new (await import('./get.js')).UsageError('usage: tracetop config doctor');
      const { doctorCommand } = await import('./doctor.js');
      process.exitCode = await doctorCommand(cli.flags);
      return;
    }
    case 'label': {
      const { labelCommand } = await import('./label.js');
      await labelCommand(cli.flags);
      return;
    }
    case 'tail': {
      const { tailCommand } = await import('./tail.js');
      await tailCommand(cli.flags);
      return;
    }
    default:
      process.stderr.write(`tracetop: unknown command "${command}". See tracetop --help.\n`);
      process.exitCode = 2;
  }
}
