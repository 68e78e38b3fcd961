// `tracetop --help` and `tracetop COMMAND --help`: each command's own usage, with examples.

export const ROOT_HELP = `
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
    --prompt NAME[@VERSION]  --model NAME

  Commands
    tail [filters] [--json]   the live stream as lines (JSON lines for jq)
    get TRACE_ID [--json]     one trace: its tree and waterfall as text, or JSON
    score TRACE_ID NAME VALUE [--comment TEXT] [--observation ID]
                              attach a score (durable: queued until the backend has it);
                              exit 1 if the backend rejects it, 75 if it is unreachable
    label --queue NAME|ID     walk an annotation queue's pending items with the keyboard
    config doctor             where tracetop connects, and whether that works (no secrets shown)
    datasets [--json]         datasets; runs DATASET [--json]; compare DATASET BASE_RUN NEW_RUN [--gate EXPR]
    prompts [NAME]            prompt versions (--version N | --label L) [--json]
    top --by name|model|…     the heaviest names, models, prompts … over a window [--since 15m]

  Flags are strict: an unknown flag or one missing its value is an error (exit 2), never ignored.
  tracetop COMMAND --help shows a command's own flags.

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
    --bind ADDRESS        default 127.0.0.1; another address needs --allow-remote
    --db PATH             SQLite file (default $XDG_DATA_HOME/tracetop/tracetop.db); :memory: for tests
    --no-stream           no /api/public/stream (behave like stock Langfuse)
    --read-api both|v1|v2 which Langfuse read generation to serve (default both)
    --rate-limit PLAN  --retention DURATION  --max-db-size SIZE   (tracetop serve --help)

  On a terminal with TERM=dumb (no cursor addressing) tracetop prints the live stream as lines,
  as tracetop tail does.

  Examples
    $ tracetop --demo
    $ tracetop serve --port 3939
    $ LANGFUSE_BASE_URL=https://cloud.langfuse.com tracetop --tag production
    $ tracetop --tag production --score 'groundedness<0.5' --since 1h
    $ tracetop tail --json --level error | jq -r .id
`;

export const COMMAND_HELP: Record<string, string> = {
  serve: `
  Usage: tracetop serve [--port 3939] [--bind 127.0.0.1 [--allow-remote]] [--db PATH] [--no-stream]
                       [--read-api both|v1|v2] [--rate-limit PLAN] [--retention DURATION] [--max-db-size SIZE]
                       [--public-key KEY --secret-key KEY]

  The embedded Langfuse-compatible backend (SQLite). Keys: LANGFUSE_PUBLIC_KEY/LANGFUSE_SECRET_KEY,
  else --public-key/--secret-key, else a pair generated once into $XDG_DATA_HOME/tracetop/keys.json.

    --port N              0–65535 (default 3939; 0 picks a free port)
    --bind ADDRESS        default 127.0.0.1. A non-loopback address (0.0.0.0, a LAN address) makes the
                          server reachable from the network: refused unless --allow-remote is given too,
                          and then a warning on every start (a generated secret is not printed then)
    --db PATH             SQLite file (default $XDG_DATA_HOME/tracetop/tracetop.db); :memory: keeps nothing
    --no-stream           no /api/public/stream (behave like stock Langfuse)
    --read-api both|v1|v2 which Langfuse read generation to serve (default both)
    --rate-limit PLAN     answer 429 as Langfuse Cloud does for that plan
    --retention DURATION  prune traces older than that (30d), in the background
    --max-db-size SIZE    prune the oldest traces past that size (2GB)

  Examples
    $ tracetop serve
    $ tracetop serve --port 4000 --db /var/lib/tracetop/traces.db
`,
  tail: `
  Usage: tracetop tail [filters] [--json]

  The live stream as lines: one JSON object per trace change (--json, for jq), or one compact line.
  Filters as for the TUI: --tag --user --session --name --env --level --score --since --from --to --release --app-version

  Examples
    $ tracetop tail --json --tag production | jq -r 'select(.errorCount > 0) | .id'
    $ tracetop tail --level error --since 15m
`,
  get: `
  Usage: tracetop get TRACE_ID [--json] [--redact] [--color | --no-color]

  One trace: its observation tree with the timing waterfall and its detail as text, or as JSON.

  Examples
    $ tracetop get 4bf92f3577b34da6a3ce929d0e0e4736
    $ tracetop get 4bf92f3577b34da6a3ce929d0e0e4736 --json | jq '.observations | length'
`,
  score: `
  Usage: tracetop score TRACE_ID NAME VALUE [--comment TEXT] [--observation ID]

  Attaches one score, typed by the backend's score config of that name when there is one. It goes
  through the durable queue.

  Exit codes
    0   stored (what was stored is printed)
    1   rejected by the backend (reason printed; kept in the journal as failed), or the keys were
        refused (401/403: nothing is queued)
    2   usage (unknown flag, missing value or argument)
    75  the backend cannot be reached: the score is queued and the next tracetop run sends it

  Examples
    $ tracetop score 4bf92f35… user_feedback negative --comment "wrong city"
    $ tracetop score 4bf92f35… groundedness 0.4 --observation 00f067aa0ba902b7
`,
  label: `
  Usage: tracetop label --queue NAME|ID

  Walks an annotation queue's pending items: 1–9 score with one of the queue's configs, Enter/c
  completes the item and moves on, n/p skip back and forth, q quits. A second run resumes.

  Example
    $ tracetop label --queue triage
`,
  config: `
  Usage: tracetop config doctor [--profile NAME]

  Shows where tracetop connects (host, key sources, profile), whether the host answers, the keys are
  accepted, which Langfuse read generation it has and whether it streams. Secrets are never printed.
`,
  datasets: `
  Usage: tracetop datasets [--json]
         tracetop runs DATASET [--json]
         tracetop compare DATASET BASE_RUN NEW_RUN [--json] [--gate EXPR]...

  Datasets, their runs, and two runs compared item by item (--gate fails the exit code when an
  expression does not hold).
`,
  prompts: `
  Usage: tracetop prompts [NAME] [--version N | --label LABEL] [--json]

  Prompts and their versions; with NAME, one prompt (a version or a label's version).
  --json: one line per prompt {"name","versions","labels":{label:version},"type","tags","lastUpdatedAt"},
  or with NAME the version {"name","version","type","labels","tags","commitMessage","config","prompt"}.

  Examples:
    $ tracetop prompts support-agent              (the version labelled production)
    $ tracetop prompts support-agent --version 1 --json | jq -r .prompt
`,
  top: `
  Usage: tracetop top --by name|model|prompt|release|env|user|tag [--since 15m] [filters] [--json]

  The heaviest groups over a window: count, errors, latency, cost.
  By model and prompt (key NAME@VERSION) the rows are generations, otherwise traces.
  --json: one line per group, most traffic first:
    {"by","key","count","errorCount","errorRate","latencyP50","latencyP95","totalTokens","totalCost","scores"}

  Examples:
    $ tracetop top --by prompt --since 1h
    $ tracetop top --by model --tag production --json | jq 'select(.errorRate > 0.1)'
`,
};
