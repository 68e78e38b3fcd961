// A windowed table for the slice screens (datasets, runs, comparison, prompts, versions, top):
// laid-out columns, only the rows that fit rendered, the cursor kept on screen with a stable
// scroll offset (rows do not jump while the cursor moves inside the window). Cells are cut with
// the ASCII cut mark and the plain cells of a row are one text, so a row is a few nodes on
// Ink's fast path.
import React, { useRef } from 'react';
import { Box, Text } from 'ink';
import { fitWidth } from '../../domain/sanitize.js';
import { CUT } from '../format.js';
import type { LaidOutColumn } from '../table-layout.js';
import { theme } from '../theme.js';

export interface TableProps<Row> {
  columns: LaidOutColumn<Row>[];
  rows: readonly Row[];
  cursor: number;
  /** Lines for the header and the rows. */
  height: number;
  rowKey(row: Row, index: number): string;
  empty: string;
  /** A row drawn dimmed (a tombstone). */
  dim?(row: Row): boolean;
  /** A column's header with a mark (the sort column). */
  headerMark?(columnId: string): string;
  /** Extra drawing for a cell (a sparkline with coloured error buckets); the text is already fitted. */
  renderCell?(column: LaidOutColumn<Row>, row: Row, text: string): React.ReactNode | null;
}

/** The first row shown, so the cursor stays in a window `height` rows tall that moved as little as possible. */
export function scrollFor(cursor: number, top: number, height: number, count: number): number {
  if (height <= 0) return 0;
  let next = top;
  if (cursor < next) next = cursor;
  if (cursor >= next + height) next = cursor - height + 1;
  return Math.max(0, Math.min(next, Math.max(0, count - height)));
}

function TableRow<Row>({ row, columns, selected, dim, renderCell }: { row: Row; columns: LaidOutColumn<Row>[]; selected: boolean; dim: boolean; renderCell?: TableProps<Row>['renderCell'] }) {
  const parts: React.ReactNode[] = [];
  let plain = '';
  columns.forEach((column, index) => {
    const gap = index > 0 ? ' ' : '';
    const text = fitWidth(column.cell(row), column.width, column.align, CUT);
    const custom = renderCell?.(column, row, text);
    const colour = dim ? undefined : column.color?.(row);
    if (!custom && !colour) {
      plain += gap + text;
      return;
    }
    plain += gap;
    if (plain) parts.push(plain);
    plain = '';
    parts.push(custom ? <React.Fragment key={column.id}>{custom}</React.Fragment> : <Text key={column.id} color={colour}>{text}</Text>);
  });
  if (plain) parts.push(plain);
  return (
    <Text inverse={selected} dimColor={dim} color={dim ? theme.muted : undefined} wrap="truncate-end">
      {parts}
    </Text>
  );
}

export function Table<Row>({ columns, rows, cursor, height, rowKey, empty, dim, headerMark, renderCell }: TableProps<Row>) {
  const bodyHeight = Math.max(0, height - 1);
  const top = useRef(0);
  top.current = scrollFor(cursor, top.current, bodyHeight, rows.length);
  const lines: React.ReactNode[] = [];
  for (let line = 0; line < bodyHeight; line++) {
    const index = top.current + line;
    const row = rows[index];
    if (row === undefined) {
      lines.push(<Text key={`empty-${line}`}>{index === 0 ? `  ${empty}` : ' '}</Text>);
      continue;
    }
    lines.push(<TableRow key={rowKey(row, index)} row={row} columns={columns} selected={index === cursor} dim={dim?.(row) ?? false} renderCell={renderCell} />);
  }
  return (
    <Box flexDirection="column" height={height}>
      <Text bold color={theme.muted} wrap="truncate-end">
        {columns.map((column, index) => (index > 0 ? ' ' : '') + fitWidth(column.header + (headerMark?.(column.id) ?? ''), column.width, column.align, CUT)).join('')}
      </Text>
      {lines}
    </Box>
  );
}
