// Pure formatting for `:datasets`: the datasets and runs tables, and the comparison of two runs
// (header with both sides' aggregates and their deltas, one row per item, the detail of one
// item). Every change reads without colour: a sign on each delta and a `+` / `-` mark on each
// row (improved / regressed); colour only repeats it. A missing value is `-`, never 0.

import type { Comparison, ComparisonItem, DatasetSummary, ItemVerdict, RunSummary, ScoreValue } from '../ports/datasets.js';
import { unwrapJsonString } from '../domain/json-view.js';
import { sanitizeText } from '../domain/sanitize.js';
import { formatDuration } from '../domain/trace-tree.js';
import { wrapWords } from './detail-lines.js';
import { formatCost, formatTime } from './format.js';
import type { ColumnSpec } from './table-layout.js';

export const MISSING = '-';

/** A value as one line: strings as they are, anything else as compact JSON. */
export function oneLine(value: unknown): string {
  const unwrapped = unwrapJsonString(value);
  if (unwrapped === null || unwrapped === undefined) return '';
  if (typeof unwrapped === 'string') return unwrapped.replace(/\s+/g, ' ');
  try {
    return JSON.stringify(unwrapped) ?? String(unwrapped);
  } catch {
    return String(unwrapped);
  }
}

/** A value in full for the detail pane: strings as they are, anything else as indented JSON. */
export function fullText(value: unknown): string {
  const unwrapped = unwrapJsonString(value);
  if (unwrapped === null || unwrapped === undefined) return '(none)';
  if (typeof unwrapped === 'string') return unwrapped;
  try {
    return JSON.stringify(unwrapped, null, 2) ?? String(unwrapped);
  } catch {
    return String(unwrapped);
  }
}

export function formatScore(value: ScoreValue | undefined): string {
  if (value === undefined) return MISSING;
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(2);
  return String(value);
}

/** Which way a delta went for the user: lower is better for latency, cost and the scores named so. */
export function deltaDirection(delta: number | null | undefined, lowerIsBetter = false): 'better' | 'worse' | 'same' | null {
  if (delta === null || delta === undefined || Number.isNaN(delta)) return null;
  if (Math.abs(delta) < 1e-9) return 'same';
  return delta > 0 !== lowerIsBetter ? 'better' : 'worse';
}

/** `+0.20`, `-1`, `0`; empty when unknown. */
export function formatDelta(delta: number | null | undefined, format: (value: number) => string = formatNumber): string {
  if (delta === null || delta === undefined || Number.isNaN(delta)) return '';
  if (Math.abs(delta) < 1e-9) return '0';
  return `${delta > 0 ? '+' : '-'}${format(Math.abs(delta))}`;
}

export function formatNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(2);
}

/** A row's mark: `+` improved, `-` regressed, `?` a side missing, blank unchanged. */
export function verdictMark(item: Pick<ComparisonItem, 'verdict' | 'base' | 'new'>): string {
  if (!item.base || !item.new) return '?';
  return item.verdict === 'improved' ? '+' : item.verdict === 'regressed' ? '-' : ' ';
}

/** One score's move on one item: `0 > 1 +1`, `fail > pass`, `0.80` when unchanged. */
export function formatScoreMove(base: ScoreValue | undefined, next: ScoreValue | undefined, delta: number | undefined): string {
  if (base === undefined && next === undefined) return '';
  if (delta !== undefined) return Math.abs(delta) < 1e-9 ? formatScore(next) : `${formatScore(base)}>${formatScore(next)} ${formatDelta(delta)}`;
  if (base === next) return formatScore(next);
  return `${formatScore(base)}>${formatScore(next)}`;
}

export function datasetColumns(): ColumnSpec<DatasetSummary>[] {
  return [
    { id: 'name', header: 'DATASET', min: 12, max: 40, priority: 1, flex: true, cell: (d) => d.name },
    { id: 'items', header: 'ITEMS', min: 5, max: 7, priority: 2, align: 'right', cell: (d) => String(d.itemCount) },
    { id: 'runs', header: 'RUNS', min: 4, max: 6, priority: 3, align: 'right', cell: (d) => String(d.runCount) },
    { id: 'last', header: 'LAST RUN', min: 14, max: 30, priority: 4, cell: (d) => d.lastRun?.name ?? '' },
    { id: 'when', header: 'AT', min: 8, max: 19, priority: 5, cell: (d) => (d.lastRun ? formatWhen(d.lastRun.createdAt) : '') },
    { id: 'description', header: 'DESCRIPTION', min: 12, max: 60, priority: 6, cell: (d) => d.description ?? '' },
  ];
}

/** `12:03:05` today, `2026-11-30 12:03` otherwise. */
export function formatWhen(iso: string, now = new Date()): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  if (date.toDateString() === now.toDateString()) return formatTime(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** Every item-mean and run-score name over the runs, sorted. */
export function runScoreNames(runs: readonly RunSummary[]): { itemMeans: string[]; runScores: string[] } {
  const itemMeans = new Set<string>();
  const runScores = new Set<string>();
  for (const run of runs) {
    Object.keys(run.itemMeans).forEach((name) => itemMeans.add(name));
    Object.keys(run.runScores).forEach((name) => runScores.add(name));
  }
  return { itemMeans: [...itemMeans].sort(), runScores: [...runScores].sort() };
}

export interface RunRowView {
  run: RunSummary;
  marked: boolean;
}

export function runColumns(names: { itemMeans: string[]; runScores: string[] }, errorColour: string | undefined): ColumnSpec<RunRowView>[] {
  return [
    { id: 'mark', header: '', min: 1, max: 1, priority: 1, cell: (row) => (row.marked ? '*' : ' ') },
    { id: 'name', header: 'RUN', min: 12, max: 36, priority: 1, flex: true, cell: (row) => row.run.name },
    { id: 'created', header: 'CREATED', min: 8, max: 16, priority: 3, cell: (row) => formatWhen(row.run.createdAt) },
    { id: 'items', header: 'ITEMS', min: 5, max: 6, priority: 2, align: 'right', cell: (row) => String(row.run.itemCount) },
    ...names.itemMeans.map((name, index): ColumnSpec<RunRowView> => ({
      id: `mean:${name}`,
      header: `avg ${name}`,
      min: Math.min(10, Math.max(6, name.length + 4)),
      max: Math.max(6, Math.min(18, name.length + 4)),
      priority: 4 + index,
      align: 'right',
      cell: (row) => (row.run.itemMeans[name] === undefined ? MISSING : formatNumber(row.run.itemMeans[name]!)),
    })),
    ...names.runScores.map((name, index): ColumnSpec<RunRowView> => ({
      id: `run:${name}`,
      header: name,
      min: Math.min(10, Math.max(6, name.length)),
      max: Math.max(6, Math.min(18, name.length)),
      priority: 5 + index,
      align: 'right',
      cell: (row) => formatScore(row.run.runScores[name]),
    })),
    { id: 'errors', header: 'ERR', min: 3, max: 5, priority: 6, align: 'right', cell: (row) => String(row.run.errorCount), color: (row) => (row.run.errorCount ? errorColour : undefined) },
    { id: 'latency', header: 'AVG LAT', min: 7, max: 8, priority: 7, align: 'right', cell: (row) => (row.run.meanLatency === null ? '' : formatDuration(row.run.meanLatency * 1000)) },
    { id: 'cost', header: 'COST', min: 8, max: 9, priority: 8, align: 'right', cell: (row) => formatCost(row.run.totalCost) },
  ];
}

/** How a cell of the comparison is coloured (by meaning; the screen maps it to theme tokens). */
export type Tone = 'better' | 'worse' | 'missing' | undefined;

export function verdictTone(verdict: ItemVerdict, item: Pick<ComparisonItem, 'base' | 'new'>): Tone {
  if (!item.base || !item.new) return 'missing';
  return verdict === 'improved' ? 'better' : verdict === 'regressed' ? 'worse' : undefined;
}

export interface CompareColumnOptions {
  scoreNames: readonly string[];
  lowerIsBetter?: readonly string[];
}

export function compareColumns(options: CompareColumnOptions): (ColumnSpec<ComparisonItem> & { tone?(item: ComparisonItem): Tone })[] {
  const lower = options.lowerIsBetter ?? [];
  return [
    { id: 'mark', header: '', min: 1, max: 1, priority: 1, cell: verdictMark, tone: (item) => verdictTone(item.verdict, item) },
    { id: 'input', header: 'INPUT', min: 10, max: 28, priority: 2, flex: true, cell: (item) => oneLine(item.input) },
    { id: 'expected', header: 'EXPECTED', min: 8, max: 20, priority: 5, cell: (item) => oneLine(item.expectedOutput) },
    { id: 'base', header: 'BASE OUTPUT', min: 8, max: 16, priority: 3, cell: (item) => (item.base ? oneLine(item.base.output) : MISSING), tone: (item) => (item.base?.error ? 'worse' : undefined) },
    { id: 'new', header: 'NEW OUTPUT', min: 8, max: 16, priority: 3, cell: (item) => (item.new ? oneLine(item.new.output) : MISSING), tone: (item) => (item.new?.error ? 'worse' : undefined) },
    ...options.scoreNames.map((name, index): ColumnSpec<ComparisonItem> & { tone?(item: ComparisonItem): Tone } => ({
      id: `score:${name}`,
      header: name,
      min: Math.max(8, Math.min(14, name.length)),
      max: Math.max(14, Math.min(20, name.length)),
      priority: 2 + index,
      align: 'right',
      cell: (item) => formatScoreMove(item.base?.scores[name], item.new?.scores[name], item.delta[name]),
      tone: (item) => {
        const direction = deltaDirection(item.delta[name], lower.includes(name));
        return direction === 'better' ? 'better' : direction === 'worse' ? 'worse' : undefined;
      },
    })),
  ];
}

export interface HeaderPart {
  text: string;
  tone?: Tone | 'accent';
}

/** The comparison's header: both sides named once, the verdict counts, then each aggregate `base > new delta`. */
export function compareHeader(comparison: Comparison, lowerIsBetter: readonly string[] = []): HeaderPart[][] {
  const { base, new: next, summary, aggregateDelta } = comparison;
  const missing = comparison.items.filter((item) => !item.base || !item.new).length;
  const first: HeaderPart[] = [
    { text: `${comparison.dataset}: base ${base.name} (${base.items}) -> new ${next.name} (${next.items})`, tone: 'accent' },
    { text: `  improved ${summary.improved}`, tone: summary.improved ? 'better' : undefined },
    { text: ` | regressed ${summary.regressed}`, tone: summary.regressed ? 'worse' : undefined },
    { text: ` | unchanged ${summary.unchanged}` },
  ];
  if (missing) first.push({ text: ` | missing ${missing}`, tone: 'missing' });
  const aggregates: HeaderPart[] = [];
  const move = (label: string, from: string, to: string, delta: number | null | undefined, lower: boolean, format?: (value: number) => string) => {
    const direction = deltaDirection(delta, lower);
    const change = direction === 'same' ? '' : formatDelta(delta, format);
    aggregates.push({ text: `${aggregates.length ? ' | ' : ''}${label} ${from}>${to}${change ? ` ${change}` : ''}`, tone: direction === 'better' ? 'better' : direction === 'worse' ? 'worse' : undefined });
  };
  const names = [...new Set([...Object.keys(base.itemMeans), ...Object.keys(next.itemMeans)])].sort();
  for (const name of names) {
    const from = base.itemMeans[name];
    const to = next.itemMeans[name];
    move(`avg ${name}`, from === undefined ? MISSING : formatNumber(from), to === undefined ? MISSING : formatNumber(to), aggregateDelta.itemMeans[name], lowerIsBetter.includes(name));
  }
  const runNames = [...new Set([...Object.keys(base.runScores), ...Object.keys(next.runScores)])].sort();
  for (const name of runNames) move(name, formatScore(base.runScores[name]), formatScore(next.runScores[name]), aggregateDelta.runScores[name], lowerIsBetter.includes(name));
  move('errors', String(base.errorCount), String(next.errorCount), aggregateDelta.errorCount, true);
  const latency = (value: number | null) => (value === null ? MISSING : formatDuration(value * 1000));
  move('avg latency', latency(base.meanLatency), latency(next.meanLatency), aggregateDelta.meanLatency, true, (value) => formatDuration(value * 1000));
  const cost = (value: number | null) => (value === null ? MISSING : formatCost(value));
  move('cost', cost(base.totalCost), cost(next.totalCost), aggregateDelta.totalCost, true, (value) => formatCost(value).replace(/^\$/, '$'));
  return [first, aggregates];
}

/** The selected item in full: input, expected output, both outputs, every score; wrapped to `width`. */
export function compareDetail(item: ComparisonItem, comparison: Pick<Comparison, 'base' | 'new' | 'scoreNames'>, width: number, lowerIsBetter: readonly string[] = []): { text: string; tone?: Tone | 'label' }[] {
  const lines: { text: string; tone?: Tone | 'label' }[] = [];
  const block = (label: string, value: string, tone?: Tone) => {
    lines.push({ text: label, tone: 'label' });
    // Each line wrapped under its own indentation (JSON keeps its shape).
    for (const source of sanitizeText(value, { keepNewlines: true, expandTabs: true }).split('\n')) {
      const indent = ' '.repeat(Math.min(source.length - source.trimStart().length, Math.floor(width / 2)));
      for (const line of wrapWords(source.trimStart(), width - 2 - indent.length)) lines.push({ text: `  ${indent}${line}`, tone });
      if (source.trim() === '') lines.push({ text: '', tone });
    }
  };
  lines.push({ text: `item ${item.datasetItemId}  ${verdictMark(item).trim() || '='} ${item.verdict}`, tone: 'label' });
  for (const name of comparison.scoreNames) {
    const direction = deltaDirection(item.delta[name], lowerIsBetter.includes(name));
    lines.push({ text: `  ${name}: ${formatScoreMove(item.base?.scores[name], item.new?.scores[name], item.delta[name]) || MISSING}`, tone: direction === 'better' ? 'better' : direction === 'worse' ? 'worse' : undefined });
  }
  block('input', fullText(item.input));
  block('expected output', fullText(item.expectedOutput));
  block(`base ${comparison.base.name}${item.base?.error ? ' (error)' : ''}`, item.base ? fullText(item.base.output) : '(did not run this item)', item.base?.error ? 'worse' : undefined);
  block(`new ${comparison.new.name}${item.new?.error ? ' (error)' : ''}`, item.new ? fullText(item.new.output) : '(did not run this item)', item.new?.error ? 'worse' : undefined);
  return lines;
}
