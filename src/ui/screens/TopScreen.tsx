// `:top`: traffic in a window broken down by a dimension, one row per group — count, rate,
// error %, p50/p95, tokens, cost, score means and a sparkline of count with error buckets `!`.
// New groups say NEW, groups whose errors rose say ERR!, groups that left the window stay a
// while as GONE (dimmed). The sort column's header ends in v (descending) or ^ (ascending).
import React, { useMemo } from 'react';
import { Box, Text } from 'ink';
import { sanitizeLine, stringWidth } from '../../domain/sanitize.js';
import { topRowsAreGenerations } from '../../ports/metrics.js';
import { groupId, TOP_WINDOWS } from '../../store/slices/top.js';
import { layoutColumns } from '../table-layout.js';
import { groupLabel, sortMark, topColumns, topHeader, topScoreNames, type TopRowView } from '../format-top.js';
import { Table } from '../components/Table.js';
import { useTui } from '../store-context.js';
import { theme } from '../theme.js';
import { sparkRuns, sparkCells } from '../sparkline.js';
import { REDACTED } from '../../domain/redact.js';

const SPARK_WIDTH = 16;

/** A sparkline with its error buckets as `!` in the error colour. */
export function Spark({ counts, errors, width }: { counts: readonly number[]; errors: readonly number[]; width: number }) {
  const runs = sparkRuns(sparkCells(counts, errors, width).map((cell) => (cell.error ? { char: '!', error: true } : cell)));
  const used = runs.reduce((sum, run) => sum + run.text.length, 0);
  return (
    <Text>
      {runs.map((run, index) => (
        <Text key={index} color={run.error ? theme.error : theme.bar}>
          {run.text}
        </Text>
      ))}
      {used < width ? ' '.repeat(width - used) : ''}
    </Text>
  );
}

export function TopScreen({ width, height }: { width: number; height: number }) {
  const top = useTui((state) => state.top);
  const redact = useTui((state) => state.redact);
  const groups = top.result?.groups;
  const scoreNames = useMemo(() => topScoreNames(top.result), [top.result]);
  const groupNeed = useMemo(() => Math.max(0, ...(groups ?? []).map((group) => stringWidth(groupLabel(group.key)))), [groups]);
  const columns = useMemo(() => {
    const specs = topColumns(scoreNames, SPARK_WIDTH, { error: theme.error, warning: theme.fresh, muted: theme.muted }, groupNeed);
    // Screen-sharing: user ids are hidden like everywhere else (the last four characters tell groups apart).
    const hidden = redact && top.by === 'user' ? specs.map((column) => (column.id === 'group' ? { ...column, cell: (row: TopRowView) => (row.group.key ? `${REDACTED} ${row.group.key.slice(-4)}` : '(none)') } : column)) : specs;
    return layoutColumns(hidden, width);
  }, [scoreNames, width, redact, top.by, groupNeed]);
  const rows: TopRowView[] = useMemo(() => {
    const byId = new Map((groups ?? []).map((group) => [groupId(group.key), group]));
    const live = top.order.map((id) => byId.get(id)).filter((group) => group !== undefined).map((group) => ({ group, gone: false }));
    return [...live, ...top.gone.map((entry) => ({ group: entry.group, gone: true }))];
  }, [groups, top.order, top.gone]);
  const cursor = Math.max(0, rows.findIndex((row) => groupId(row.group.key) === top.cursorId));
  const header = topHeader({
    by: top.by,
    window: TOP_WINDOWS[top.window]!.label,
    result: top.result,
    source: top.source,
    asOf: top.asOf,
    bufferedSince: top.bufferedSince,
    rowsAre: topRowsAreGenerations(top.by) ? 'generations' : 'traces',
    groups: groups?.length ?? 0,
  });
  const status = top.error ? top.error : top.frozen ? 'FROZEN (f: live)' : top.loading && !top.result ? 'reading...' : '';
  return (
    <Box flexDirection="column" height={height}>
      <Text bold color={top.error ? theme.error : theme.accent} wrap="truncate-end">
        {sanitizeLine(header + (status ? ` | ${status}` : ''), width - 1, '~')}
      </Text>
      <Text color={theme.muted} wrap="truncate-end">
        {sanitizeLine('b:group by  w:window  </>:sort column  I:invert  f:freeze  Enter:traces  r:refresh  spark: per-row scale, ! = errors', width - 1, '~')}
      </Text>
      <Table
        columns={columns}
        rows={rows}
        cursor={cursor}
        height={height - 2}
        rowKey={(row) => `${row.gone ? 'gone:' : ''}${groupId(row.group.key)}`}
        empty={top.loading ? 'reading the window...' : 'nothing in the window'}
        dim={(row) => row.gone}
        headerMark={(id) => sortMark(id, top.sort, top.descending)}
        renderCell={(column, row) => (column.id === 'spark' && !row.gone ? <Spark counts={row.group.sparkCount} errors={row.group.sparkErrors} width={column.width} /> : null)}
      />
    </Box>
  );
}
