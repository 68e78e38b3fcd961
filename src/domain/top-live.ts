// The live `top`: the incremental path behind the TUI's `:top` and the list's summary line.
// Rows are kept as per-bucket sums (count, errors, tokens, cost, score sums, a log histogram of
// latencies with 1% bins), so an update costs O(keys of the row) and a snapshot O(groups x
// buckets); percentiles are then within about 1% of the exact value (`aggregateTop` in top.ts
// is the exact one).

import { compareGroups, DEFAULT_TOP_BUCKETS, meanScores, trendFlags, type TopBy, type TopGroup, type TopResult, type TopRow } from './top.js';

const GAMMA = 1.02;
const LOG_GAMMA = Math.log(GAMMA);
const ZERO_BIN = -1_000_000;
const binOf = (ms: number): number => (ms <= 0 ? ZERO_BIN : Math.floor(Math.log(ms) / LOG_GAMMA));
const binValue = (bin: number): number => (bin === ZERO_BIN ? 0 : Math.pow(GAMMA, bin + 0.5));

interface Cell {
  count: number;
  errors: number;
  tokens: number;
  cost: number;
  latencyBins: Map<number, number>;
  scoreSums: Map<string, [number, number]>;
}

const newCell = (): Cell => ({ count: 0, errors: 0, tokens: 0, cost: 0, latencyBins: new Map(), scoreSums: new Map() });

function applyToCell(cell: Cell, row: TopRow, sign: 1 | -1): void {
  cell.count += sign;
  if (row.error) cell.errors += sign;
  cell.tokens += sign * row.totalTokens;
  cell.cost += sign * row.totalCost;
  if (row.latencyMs !== null) {
    const bin = binOf(row.latencyMs);
    const next = (cell.latencyBins.get(bin) ?? 0) + sign;
    if (next > 0) cell.latencyBins.set(bin, next);
    else cell.latencyBins.delete(bin);
  }
  for (const name in row.scores) {
    const value = row.scores[name]!;
    let sum = cell.scoreSums.get(name);
    if (!sum) cell.scoreSums.set(name, (sum = [0, 0]));
    sum[0] += sign * value;
    sum[1] += sign;
    if (sum[1] <= 0) cell.scoreSums.delete(name);
  }
}

interface Bucket {
  total: Cell;
  groups: Map<string | null, Cell>;
}

interface Tracked {
  row: TopRow;
  bucket: number;
  /** Its place in the eviction order. */
  seq: number;
}

function histogramPercentile(bins: [number, number][], n: number, p: number): number | null {
  if (n === 0) return null;
  const target = Math.floor(p * (n - 1));
  let seen = 0;
  for (const [bin, count] of bins) {
    seen += count;
    if (seen > target) return binValue(bin);
  }
  return binValue(bins[bins.length - 1]![0]);
}

export interface TopAggregatorOptions {
  by: TopBy;
  windowMs: number;
  buckets?: number;
  /** How many row ids are remembered for replacing a row that changes (default 250,000). */
  maxTracked?: number;
}

/**
 * The live `top`: upsert rows as they change (a trace summary arrives again whenever its trace
 * gains an observation or a score; the row replaces the previous one), snapshot a few times a
 * second. Memory is bounded by the window's buckets x groups, plus `maxTracked` row ids.
 */
export class TopAggregator {
  readonly by: TopBy;
  readonly windowMs: number;
  readonly buckets: number;
  readonly bucketMs: number;
  private readonly maxTracked: number;
  private readonly timeBuckets = new Map<number, Bucket>();
  private readonly tracked = new Map<string, Tracked>();
  /** Ids in the order they were last upserted (a queue; stale entries are skipped): forgetting
   * the oldest never walks a Map's deleted slots. */
  private order: string[] = [];
  private orderSeq: number[] = [];
  private head = 0;
  private seq = 0;

  constructor(options: TopAggregatorOptions) {
    this.by = options.by;
    this.windowMs = options.windowMs;
    this.buckets = Math.max(1, Math.floor(options.buckets ?? DEFAULT_TOP_BUCKETS));
    this.bucketMs = this.windowMs / this.buckets;
    this.maxTracked = options.maxTracked ?? 250_000;
  }

  private apply(row: TopRow, bucketIndex: number, sign: 1 | -1): void {
    let bucket = this.timeBuckets.get(bucketIndex);
    if (!bucket) {
      if (sign < 0) return;
      this.timeBuckets.set(bucketIndex, (bucket = { total: newCell(), groups: new Map() }));
    }
    applyToCell(bucket.total, row, sign);
    for (const key of row.keys.length === 1 ? row.keys : new Set(row.keys)) {
      let cell = bucket.groups.get(key);
      if (!cell) {
        if (sign < 0) continue;
        bucket.groups.set(key, (cell = newCell()));
      }
      applyToCell(cell, row, sign);
      if (cell.count <= 0) bucket.groups.delete(key);
    }
  }

  /** Adds a row, or replaces the row with the same id. */
  upsert(row: TopRow): void {
    const previous = this.tracked.get(row.id);
    if (previous) this.apply(previous.row, previous.bucket, -1);
    const bucket = Math.floor(row.atMs / this.bucketMs);
    this.apply(row, bucket, 1);
    const seq = this.seq++;
    if (previous) {
      previous.row = row;
      previous.bucket = bucket;
      previous.seq = seq;
    } else {
      this.tracked.set(row.id, { row, bucket, seq });
    }
    this.order.push(row.id);
    this.orderSeq.push(seq);
    while (this.tracked.size > this.maxTracked) this.forgetOldest();
    if (this.order.length - this.head > 4 * Math.max(this.tracked.size, 16_384)) this.compactOrder();
  }

  /** Rebuilds the eviction queue from the live entries (rows upserted many times leave stale slots). */
  private compactOrder(): void {
    const live = [...this.tracked].sort((a, b) => a[1].seq - b[1].seq);
    this.order = live.map(([id]) => id);
    this.orderSeq = live.map(([, entry]) => entry.seq);
    this.head = 0;
  }

  private forgetOldest(): void {
    while (this.head < this.order.length) {
      const id = this.order[this.head]!;
      const seq = this.orderSeq[this.head]!;
      this.head++;
      const entry = this.tracked.get(id);
      // A later upsert of the same id moved it to the back: this slot is stale.
      if (entry && entry.seq === seq) {
        this.tracked.delete(id);
        break;
      }
    }
    if (this.head > 65_536 && this.head * 2 > this.order.length) {
      this.order = this.order.slice(this.head);
      this.orderSeq = this.orderSeq.slice(this.head);
      this.head = 0;
    }
  }

  remove(id: string): void {
    const previous = this.tracked.get(id);
    if (!previous) return;
    this.apply(previous.row, previous.bucket, -1);
    this.tracked.delete(id);
  }

  clear(): void {
    this.timeBuckets.clear();
    this.tracked.clear();
    this.order = [];
    this.orderSeq = [];
    this.head = 0;
  }

  /** The groups over the window ending at `now` (bucket-aligned); drops buckets that left it. */
  snapshot(now: number): TopResult {
    const last = Math.floor(now / this.bucketMs);
    const first = last - this.buckets + 1;
    for (const index of this.timeBuckets.keys()) if (index < first) this.timeBuckets.delete(index);
    const merged = new Map<string | null, { cells: (Cell | undefined)[] }>();
    const totals: (Cell | undefined)[] = [];
    for (let index = first; index <= last; index++) {
      const bucket = this.timeBuckets.get(index);
      if (!bucket) continue;
      totals[index - first] = bucket.total;
      for (const [key, cell] of bucket.groups) {
        let entry = merged.get(key);
        if (!entry) merged.set(key, (entry = { cells: [] }));
        entry.cells[index - first] = cell;
      }
    }
    const fromMs = first * this.bucketMs;
    const groups = [...merged.entries()].map(([key, entry]) => this.group(key, entry.cells, fromMs));
    return {
      by: this.by,
      fromMs,
      toMs: (last + 1) * this.bucketMs,
      bucketMs: this.bucketMs,
      groups: groups.filter((group) => group.count > 0).sort(compareGroups),
      total: this.group('*', totals, fromMs),
    };
  }

  private group(key: string | null, cells: (Cell | undefined)[], fromMs: number): TopGroup {
    let count = 0;
    let errors = 0;
    let tokens = 0;
    let cost = 0;
    const bins = new Map<number, number>();
    const scoreSums = new Map<string, [number, number]>();
    const sparkCount = new Array<number>(this.buckets).fill(0);
    const sparkErrors = new Array<number>(this.buckets).fill(0);
    let firstBucket: number | null = null;
    for (let i = 0; i < this.buckets; i++) {
      const cell = cells[i];
      if (!cell || cell.count <= 0) continue;
      firstBucket ??= i;
      count += cell.count;
      errors += cell.errors;
      tokens += cell.tokens;
      cost += cell.cost;
      sparkCount[i] = cell.count;
      sparkErrors[i] = cell.errors;
      for (const [bin, n] of cell.latencyBins) bins.set(bin, (bins.get(bin) ?? 0) + n);
      for (const [name, [sum, n]] of cell.scoreSums) {
        const acc = scoreSums.get(name) ?? [0, 0];
        acc[0] += sum;
        acc[1] += n;
        scoreSums.set(name, acc);
      }
    }
    const sortedBins = [...bins.entries()].sort((a, b) => a[0] - b[0]);
    const latencyN = sortedBins.reduce((n, [, c]) => n + c, 0);
    return {
      key,
      count,
      ratePerMin: count / (this.windowMs / 60_000),
      errorCount: errors,
      errorRate: count ? errors / count : 0,
      latencyP50: histogramPercentile(sortedBins, latencyN, 0.5),
      latencyP95: histogramPercentile(sortedBins, latencyN, 0.95),
      totalTokens: tokens,
      totalCost: cost,
      scores: meanScores(scoreSums),
      sparkCount,
      sparkErrors,
      firstSeenMs: firstBucket === null ? null : fromMs + firstBucket * this.bucketMs,
      ...trendFlags(sparkCount, sparkErrors),
    };
  }
}
