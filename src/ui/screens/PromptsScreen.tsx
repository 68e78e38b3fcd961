// `:prompts`: every prompt with its versions, labels and last change. Enter: its versions.
import React, { useMemo } from 'react';
import { Box } from 'ink';
import { layoutColumns } from '../table-layout.js';
import { promptColumns } from '../format-prompts.js';
import { Table } from '../components/Table.js';
import { useTui } from '../store-context.js';
import { Title } from '../components/Title.js';

export function PromptsScreen({ width, height }: { width: number; height: number }) {
  const list = useTui((state) => state.prompts.list);
  const cursor = useTui((state) => state.prompts.cursor);
  const columns = useMemo(() => layoutColumns(promptColumns(), width), [width]);
  const rows = list.data ?? [];
  return (
    <Box flexDirection="column" height={height}>
      <Title text={`Prompts (${rows.length})`} loadable={list} width={width} hint="Enter: versions  Esc: back" />
      <Table columns={columns} rows={rows} cursor={cursor} height={height - 1} rowKey={(row) => row.name} empty={list.state === 'loading' ? 'loading prompts...' : 'no prompts'} />
    </Box>
  );
}
