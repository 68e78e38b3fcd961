// `tracetop get TRACE_ID [--json]`.
import { connect } from './connect.js';
import { ANSI, formatTraceText, PLAIN } from './format-trace.js';
import type { TuiFlags } from './tui.js';
import { useColour } from './colour.js';

export async function getCommand(traceId: string | undefined, flags: TuiFlags & { json?: boolean; color?: boolean }): Promise<void> {
  if (!traceId) throw new UsageError('usage: tracetop get TRACE_ID [--json]');
  const backend = await connect(flags, (line) => process.stderr.write(`${line}\n`));
  try {
    const trace = await backend.client.getTrace(traceId);
    if (flags.json) process.stdout.write(`${JSON.stringify(trace, null, 2)}\n`);
    else process.stdout.write(formatTraceText(trace, { width: process.stdout.columns || 120, style: useColour(flags) ? ANSI : PLAIN }));
  } finally {
    await backend.close();
  }
}

export class UsageError extends Error {}
