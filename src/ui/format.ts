// Pure formatting of trace summaries for the list (and for `tail`): no terminal, no React.

import type { TraceSummary } from '../domain/types.js';
import { formatDuration } from '../domain/trace-tree.js';

/**
 * What ends a cell or row label cut to fit in the list and the tree: ASCII, because a line
 * with one non-ASCII character (…) takes Ink's slow measuring path, and nearly every row has
 * a cut cell.
 */
export const CUT = '~';

export function formatTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '--:--:--';
  return date.toTimeString().slice(0, 8);
}

export function formatCost(cost: number | null | undefined): string {
  if (cost === null || cost === undefined) return '';
  if (cost === 0) return '$0';
  if (cost < 0.0001) return '<$0.0001';
  if (cost < 1) return `$${cost.toFixed(4)}`;
  return `$${cost.toFixed(2)}`;
}

export function formatTokens(count: number): string {
  if (!count) return '';
  if (count < 1000) return String(count);
  if (count < 1_000_000) return `${(count / 1000).toFixed(count < 10_000 ? 1 : 0)}k`;
  return `${(count / 1_000_000).toFixed(1)}M`;
}

export function formatLatency(seconds: number | null): string {
  return seconds === null ? '' : formatDuration(seconds * 1000);
}

export function formatLevels(trace: Pick<TraceSummary, 'errorCount' | 'warningCount'>): string {
  const parts: string[] = [];
  if (trace.errorCount) parts.push(`${trace.errorCount}E`);
  if (trace.warningCount) parts.push(`${trace.warningCount}W`);
  return parts.join(' ');
}

export function formatScoreValue(value: number | string | boolean): string {
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(2);
  return String(value);
}

export function formatScores(scores: TraceSummary['scores']): string {
  return Object.entries(scores)
    .map(([name, value]) => `${name} ${formatScoreValue(value)}`)
    .join('  ');
}

/** `1 turn`, `2 turns`: a count with its noun in the right number. */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? singular : pluralForm}`;
}
