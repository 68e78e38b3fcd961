// Pure text for `tracetop datasets`, `runs` and `compare`: tables sized to a width, every cell
// from the backend sanitised (names, inputs and outputs are untrusted), no terminal, no network.

import {
  comparisonJson,
  type Comparison,
  type ComparisonItem,
  type DatasetSummary,
  type GateResult,
  type RunSummary,
  type ScoreValue,
} from '../domain/experiments.js';
import { fitWidth, sanitizeLine, terminalSafeJson } from '../domain/sanitize.js';
import { layoutColumns, type ColumnSpec } from '../ui/table-layout.js';
import { formatCost, formatLatency, formatScoreValue } from '../ui/format.js';

export interface TextStyle {
  good(text: string): string;
  bad(text: string): string;
  dim(text: string): string;
}

export const PLAIN_STYLE: TextStyle = { good: (t) => t, bad: (t) => t, dim: (t) => t };
export const ANSI_STYLE: TextStyle = {
  good: (t) => `\u001b[32m${t}\u001b[39m`,
  bad: (t) => `\u001b[31m${t}\u001b[39m`,
  dim: (t) => `\u001b[2m${t}\u001b[22m`,
};

/** A value in one line: strings as they are, anything else as compact JSON. */
export function oneLine(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

const number = (value: number | null | undefined, digits = 3): string => {
  if (value === null || value === undefined || !Number.isFinite(value)) return '';
  return Number.isInteger(value) ? String(value) : value.toFixed(digits);
};

export const signed = (value: number | null | undefined, digits = 3): string => {
  if (value === null || value === undefined || !Number.isFinite(value)) return '';
  if (Math.abs(value) < 1e-12) return '0';
  const text = Number.isInteger(value) ? String(Math.abs(value)) : Math.abs(value).toFixed(digits);
  return `${value > 0 ? '+' : '-'}${text}`;
};

/** Up to 6 decimals, trailing zeros dropped: a threshold as it was written. */
const trimmed = (value: number): string => String(Number(value.toFixed(6)));

const scoreText = (value: ScoreValue | undefined): string => (value === undefined ? '' : typeof value === 'number' ? number(value) : formatScoreValue(value));

const date = (iso: string | null | undefined): string => (iso ? iso.replace('T', ' ').slice(0, 16) : '');

function table<Row>(columns: ColumnSpec<Row>[], rows: readonly Row[], width: number): string[] {
  const laid = layoutColumns(columns, width);
  const header = laid.map((column) => fitWidth(column.header, column.width, column.align ?? 'left', '~')).join(' ').trimEnd();
  const lines = [header];
  for (const row of rows) {
    lines.push(
      laid
        .map((column) => fitWidth(column.cell(row), column.width, column.align ?? 'left', '~'))
        .join(' ')
        .trimEnd(),
    );
  }
  return lines;
}

const means = (values: Record<string, number>): string =>
  Object.entries(values)
    .map(([name, value]) => `${name} ${number(value)}`)
    .join('  ');

const runScoreLine = (values: Record<string, ScoreValue>): string =>
  Object.entries(values)
    .map(([name, value]) => `${name} ${scoreText(value)}`)
    .join('  ');

export function formatDatasets(datasets: readonly DatasetSummary[], width: number): string {
  if (datasets.length === 0) return 'No datasets. Create one with the Langfuse SDK (or run tracetop --demo).\n';
  const lines = table<DatasetSummary>(
    [
      { id: 'name', header: 'DATASET', min: 10, max: 24, priority: 1, flex: true, cell: (d) => d.name },
      { id: 'items', header: 'ITEMS', min: 5, max: 7, priority: 2, align: 'right', cell: (d) => String(d.itemCount) },
      { id: 'runs', header: 'RUNS', min: 4, max: 6, priority: 2, align: 'right', cell: (d) => String(d.runCount) },
      { id: 'last', header: 'LAST RUN', min: 10, max: 24, priority: 3, cell: (d) => d.lastRun?.name ?? '' },
      { id: 'at', header: 'AT (UTC)', min: 16, max: 16, priority: 4, cell: (d) => date(d.lastRun?.createdAt) },
      { id: 'desc', header: 'DESCRIPTION', min: 10, max: 60, priority: 5, cell: (d) => d.description ?? '' },
    ],
    datasets,
    width,
  );
  return `${lines.join('\n')}\n`;
}

export function formatRuns(dataset: string, runs: readonly RunSummary[], width: number): string {
  const title = sanitizeLine(`${dataset}: ${runs.length} run${runs.length === 1 ? '' : 's'}, newest first`, width);
  if (runs.length === 0) return `${title}\n`;
  const lines = table<RunSummary>(
    [
      { id: 'name', header: 'RUN', min: 10, max: 24, priority: 1, flex: true, cell: (r) => r.name },
      { id: 'at', header: 'CREATED (UTC)', min: 16, max: 16, priority: 3, cell: (r) => date(r.createdAt) },
      { id: 'items', header: 'ITEMS', min: 5, max: 7, priority: 2, align: 'right', cell: (r) => String(r.itemCount) },
      { id: 'errors', header: 'ERR', min: 3, max: 5, priority: 2, align: 'right', cell: (r) => String(r.errorCount) },
      { id: 'latency', header: 'LATENCY', min: 7, max: 8, priority: 4, align: 'right', cell: (r) => formatLatency(r.meanLatency) },
      { id: 'cost', header: 'COST', min: 8, max: 9, priority: 4, align: 'right', cell: (r) => formatCost(r.totalCost) },
      { id: 'means', header: 'ITEM SCORES (MEAN)', min: 12, max: 50, priority: 2, cell: (r) => means(r.itemMeans) },
      { id: 'run', header: 'RUN SCORES', min: 14, max: 40, priority: 2, cell: (r) => runScoreLine(r.runScores) },
    ],
    runs,
    width,
  );
  return `${title}\n${lines.join('\n')}\n`;
}

/** `+`, `-` or a space: the verdict without colour. */
export const VERDICT_MARK = { improved: '+', regressed: '-', unchanged: ' ' } as const;

function aggregateRows(comparison: Comparison): [string, string, string, string, number | null][] {
  const { base, new: next, aggregateDelta: delta } = comparison;
  const rows: [string, string, string, string, number | null][] = [['items', String(base.items), String(next.items), signed(next.items - base.items), null]];
  for (const name of [...new Set([...Object.keys(base.itemMeans), ...Object.keys(next.itemMeans)])].sort()) {
    rows.push([`${name} (item mean)`, number(base.itemMeans[name]), number(next.itemMeans[name]), signed(delta.itemMeans[name]), delta.itemMeans[name] ?? null]);
  }
  for (const name of [...new Set([...Object.keys(base.runScores), ...Object.keys(next.runScores)])].sort()) {
    rows.push([`${name} (run)`, scoreText(base.runScores[name]), scoreText(next.runScores[name]), signed(delta.runScores[name]), delta.runScores[name] ?? null]);
  }
  rows.push(['errors', String(base.errorCount), String(next.errorCount), signed(delta.errorCount), delta.errorCount === 0 ? null : -delta.errorCount]);
  const change = (value: number | null, epsilon: number, format: (v: number) => string) =>
    value === null ? '' : Math.abs(value) < epsilon ? '0' : `${value > 0 ? '+' : '-'}${format(Math.abs(value))}`;
  rows.push(['mean latency', formatLatency(base.meanLatency), formatLatency(next.meanLatency), change(delta.meanLatency, 0.0005, formatLatency), null]);
  rows.push(['total cost', formatCost(base.totalCost), formatCost(next.totalCost), change(delta.totalCost, 1e-9, formatCost), null]);
  return rows;
}

function scoreCell(item: ComparisonItem, name: string): string {
  const b = item.base?.scores[name];
  const n = item.new?.scores[name];
  if (b === undefined && n === undefined) return '';
  const d = item.delta[name];
  return `${scoreText(b) || '-'}>${scoreText(n) || '-'}${d === undefined || Math.abs(d) < 1e-12 ? '' : ` ${signed(d)}`}`;
}

export interface ComparisonTextOptions {
  width: number;
  /** Rows of items to show (the first screen's worth); all when absent. */
  maxItems?: number;
  style?: TextStyle;
}

/** The comparison as a person reads it: aggregates with deltas, one row per item, the summary. */
export function formatComparison(comparison: Comparison, options: ComparisonTextOptions): string {
  const { width } = options;
  const style = options.style ?? PLAIN_STYLE;
  const lines: string[] = [];
  lines.push(sanitizeLine(`${comparison.dataset}: ${comparison.base.name} (base) vs ${comparison.new.name} (new)`, width));
  const labelWidth = Math.min(40, Math.max(12, ...aggregateRows(comparison).map(([label]) => label.length)));
  const valueWidth = 12;
  lines.push(`${fitWidth('', labelWidth)} ${fitWidth('base', valueWidth, 'right')} ${fitWidth('new', valueWidth, 'right')} ${fitWidth('delta', valueWidth, 'right')}`);
  for (const [label, base, next, delta, gain] of aggregateRows(comparison)) {
    const deltaCell = fitWidth(delta, valueWidth, 'right', '~');
    const painted = gain === null || Math.abs(gain) < 1e-12 ? deltaCell : gain > 0 ? style.good(deltaCell) : style.bad(deltaCell);
    lines.push(`${fitWidth(label, labelWidth, 'left', '~')} ${fitWidth(base, valueWidth, 'right', '~')} ${fitWidth(next, valueWidth, 'right', '~')} ${painted}`.trimEnd());
  }
  lines.push('');
  const shown = options.maxItems === undefined ? comparison.items : comparison.items.slice(0, options.maxItems);
  const mark = (item: ComparisonItem) => VERDICT_MARK[item.verdict];
  const itemLines = table<ComparisonItem>(
    [
      { id: 'mark', header: ' ', min: 1, max: 1, priority: 1, cell: mark },
      { id: 'item', header: 'ITEM', min: 8, max: 20, priority: 3, flex: true, cell: (i) => i.datasetItemId },
      { id: 'input', header: 'INPUT', min: 10, max: 30, priority: 2, cell: (i) => oneLine(i.input) },
      { id: 'expected', header: 'EXPECTED', min: 8, max: 16, priority: 3, cell: (i) => oneLine(i.expectedOutput) },
      { id: 'base', header: 'BASE OUTPUT', min: 8, max: 24, priority: 2, cell: (i) => (i.base ? oneLine(i.base.output) : '(not run)') },
      { id: 'new', header: 'NEW OUTPUT', min: 8, max: 24, priority: 1, cell: (i) => (i.new ? oneLine(i.new.output) : '(not run)') },
      // Scores first to be kept and to reach their width: they are what a comparison is for.
      ...comparison.scoreNames.map(
        (name, index): ColumnSpec<ComparisonItem> => ({
          id: `score:${name}`,
          header: name,
          min: Math.min(16, Math.max(9, name.length)),
          max: Math.min(24, Math.max(12, name.length)),
          priority: index < 3 ? 1 : 3,
          cell: (i) => scoreCell(i, name),
        }),
      ),
    ],
    shown,
    width,
  );
  lines.push(itemLines[0]!);
  shown.forEach((item, index) => {
    const line = itemLines[index + 1]!;
    lines.push(item.verdict === 'improved' ? style.good(line) : item.verdict === 'regressed' ? style.bad(line) : line);
  });
  if (shown.length < comparison.items.length) lines.push(style.dim(`… ${comparison.items.length - shown.length} more items (--json for all)`));
  const { improved, regressed, unchanged } = comparison.summary;
  lines.push('');
  lines.push(`${improved} improved (+), ${regressed} regressed (-), ${unchanged} unchanged`);
  return `${lines.join('\n')}\n`;
}

/** One gate with its figures: `PASS mean_accuracy>=+0.05  run score: base 0.800, new 1.000, delta +0.200`. */
export function formatGate(result: GateResult, style: TextStyle = PLAIN_STYLE): string {
  const verdict = result.pass ? style.good('PASS') : style.bad('FAIL');
  const expr = sanitizeLine(result.expr, 80);
  if (result.reason) return `${verdict} ${expr}  ${sanitizeLine(result.reason, 160)}`;
  const bound = trimmed(result.threshold);
  const needs = result.mode === 'delta' ? `delta ${result.operator} ${result.threshold >= 0 ? '+' : ''}${bound}` : `new ${result.operator} ${bound}`;
  return `${verdict} ${expr}  ${result.source}: base ${number(result.base)}, new ${number(result.new)}, delta ${signed(result.delta)} (needs ${needs})`;
}

/** The `compare --json` text: the issue's object, escape sequences in content made inert. */
export function comparisonJsonText(comparison: Comparison): string {
  return `${terminalSafeJson(JSON.stringify(comparisonJson(comparison), null, 2))}\n`;
}
