// Two runs side by side, one row per dataset item: input, expected output, each run's output
// (cut to fit; in full in the detail pane), each score's move and delta. Regressions and
// improvements are marked `-` / `+` on the row and signed on each delta (colour repeats it).
// `d` sorts by a score's delta, worst first; `r` / `i` show regressions / improvements only;
// `w` swaps the sides; Enter opens the new run's trace (`b` the base run's), Esc comes back to
// the same item.
import React, { useMemo } from 'react';
import { Box, Text } from 'ink';
import { REDACTED, redactJson } from '../../domain/redact.js';
import { sanitizeLine, stringWidth } from '../../domain/sanitize.js';
import type { ComparisonItem } from '../../ports/datasets.js';
import { compareCursor, compareRows } from '../../store/slices/datasets.js';
import { layoutColumns } from '../table-layout.js';
import { compareColumns, compareDetail, compareHeader, type HeaderPart, type Tone } from '../format-datasets.js';
import { Table } from '../components/Table.js';
import { useTui } from '../store-context.js';
import { theme } from '../theme.js';
import { Title } from '../components/Title.js';

export const toneColour = (tone: Tone | 'accent' | 'label' | undefined): string | undefined =>
  tone === 'better' ? theme.better : tone === 'worse' ? theme.worse : tone === 'missing' ? theme.missing : tone === 'accent' ? theme.accent : tone === 'label' ? theme.muted : undefined;

/** Header parts flowed into at most `maxLines` lines of `width` columns. */
export function flowParts(parts: readonly HeaderPart[], width: number, maxLines: number): HeaderPart[][] {
  const lines: HeaderPart[][] = [[]];
  let used = 0;
  for (const part of parts) {
    const text = lines[lines.length - 1]!.length === 0 ? part.text.replace(/^ \| /, '') : part.text;
    if (used > 0 && used + stringWidth(text) > width && lines.length < maxLines) {
      lines.push([]);
      used = 0;
      const trimmed = part.text.replace(/^ \| |^ {2}/, '');
      lines[lines.length - 1]!.push({ ...part, text: trimmed });
      used += stringWidth(trimmed);
      continue;
    }
    lines[lines.length - 1]!.push({ ...part, text });
    used += stringWidth(text);
  }
  return lines;
}

function PartsLine({ parts, width }: { parts: HeaderPart[]; width: number }) {
  let room = Math.max(0, width - 1);
  return (
    <Text wrap="truncate-end">
      {parts.map((part, index) => {
        if (room <= 0) return null;
        const text = sanitizeLine(part.text, room, '~');
        room -= stringWidth(text);
        return (
          <Text key={index} color={toneColour(part.tone)} bold={part.tone === 'accent'}>
            {text}
          </Text>
        );
      })}
    </Text>
  );
}

export function CompareScreen({ width, height }: { width: number; height: number }) {
  const comparison = useTui((state) => state.datasets.comparison);
  const view = useTui((state) => state.datasets.view);
  const pair = useTui((state) => state.datasets.pair);
  const dataset = useTui((state) => state.datasets.dataset);
  const redact = useTui((state) => state.redact);
  const lowerIsBetter = useTui((state) => state.datasets.lowerIsBetter);
  const data = comparison.data;
  const rows = useMemo(() => (data ? compareRows(data, view, lowerIsBetter) : []), [data, view.sortBy, view.only, lowerIsBetter]);
  const cursor = compareCursor(rows, view.itemId);
  const columns = useMemo(() => {
    if (!data) return [];
    const specs = compareColumns({ scoreNames: data.scoreNames, lowerIsBetter }).map((column) => {
      const payload = ['input', 'expected', 'base', 'new'].includes(column.id);
      return {
        ...column,
        cell: payload && redact ? (item: ComparisonItem) => (column.cell(item) ? REDACTED : '') : column.cell,
        color: column.tone ? (item: ComparisonItem) => toneColour(column.tone!(item)) : undefined,
      };
    });
    return layoutColumns(specs, width);
  }, [data, width, redact, lowerIsBetter]);
  if (!data) {
    return (
      <Box flexDirection="column" height={height}>
        <Title text={`${dataset ?? ''}: ${pair ? `${pair.base} -> ${pair.new}` : 'compare'}`} loadable={comparison} width={width} />
        <Text color={theme.muted}>{comparison.state === 'error' ? ' ' : '  loading the two runs...'}</Text>
      </Box>
    );
  }
  const [first, aggregates] = compareHeader(data, lowerIsBetter);
  const headerLines = [...flowParts(first!, width, 2), ...flowParts(aggregates!, width, height >= 20 ? 2 : 1)];
  const stateLine = [
    `${rows.length}/${data.items.length} items`,
    view.only === 'all' ? 'all' : `${view.only} only`,
    view.sortBy ? `sort: change in ${view.sortBy}, worst first` : 'dataset order',
    comparison.state === 'loading' ? 'refreshing' : comparison.state === 'error' ? `refresh failed: ${comparison.error}` : '',
  ]
    .filter(Boolean)
    .join(' | ');
  const hint = 'd:sort r:regressions i:improvements w:swap Tab:detail Enter:trace';
  const rest = Math.max(2, height - headerLines.length - 1);
  const split = rest >= 14;
  // The table as tall as its rows (up to 60%), the detail pane the rest.
  const tableHeight = split ? Math.min(Math.floor(rest * 0.6), Math.max(5, rows.length + 1)) : view.focus === 'table' ? rest : 0;
  const detailHeight = rest - tableHeight;
  const item = rows[cursor];
  let detail: React.ReactNode[] = [];
  if (item && detailHeight > 0) {
    const shown = redact ? { ...item, input: redactJson(item.input), expectedOutput: redactJson(item.expectedOutput), base: item.base && { ...item.base, output: redactJson(item.base.output) }, new: item.new && { ...item.new, output: redactJson(item.new.output) } } : item;
    const lines = compareDetail(shown, data, width - 1, lowerIsBetter);
    const scroll = Math.min(view.detailScroll, Math.max(0, lines.length - (detailHeight - 1)));
    detail = lines.slice(scroll, scroll + detailHeight - 1).map((line, index) => (
      <Text key={index} color={toneColour(line.tone)} wrap="truncate-end">
        {sanitizeLine(line.text, width - 1, '~')}
      </Text>
    ));
  }
  return (
    <Box flexDirection="column" height={height}>
      {headerLines.map((parts, index) => (
        <PartsLine key={index} parts={parts} width={width} />
      ))}
      <Text color={theme.muted} wrap="truncate-end">
        {sanitizeLine(`${stateLine}   ${hint}`, width - 1, '~')}
      </Text>
      {tableHeight > 0 ? <Table columns={columns} rows={rows} cursor={cursor} height={tableHeight} rowKey={(row) => row.datasetItemId} empty={view.only === 'all' ? 'no items' : `no ${view.only} items`} /> : null}
      {detailHeight > 0 ? (
        <Box flexDirection="column" height={detailHeight}>
          <Text bold color={view.focus === 'detail' ? theme.accent : theme.muted} wrap="truncate-end">
            {sanitizeLine(`-- item detail${view.focus === 'detail' ? ' (j/k scroll, Tab: back to the table)' : ' (Tab: scroll it)'} `.padEnd(width - 1, '-'), width - 1, '~')}
          </Text>
          {detail}
        </Box>
      ) : null}
    </Box>
  );
}
