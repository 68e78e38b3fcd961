// `tracetop get TRACE_ID [--json]`.
import { connect } from './connect.js';
import { ANSI, formatTraceText, PLAIN } from './format-trace.js';
import type { TuiFlags } from './tui.js';
import { useColour } from './colour.js';
import { redactId, redactJson } from '../domain/redact.js';
import { terminalSafeJson } from '../domain/sanitize.js';

export async function getCommand(traceId: string | undefined, flags: TuiFlags & { json?: boolean; color?: boolean; redact?: boolean }): Promise<void> {
  if (!traceId) throw new UsageError('usage: tracetop get TRACE_ID [--json]');
  const backend = await connect(flags, (line) => process.stderr.write(`${line}\n`));
  try {
    const trace = await backend.client.getTrace(traceId);
    if (flags.json) {
      const shown = flags.redact
        ? {
            ...trace,
            userId: redactId(trace.userId),
            sessionId: redactId(trace.sessionId),
            input: redactJson(trace.input),
            output: redactJson(trace.output),
            metadata: redactJson(trace.metadata),
            observations: trace.observations.map((o) => ({ ...o, input: redactJson(o.input), output: redactJson(o.output), metadata: redactJson(o.metadata) })),
          }
        : trace;
      process.stdout.write(`${terminalSafeJson(JSON.stringify(shown, null, 2))}\n`);
    }
    else process.stdout.write(formatTraceText(trace, { width: process.stdout.columns || 120, style: useColour(flags) ? ANSI : PLAIN, redact: flags.redact }));
  } finally {
    await backend.close();
  }
}

export class UsageError extends Error {}
