// Column widths that follow what is on screen (see table-layout.ts): measured over the rows
// shown, remembered while scrolling (they only grow), started afresh when `resetKey` changes
// (a new filter: different content).
import { useMemo, useRef } from 'react';
import { growNeeds, layoutColumns, measureColumns, type ColumnNeeds, type ColumnSpec, type LaidOutColumn } from './table-layout.js';

interface Memory<Row extends object> {
  key: string;
  specs: ColumnSpec<Row>[];
  needs: ColumnNeeds | null;
  /** Each row's cell widths under these specs. */
  measured: WeakMap<Row, number[]>;
}

export function useColumnLayout<Row extends object>(specs: ColumnSpec<Row>[], shown: readonly Row[], width: number, resetKey: string): LaidOutColumn<Row>[] {
  const memory = useRef<Memory<Row> | null>(null);
  const previous = memory.current;
  if (!previous || previous.key !== resetKey || previous.specs !== specs) {
    memory.current = { key: resetKey, specs, needs: previous?.key === resetKey ? previous.needs : null, measured: new WeakMap() };
  }
  const current = memory.current!;
  current.needs = growNeeds(current.needs, measureColumns(specs, shown, current.measured));
  const needs = current.needs;
  return useMemo(() => layoutColumns(specs, width, needs), [specs, width, needs]);
}
