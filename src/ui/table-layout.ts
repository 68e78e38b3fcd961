// Column widths for a terminal width: columns are kept by priority while their minimum widths
// fit, then the spare room is shared out. Given what the rows on screen need (`needs`), widths
// follow the content: each column grows to its comfortable maximum or its content, whichever
// is less (those nearest to whole first), then spare room goes to the columns still cut, up to
// what their content needs; what is left stays blank at the end rather than padding a column
// that is not cut.
// Without `needs`, the flexible column takes whatever is left.

import { stringWidth } from '../domain/sanitize.js';

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

/** Content widths per column id. */
export type ColumnNeeds = ReadonlyMap<string, number>;

export function layoutColumns<Row>(columns: ColumnSpec<Row>[], width: number, needs?: ColumnNeeds, gap = 1): LaidOutColumn<Row>[] {
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
  if (needs) {
    const content = (column: ColumnSpec<Row>) => Math.max(column.min, needs.get(column.id) ?? column.max);
    // The columns closest to whole first (ties by priority): the spare room makes as many
    // columns whole as it can, rather than a few more characters of one long cell.
    const byDeficit = (limit: (column: ColumnSpec<Row>) => number) =>
      [...kept].sort((a, b) => limit(a) - widths.get(a.id)! - (limit(b) - widths.get(b.id)!) || a.priority - b.priority);
    const comfortable = (column: ColumnSpec<Row>) => Math.min(column.max, content(column));
    for (const column of byDeficit(comfortable)) grow(column, comfortable(column));
    for (const column of byDeficit(content)) grow(column, content(column));
  } else {
    // The flexible column (the name) reaches its comfortable width first, then the others by
    // priority reach theirs, then the flexible column takes whatever is left.
    const flexible = kept.filter((column) => column.flex);
    for (const column of flexible) grow(column, column.max);
    for (const column of kept) if (!column.flex) grow(column, column.max);
    for (const column of flexible) grow(column, Number.POSITIVE_INFINITY);
  }
  // Keep the declared left-to-right order.
  return columns.filter((column) => widths.has(column.id)).map((column) => ({ ...column, width: widths.get(column.id)! }));
}

/** One row's cell widths, in column order. */
function rowWidths<Row>(columns: readonly ColumnSpec<Row>[], row: Row): number[] {
  return columns.map((column) => {
    const text = column.cell(row);
    // Printable ASCII is a column a character: no need to measure.
    return /^[\x20-\x7e]*$/.test(text) ? text.length : stringWidth(text);
  });
}

/**
 * What each column's content needs over `rows` (the header included). With a cache (rows are
 * replaced, never mutated, when they change), a row is measured once, not on every frame.
 */
export function measureColumns<Row extends object>(columns: readonly ColumnSpec<Row>[], rows: Iterable<Row>, cache?: WeakMap<Row, number[]>): Map<string, number> {
  const needs = columns.map((column) => stringWidth(column.header));
  for (const row of rows) {
    let widths = cache?.get(row);
    if (!widths) {
      widths = rowWidths(columns, row);
      cache?.set(row, widths);
    }
    for (let index = 0; index < needs.length; index++) if (widths[index]! > needs[index]!) needs[index] = widths[index]!;
  }
  return new Map(columns.map((column, index) => [column.id, needs[index]!]));
}

/**
 * Needs that only grow: the widths hold still while scrolling and change only when content on
 * screen needs more. The same map comes back when nothing grew (so a layout keyed on it stays).
 */
export function growNeeds(previous: ColumnNeeds | null, next: ColumnNeeds): ColumnNeeds {
  if (!previous) return next;
  let merged: Map<string, number> | null = null;
  for (const [id, width] of next) {
    if (width <= (previous.get(id) ?? -1)) continue;
    merged ??= new Map(previous);
    merged.set(id, width);
  }
  return merged ?? previous;
}
