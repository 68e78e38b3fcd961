// A dataset's runs, newest first, with their aggregates. Space marks two runs; Enter compares
// the marked pair (or the selected run with the one before it); `c` always with the previous.
import React, { useMemo } from 'react';
import { Box } from 'ink';
import { layoutColumns } from '../table-layout.js';
import { runColumns, runScoreNames, type RunRowView } from '../format-datasets.js';
import { Table } from '../components/Table.js';
import { useTui } from '../store-context.js';
import { theme } from '../theme.js';
import { Title } from '../components/Title.js';

export function RunsScreen({ width, height }: { width: number; height: number }) {
  const dataset = useTui((state) => state.datasets.dataset);
  const runs = useTui((state) => state.datasets.runs);
  const cursor = useTui((state) => state.datasets.runCursor);
  const marked = useTui((state) => state.datasets.marked);
  const data = runs.data ?? [];
  const names = useMemo(() => runScoreNames(data), [data]);
  const columns = useMemo(() => layoutColumns(runColumns(names, theme.error), width), [names, width]);
  const rows: RunRowView[] = useMemo(() => data.map((run) => ({ run, marked: marked.includes(run.name) })), [data, marked]);
  const hint = marked.length === 2 ? 'Enter: compare the marked runs' : marked.length === 1 ? 'Space: mark one more' : 'Space: mark two  Enter/c: compare with the previous';
  return (
    <Box flexDirection="column" height={height}>
      <Title text={`${dataset ?? ''}: runs (${data.length}), newest first`} loadable={runs} width={width} hint={hint} />
      <Table columns={columns} rows={rows} cursor={cursor} height={height - 1} rowKey={(row) => row.run.id} empty={runs.state === 'loading' ? 'loading runs...' : 'no runs yet'} />
    </Box>
  );
}
