// `tracetop COMMAND --help`: each command's own usage, with examples.
export const COMMAND_HELP: Record<string, string> = {
  serve: `
  Usage: tracetop serve [--port 3939] [--bind 127.0.0.1] [--db PATH] [--no-stream] [--read-api both|v1|v2]

  The embedded Langfuse-compatible backend (SQLite). Keys: LANGFUSE_PUBLIC_KEY/LANGFUSE_SECRET_KEY,
  else --public-key/--secret-key, else a pair generated once into $XDG_DATA_HOME/tracetop/keys.json.

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
  Usage: tracetop get TRACE_ID [--json] [--redact] [--no-color]

  One trace: its observation tree with the timing waterfall and its detail as text, or as JSON.

  Examples
    $ tracetop get 4bf92f3577b34da6a3ce929d0e0e4736
    $ tracetop get 4bf92f3577b34da6a3ce929d0e0e4736 --json | jq '.observations | length'
`,
  score: `
  Usage: tracetop score TRACE_ID NAME VALUE [--comment TEXT] [--observation ID]

  Attaches one score, typed by the backend's score config of that name when there is one. It goes
  through the durable queue: exit 0 stored, 1 rejected (reason printed), 2 usage, 75 backend
  unreachable (queued; the next tracetop run sends it).

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
};
