// Column widths for a terminal width: columns are kept by priority while their minimum widths
// fit, then the spare room is shared out up to each column's maximum, the flexible column last.

export interface ColumnSpec<Row> {
  id: string;
  header: string;
  min: number;
  max: number;
  /** 1 = the last to go as the terminal narrows. */
  priority: number;
  align?: 'left' | 'right';
  /** Takes what is left after the others reach their maximum. */
  flex?: boolean;
  cell(row: Row): string;
  color?(row: Row): string | undefined;
}

export interface LaidOutColumn<Row> extends ColumnSpec<Row> {
  width: number;
}

export function layoutColumns<Row>(columns: ColumnSpec<Row>[], width: number, gap = 1): LaidOutColumn<Row>[] {
  const byPriority = [...columns].sort((a, b) => a.priority - b.priority);
  const kept: ColumnSpec<Row>[] = [];
  let used = 0;
  for (const column of byPriority) {
    const need = column.min + (kept.length > 0 ? gap : 0);
    if (used + need > width) continue;
    kept.push(column);
    used += need;
  }
  const widths = new Map(kept.map((column) => [column.id, column.min]));
  let spare = width - used;
  const grow = (column: ColumnSpec<Row>, limit: number) => {
    const current = widths.get(column.id)!;
    const by = Math.max(0, Math.min(spare, limit - current));
    widths.set(column.id, current + by);
    spare -= by;
  };
  // The flexible column (the name) reaches its comfortable width first, then the others by
  // priority reach theirs, then the flexible column takes whatever is left.
  const flexible = kept.filter((column) => column.flex);
  for (const column of flexible) grow(column, column.max);
  for (const column of [...kept].sort((a, b) => a.priority - b.priority)) if (!column.flex) grow(column, column.max);
  for (const column of flexible) grow(column, Number.POSITIVE_INFINITY);
  // Keep the declared left-to-right order.
  return columns.filter((column) => widths.has(column.id)).map((column) => ({ ...column, width: widths.get(column.id)! }));
}
