// Pure formatting for `:top` and the trace list's summary line: column specs (for
// layoutColumns), the header, and the cells. ASCII only: these rows redraw a few times a second.

import { formatDuration } from '../domain/trace-tree.js';
import type { TopColumn, TopGroup, TopResult } from '../ports/metrics.js';
import { formatCost, formatTokens } from './format.js';
import { sparkline } from './sparkline.js';
import type { ColumnSpec } from './table-layout.js';

/** A row of the top table: a group in the window, or one that left it (a tombstone). */
export interface TopRowView {
  group: TopGroup;
  gone: boolean;
}

/** Percentiles from fewer rows than this are marked `~` (small samples jump). */
export const SMALL_N = 20;

export const formatPercent = (rate: number): string => (rate === 0 ? '0%' : rate < 0.001 ? '<0.1%' : `${(rate * 100).toFixed(rate < 0.1 ? 1 : 0)}%`);
export const formatRate = (perMin: number): string => (perMin === 0 ? '0' : perMin < 0.1 ? '<0.1' : perMin < 100 ? perMin.toFixed(1) : String(Math.round(perMin)));
export const formatCount = (count: number): string => count.toLocaleString('en-US');

/** p50/p95 in ms, `~` in front when the sample is small. */
export function formatPercentile(ms: number | null, count: number): string {
  if (ms === null) return '';
  return `${count < SMALL_N ? '~' : ''}${formatDuration(ms)}`;
}

export function formatScoreMean(value: number | undefined): string {
  if (value === undefined) return '';
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(2);
}

/** A right-aligned column of one score's mean, as wide as its name allows. */
export function scoreMeanColumn<Row>(name: string, header: string, priority: number, mean: (row: Row) => number | undefined): ColumnSpec<Row> {
  return {
    id: `score:${name}`,
    header,
    min: Math.min(12, Math.max(5, name.length)),
    max: Math.min(14, Math.max(6, name.length)),
    priority,
    align: 'right',
    cell: (row) => formatScoreMean(mean(row)),
  };
}

/** The row's flag: text as well as colour. */
export function topFlag(row: TopRowView): string {
  if (row.gone) return 'GONE';
  if (row.group.turnedBad) return 'ERR!';
  if (row.group.appeared) return 'NEW';
  return '';
}

export const groupLabel = (key: string | null): string => key ?? '(none)';

/** The column ids `TopColumn` sorts on, by column id. */
const SORT_FOR: Record<string, TopColumn> = { group: 'key', count: 'count', rate: 'rate', err: 'errorRate', p50: 'p50', p95: 'p95', tokens: 'tokens', cost: 'cost' };

export function sortMark(column: string, sort: TopColumn, descending: boolean): string {
  const matches = SORT_FOR[column] === sort || (column.startsWith('score:') && column === sort);
  return matches ? (descending ? 'v' : '^') : '';
}

/** The table's columns: fixed numbers right-aligned, the group name flexible, a score column per score, the sparkline last. */
export function topColumns(
  scoreNames: readonly string[],
  sparkWidth: number,
  colours: { error?: string; warning?: string; muted?: string },
  /** The widest group label on screen: the group names the row, so it is kept whole (up to 28) before any optional column. */
  groupNeed = 10,
): ColumnSpec<TopRowView>[] {
  const errorColour = (row: TopRowView) => (row.gone ? colours.muted : row.group.errorRate >= 0.05 || row.group.turnedBad ? colours.error : row.group.errorCount ? colours.warning : undefined);
  return [
    { id: 'flag', header: '', min: 4, max: 4, priority: 3, cell: topFlag, color: (row) => (row.gone ? colours.muted : row.group.turnedBad ? colours.error : row.group.appeared ? colours.warning : undefined) },
    { id: 'group', header: 'GROUP', min: Math.max(10, Math.min(28, groupNeed)), max: 36, priority: 1, flex: true, cell: (row) => groupLabel(row.group.key), color: (row) => (row.gone ? colours.muted : undefined) },
    { id: 'count', header: 'COUNT', min: 6, max: 8, priority: 2, align: 'right', cell: (row) => formatCount(row.group.count) },
    { id: 'rate', header: 'RATE/m', min: 6, max: 7, priority: 5, align: 'right', cell: (row) => formatRate(row.group.ratePerMin) },
    { id: 'err', header: 'ERR%', min: 5, max: 6, priority: 2, align: 'right', cell: (row) => formatPercent(row.group.errorRate), color: errorColour },
    { id: 'p50', header: 'P50', min: 7, max: 8, priority: 6, align: 'right', cell: (row) => formatPercentile(row.group.latencyP50, row.group.count) },
    { id: 'p95', header: 'P95', min: 7, max: 8, priority: 4, align: 'right', cell: (row) => formatPercentile(row.group.latencyP95, row.group.count) },
    { id: 'tokens', header: 'TOKENS', min: 6, max: 7, priority: 9, align: 'right', cell: (row) => formatTokens(row.group.totalTokens) },
    { id: 'cost', header: 'COST', min: 8, max: 9, priority: 8, align: 'right', cell: (row) => formatCost(row.group.totalCost) },
    // A score mean is what tells one prompt version from another: before tokens, cost and the sparkline.
    ...scoreNames.map((name, index) => scoreMeanColumn<TopRowView>(name, name.toUpperCase(), 6.5 + index / 100, (row) => row.group.scores[name])),
    { id: 'spark', header: 'COUNT/ERRORS', min: sparkWidth, max: sparkWidth, priority: 7, cell: (row) => sparkline(row.group.sparkCount, row.group.sparkErrors, sparkWidth) },
  ];
}

/** Every numeric score seen in the window, sorted. */
export function topScoreNames(result: TopResult | null): string[] {
  if (!result) return [];
  const names = new Set<string>(Object.keys(result.total.scores));
  for (const group of result.groups) for (const name of Object.keys(group.scores)) names.add(name);
  return [...names].sort();
}

const clock = (ms: number): string => new Date(ms).toTimeString().slice(0, 8);

/** The screen's first line: grouping, window, totals, and how fresh the figures are. */
export function topHeader(options: {
  by: string;
  window: string;
  result: TopResult | null;
  source: 'stream' | 'reader' | null;
  asOf: number | null;
  bufferedSince: number | null;
  rowsAre: 'traces' | 'generations';
  groups: number;
}): string {
  const parts = [`top by ${options.by}`, `last ${options.window}`];
  const total = options.result?.total;
  if (total) {
    parts.push(`${formatCount(total.count)} ${options.rowsAre}`, `${formatRate(total.ratePerMin)}/min`, `err ${formatPercent(total.errorRate)}`);
    if (total.latencyP95 !== null) parts.push(`p95 ${formatPercentile(total.latencyP95, total.count)}`);
    parts.push(`${options.groups} group${options.groups === 1 ? '' : 's'}`);
  }
  if (options.asOf !== null) parts.push(`as of ${clock(options.asOf)}${options.source === 'reader' ? ' (read)' : ' (live)'}`);
  if (options.bufferedSince !== null) parts.push(`buffer since ${clock(options.bufferedSince)}`);
  return parts.join(' | ');
}

/** The trace list's header: the last 15 minutes in one line (text parts; the sparkline last). */
export function summaryLine(result: TopResult | null, sparkWidth: number): { text: string; spark: string; errors: boolean } | null {
  if (!result) return null;
  const total = result.total;
  if (total.count === 0) return { text: '15m: no traces', spark: '', errors: false };
  const parts = [`15m: ${formatCount(total.count)} ${total.count === 1 ? 'trace' : 'traces'}`, `${formatRate(total.ratePerMin)}/min`, `err ${formatPercent(total.errorRate)}`];
  if (total.latencyP95 !== null) parts.push(`p95 ${formatPercentile(total.latencyP95, total.count)}`);
  return { text: parts.join('  '), spark: sparkline(total.sparkCount, total.sparkErrors, sparkWidth), errors: total.errorCount > 0 };
}
