// The live list: newest traces on top, only the rows that fit are rendered, columns dropped by
// priority as the terminal narrows and sized to what the rows on screen hold.
import React, { useMemo } from 'react';
import { Box, Text } from 'ink';
import type { TraceSummary } from '../../domain/types.js';
import { fitWidth } from '../../domain/sanitize.js';
import { visibleIds } from '../../store/store.js';
import type { ColumnSpec, LaidOutColumn } from '../table-layout.js';
import { useColumnLayout } from '../use-column-layout.js';
import { CUT, formatCost, formatLatency, formatLevels, formatScores, formatTime, formatTokens } from '../format.js';
import { useTui } from '../store-context.js';
import { REDACTED } from '../../domain/redact.js';
import { theme } from '../theme.js';

export const LIST_COLUMNS: ColumnSpec<TraceSummary>[] = [
  { id: 'time', header: 'TIME', min: 8, max: 8, priority: 2, cell: (t) => formatTime(t.timestamp) },
  { id: 'name', header: 'NAME', min: 10, max: 30, priority: 1, flex: true, cell: (t) => t.name ?? t.id },
  { id: 'user', header: 'USER', min: 6, max: 14, priority: 6, cell: (t) => t.userId ?? '' },
  { id: 'session', header: 'SESSION', min: 7, max: 14, priority: 10, cell: (t) => t.sessionId ?? '' },
  { id: 'tags', header: 'TAGS', min: 6, max: 24, priority: 9, cell: (t) => t.tags.join(',') },
  { id: 'latency', header: 'LATENCY', min: 7, max: 8, priority: 3, align: 'right', cell: (t) => formatLatency(t.latency) },
  { id: 'tokens', header: 'TOKENS', min: 6, max: 7, priority: 8, align: 'right', cell: (t) => formatTokens(t.totalTokens) },
  { id: 'cost', header: 'COST', min: 8, max: 9, priority: 7, align: 'right', cell: (t) => formatCost(t.totalCost) },
  {
    id: 'level',
    header: 'LEVEL',
    min: 5,
    max: 7,
    priority: 4,
    cell: formatLevels,
    color: (t) => (t.errorCount ? theme.error : t.warningCount ? theme.warning : undefined),
  },
  { id: 'scores', header: 'SCORES', min: 18, max: 40, priority: 5, cell: (t) => formatScores(t.scores) },
];

/**
 * One trace's row. Memoised on the summary (replaced, never mutated, when the trace changes), so
 * a cursor key re-renders two rows, not the screen; the cells between coloured ones are one
 * text, so a row is a handful of nodes for Ink to lay out and draw.
 */
const ListRow = React.memo(function ListRow({ trace, columns, selected }: { trace: TraceSummary; columns: LaidOutColumn<TraceSummary>[]; selected: boolean }) {
  const parts: React.ReactNode[] = [];
  let plain = '';
  columns.forEach((column, index) => {
    const text = (index > 0 ? ' ' : '') + fitWidth(column.cell(trace), column.width, column.align, CUT);
    const colour = column.color?.(trace);
    if (!colour) {
      plain += text;
      return;
    }
    if (plain) parts.push(plain);
    plain = '';
    parts.push(
      <Text key={column.id} color={colour}>
        {text}
      </Text>,
    );
  });
  if (plain) parts.push(plain);
  return (
    <Text inverse={selected} wrap="truncate-end">
      {parts}
    </Text>
  );
});

export function ListScreen({ width, height }: { width: number; height: number }) {
  useTui((state) => state.version);
  const order = useTui((state) => state.order);
  const follow = useTui((state) => state.follow);
  const anchor = useTui((state) => state.anchor);
  const ids = visibleIds({ order, follow, anchor });
  const traces = useTui((state) => state.traces);
  const cursor = useTui((state) => state.cursor);
  const scrollTop = useTui((state) => state.scrollTop);
  const localScores = useTui((state) => state.scoring.local);
  const redact = useTui((state) => state.redact);
  const quickLabel = useTui((state) => state.scoring.quickLabel);
  const filterText = useTui((state) => state.filterText);
  const specs = useMemo(() => {
    // Scores made here show at once: `*` until the backend has them, `!` if it refused. They
    // come first in the cell (the one being labelled first of all), so a cut cell never hides them.
    const local = new Map<string, Record<string, string>>();
    for (const score of localScores) {
      if (score.observationId) continue;
      const entry = local.get(score.traceId) ?? {};
      entry[score.name] = `${score.value}${score.state === 'pending' ? '*' : score.state === 'failed' ? '!' : ''}`;
      local.set(score.traceId, entry);
    }
    const first = quickLabel?.name;
    return LIST_COLUMNS.map((column) => {
      if (column.id === 'scores' && (local.size > 0 || first)) {
        return {
          ...column,
          cell: (trace: TraceSummary) => {
            const mine = local.get(trace.id) ?? {};
            const lead = first !== undefined && (first in mine || first in trace.scores) ? { [first]: mine[first] ?? trace.scores[first]! } : {};
            return formatScores({ ...lead, ...mine, ...trace.scores, ...mine });
          },
        };
      }
      if (redact && (column.id === 'user' || column.id === 'session')) {
        return { ...column, cell: (trace: TraceSummary) => (column.cell(trace) ? REDACTED : '') };
      }
      return column;
    });
  }, [localScores, redact, quickLabel]);
  const bodyHeight = Math.max(0, height - 1);
  const shown: TraceSummary[] = [];
  for (let line = 0; line < bodyHeight; line++) {
    const id = ids.at(scrollTop + line);
    const trace = id ? traces.get(id) : undefined;
    if (trace) shown.push(trace);
  }
  const columns = useColumnLayout(specs, shown, width, filterText);
  const rows: React.ReactNode[] = [];
  for (let line = 0; line < bodyHeight; line++) {
    const index = scrollTop + line;
    const id = ids.at(index);
    const trace = id ? traces.get(id) : undefined;
    if (!trace) {
      rows.push(<Text key={line}>{index === 0 && ids.length === 0 ? '  waiting for traces…' : ' '}</Text>);
      continue;
    }
    rows.push(<ListRow key={line} trace={trace} columns={columns} selected={index === cursor} />);
  }
  return (
    <Box flexDirection="column" height={height}>
      <Text bold color={theme.muted} wrap="truncate-end">
        {columns.map((column, index) => (index > 0 ? ' ' : '') + fitWidth(column.header, column.width, column.align)).join('')}
      </Text>
      {rows}
    </Box>
  );
}
