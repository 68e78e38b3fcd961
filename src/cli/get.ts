// `tracetop get TRACE_ID [--json]`.
import { connect } from './connect.js';
import { ANSI, formatTraceText, PLAIN } from './format-trace.js';
import type { CliFlags } from './flags.js';
import { useColour } from './colour.js';
import { redactTrace } from '../domain/redact.js';
import { terminalSafeJson } from '../domain/sanitize.js';
import { stderrLine } from './output.js';

export async function getCommand(traceId: string, flags: CliFlags): Promise<void> {
  const backend = await connect(flags, stderrLine);
  try {
    const trace = await backend.client.getTrace(traceId);
    if (flags.json) {
      const shown = flags.redact ? redactTrace(trace) : trace;
      process.stdout.write(`${terminalSafeJson(JSON.stringify(shown, null, 2))}\n`);
    }
    else process.stdout.write(formatTraceText(trace, { width: process.stdout.columns || 120, style: useColour(flags) ? ANSI : PLAIN, redact: flags.redact }));
  } finally {
    await backend.close();
  }
}
