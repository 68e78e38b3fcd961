// `tracetop get TRACE_ID [--json]`.
import { connect } from './connect.js';
import { ANSI, formatTraceText, PLAIN } from './format-trace.js';
import type { TuiFlags } from './tui.js';
import { useColour } from './colour.js';
import { redactId, redactJson } from '../domain/redact.js';

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
      // JSON.stringify escapes C0 controls but not DEL, C1, bidi or invisible format characters: escape
      // those too (still valid JSON) — the same set sanitizeText makes visible, tag characters included.
      const json = JSON.stringify(shown, null, 2).replace(/[\u007f-\u009f\u00ad\u061c\u200b\u200e\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]|\udb40[\udc00-\udc7f]/g, (c) =>
        Array.from({ length: c.length }, (_, i) => `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`).join(''),
      );
      process.stdout.write(`${json}\n`);
    }
    else process.stdout.write(formatTraceText(trace, { width: process.stdout.columns || 120, style: useColour(flags) ? ANSI : PLAIN, redact: flags.redact }));
  } finally {
    await backend.close();
  }
}

export class UsageError extends Error {}
