// `tracetop get` as text: the same tree markers and waterfall as the TUI, then the detail of
// the trace. Pure: tested without a network or a terminal.

import type { TraceWithFullDetails } from '../domain/types.js';
import { buildTraceTree, formatDuration, TYPE_MARKERS, waterfallBar } from '../domain/trace-tree.js';
import { fitWidth, sanitizeLine } from '../domain/sanitize.js';
import { detailLines } from '../ui/detail-lines.js';
import { redactTrace } from '../domain/redact.js';

export interface TextStyle {
  red(text: string): string;
  yellow(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

export const PLAIN: TextStyle = { red: (t) => t, yellow: (t) => t, dim: (t) => t, bold: (t) => t };
export const ANSI: TextStyle = {
  red: (t) => `\x1b[31m${t}\x1b[39m`,
  yellow: (t) => `\x1b[33m${t}\x1b[39m`,
  dim: (t) => `\x1b[2m${t}\x1b[22m`,
  bold: (t) => `\x1b[1m${t}\x1b[22m`,
};

export function formatTraceText(trace: TraceWithFullDetails, options: { width?: number; style?: TextStyle; redact?: boolean } = {}): string {
  const width = Math.max(40, options.width ?? 120);
  const style = options.style ?? PLAIN;
  // Names and status messages stay visible under redaction: with their PII masked.
  if (options.redact) trace = redactTrace(trace);
  const tree = buildTraceTree(trace);
  const totalMs = Math.max(1, tree.endMs - tree.startMs);
  const barWidth = Math.floor(width * 0.3);
  const labelWidth = width - barWidth - 9;
  const lines: string[] = [];
  lines.push(style.bold(sanitizeLine(`${trace.name ?? '(unnamed)'}  ${trace.id}`, width)));
  for (const id of tree.order) {
    const node = tree.nodes.get(id)!;
    const observation = node.observation;
    const marks = `${node.orphan ? '⚠orphan ' : ''}${node.cycle ? '⚠cycle ' : ''}`;
    const status = observation.level === 'ERROR' && observation.statusMessage ? `: ${observation.statusMessage}` : '';
    const label = fitWidth(`${'  '.repeat(Math.min(node.depth + 1, 20))}${TYPE_MARKERS[observation.type] ?? '?'} ${marks}${observation.name ?? observation.id}${status}`, labelWidth);
    const duration = fitWidth(observation.type === 'EVENT' ? '' : formatDuration(node.durationMs), 7, 'right');
    const line = `${label} ${duration} ${waterfallBar(node, totalMs, barWidth)}`;
    lines.push(observation.level === 'ERROR' ? style.red(line) : observation.level === 'WARNING' ? style.yellow(line) : line);
  }
  lines.push('');
  for (const detail of detailLines(trace, null, width, 2_000, { redact: options.redact })) lines.push(detail.map((token) => token.text).join(''));
  return `${lines.join('\n').trimEnd()}\n`;
}
