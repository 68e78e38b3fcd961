// Sparklines in ASCII: rows that redraw a few times a second stay on Ink's fast path (a
// single non-ASCII character sends a line through grapheme segmentation; see README). Eight
// levels, a blank for a bucket with nothing in it, scaled to the series' own peak (the caller
// prints the peak when it matters). A bucket with errors is a cell of its own kind: the caller
// colours it, and without colour it reads as `!`.

/** Lowest to highest; a zero draws nothing. */
export const SPARK_LEVELS = '._-=+*#@';

export interface SparkCell {
  char: string;
  /** The bucket held errors. */
  error: boolean;
}

/** Buckets folded (summed) into at most `width` cells, oldest first. */
export function foldBuckets(values: readonly number[], width: number): number[] {
  if (width <= 0) return [];
  if (values.length <= width) return [...values];
  const cells = new Array<number>(width).fill(0);
  values.forEach((value, index) => {
    cells[Math.min(width - 1, Math.floor((index * width) / values.length))]! += value;
  });
  return cells;
}

/** One cell per bucket (folded to `width`), level by value over the peak; error buckets marked. */
export function sparkCells(counts: readonly number[], errors: readonly number[] = [], width = counts.length): SparkCell[] {
  const folded = foldBuckets(counts, width);
  const foldedErrors = foldBuckets(errors.length ? errors : new Array<number>(counts.length).fill(0), width);
  const peak = Math.max(0, ...folded);
  return folded.map((value, index) => {
    const error = (foldedErrors[index] ?? 0) > 0;
    if (value <= 0 || peak <= 0) return { char: ' ', error: false };
    const level = Math.min(SPARK_LEVELS.length - 1, Math.max(0, Math.ceil((value / peak) * SPARK_LEVELS.length) - 1));
    return { char: SPARK_LEVELS[level]!, error };
  });
}

/** The sparkline as text: error buckets as `!` when `markErrors` (no colour to show them). */
export function sparkline(counts: readonly number[], errors: readonly number[] = [], width = counts.length, markErrors = true): string {
  return sparkCells(counts, errors, width)
    .map((cell) => (cell.error && markErrors ? '!' : cell.char))
    .join('');
}

/** Consecutive cells of one kind joined, for drawing with few text nodes. */
export function sparkRuns(cells: readonly SparkCell[]): { text: string; error: boolean }[] {
  const runs: { text: string; error: boolean }[] = [];
  for (const cell of cells) {
    const last = runs[runs.length - 1];
    if (last && last.error === cell.error) last.text += cell.char;
    else runs.push({ text: cell.char, error: cell.error });
  }
  return runs;
}
