// `:datasets`: every dataset with its item count, run count and last run. Enter: its runs.
import React, { useMemo } from 'react';
import { Box } from 'ink';
import { layoutColumns } from '../table-layout.js';
import { datasetColumns } from '../format-datasets.js';
import { Table } from '../components/Table.js';
import { Title } from '../components/Title.js';
import { useTui } from '../store-context.js';

export function DatasetsScreen({ width, height }: { width: number; height: number }) {
  const list = useTui((state) => state.datasets.list);
  const cursor = useTui((state) => state.datasets.cursor);
  const columns = useMemo(() => layoutColumns(datasetColumns(), width), [width]);
  const rows = list.data ?? [];
  return (
    <Box flexDirection="column" height={height}>
      <Title text={`Datasets (${rows.length})`} loadable={list} width={width} hint="Enter: runs  Esc: back  :: screens" />
      <Table columns={columns} rows={rows} cursor={cursor} height={height - 1} rowKey={(row) => row.id} empty={list.state === 'loading' ? 'loading datasets...' : 'no datasets'} />
    </Box>
  );
}
