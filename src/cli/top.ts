// `tracetop top --by name|model|prompt|release|env|user|tag [--since 15m] [filters] [--json]`:
// the window's traffic broken down by one dimension, most traffic first. For model and prompt
// the rows are generations, for the others traces (`src/domain/top.ts`).

import { durationMs } from '../domain/filter-language.js';
import { isTopBy, TOP_BY, type TopBy, type TopGroup } from '../domain/top.js';
import { fitWidth, sanitizeLine, terminalSafeJson } from '../domain/sanitize.js';
import { formatCost, formatTokens } from '../ui/format.js';
import { formatDuration } from '../domain/trace-tree.js';
import { MetricsClient } from '../api/metrics.js';
import type { TopSnapshot } from '../ports/metrics.js';
import { connect } from './connect.js';
import { filterFromCli } from './filter-flags.js';
import type { CliFlags } from './flags.js';
import { stderrLine } from './output.js';
import { UsageError } from './usage.js';

export const DEFAULT_TOP_WINDOW = '15m';

/** The stable shape of one `top --json` line (documented in the README); latencies in ms. */
export function topJsonLine(by: TopBy, group: TopGroup): string {
  return terminalSafeJson(
    JSON.stringify({
      by,
      key: group.key,
      count: group.count,
      errorCount: group.errorCount,
      errorRate: group.errorRate,
      latencyP50: group.latencyP50,
      latencyP95: group.latencyP95,
      totalTokens: group.totalTokens,
      totalCost: group.totalCost,
      scores: group.scores,
    }),
  );
}

const ms = (value: number | null): string => (value === null ? '-' : formatDuration(value));
const percent = (rate: number): string => `${(rate * 100).toFixed(rate > 0 && rate < 0.1 ? 1 : 0)}%`;

/** The table: a summary line, a header, one row per group; every cell sanitised and fitted. */
export function topTextLines(snapshot: TopSnapshot, width = 120, windowText = DEFAULT_TOP_WINDOW): string[] {
  const scoreNames = [...new Set(snapshot.groups.flatMap((group) => Object.keys(group.scores)))].sort().slice(0, 4);
  const columns: [string, number, 'left' | 'right', (g: TopGroup) => string][] = [
    ['COUNT', 7, 'right', (g) => String(g.count)],
    ['/MIN', 7, 'right', (g) => g.ratePerMin.toFixed(1)],
    ['ERR', 6, 'right', (g) => String(g.errorCount)],
    ['ERR%', 6, 'right', (g) => percent(g.errorRate)],
    ['P50', 8, 'right', (g) => ms(g.latencyP50)],
    ['P95', 8, 'right', (g) => ms(g.latencyP95)],
    ['TOKENS', 8, 'right', (g) => formatTokens(g.totalTokens) || '0'],
    ['COST', 10, 'right', (g) => formatCost(g.totalCost) || '$0'],
    ...scoreNames.map((name): [string, number, 'left' | 'right', (g: TopGroup) => string] => [name, Math.max(6, Math.min(14, name.length)), 'right', (g) => (g.scores[name] === undefined ? '-' : g.scores[name]!.toFixed(2))]),
  ];
  const fixed = columns.reduce((sum, [, w]) => sum + w + 1, 0);
  const keyWidth = Math.max(12, width - fixed);
  const row = (key: string, cells: string[]) => sanitizeLine([fitWidth(key, keyWidth), ...cells.map((cell, i) => fitWidth(cell, columns[i]![1], columns[i]![2]))].join(' '), width);
  const total = snapshot.total;
  const summary = `top by ${snapshot.by}, last ${windowText}: ${total.count} ${snapshot.by === 'model' || snapshot.by === 'prompt' ? 'generations' : 'traces'}, ${total.ratePerMin.toFixed(1)}/min, ${percent(total.errorRate)} errors, p95 ${ms(total.latencyP95)}${snapshot.truncated ? ' (capped: more rows than top reads)' : ''}${snapshot.source === 'metrics' ? ' (metrics API)' : ''}`;
  return [
    sanitizeLine(summary, width),
    row(snapshot.by.toUpperCase(), columns.map(([title]) => title)),
    ...snapshot.groups.map((group) => row(group.key ?? '(none)', columns.map(([, , , cell]) => cell(group)))),
  ];
}

export async function topCommand(_args: string[], flags: CliFlags): Promise<void> {
  const by = (flags.by as string | undefined) ?? 'name';
  if (!isTopBy(by)) throw new UsageError(`--by takes one of ${TOP_BY.join(', ')}, not "${by}"`, 'top');
  const windowText = (flags.since as string | undefined) ?? DEFAULT_TOP_WINDOW;
  const windowMs = durationMs(windowText);
  if (windowMs === null) throw new UsageError(`--since takes a duration like 30s, 15m, 2h, 7d, not "${windowText}"`, 'top');
  filterFromCli(flags);
  const backend = await connect(flags, stderrLine);
  try {
    const filter = filterFromCli(flags, backend.filterText);
    const snapshot = await new MetricsClient(backend.client).top({ by, windowMs, filter });
    if (flags.json) {
      for (const group of snapshot.groups) process.stdout.write(`${topJsonLine(by, group)}\n`);
      if (snapshot.truncated) stderrLine(`tracetop: the window holds more rows than top reads (${snapshot.total.count} counted); narrow it with --since or a filter`);
    } else {
      for (const line of topTextLines(snapshot, process.stdout.columns || 120, windowText)) process.stdout.write(`${line}\n`);
    }
  } finally {
    await backend.close();
  }
}
