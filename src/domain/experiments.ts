// Experiments: datasets, their runs, and the side-by-side comparison of two runs that can gate a
// release. Pure: the client (`src/api/datasets.ts`) fills these shapes over either Langfuse
// generation; the CLI and the TUI format them. Nothing here touches the network.

/** A score's value as a run item or a run carries it: numeric, boolean, or a category / text. */
export type ScoreValue = number | string | boolean;

export interface DatasetSummary {
  id: string;
  name: string;
  description: string | null;
  /** ACTIVE items. */
  itemCount: number;
  runCount: number;
  /** The newest run, or null when the dataset has none. */
  lastRun: { name: string; createdAt: string } | null;
  createdAt: string;
  updatedAt: string;
}

/** A dataset run as the API lists it. */
export interface RunHeader {
  id: string;
  name: string;
  description: string | null;
  datasetId: string;
  datasetName: string;
  createdAt: string;
  updatedAt: string;
}

/** What a run's items and run-level scores add up to. */
export interface RunFigures {
  /** Mean of each numeric (or boolean, as 0/1) item score over the items that have it. */
  itemMeans: Record<string, number>;
  /** Run-level scores (`datasetRunId`), the latest per name. */
  runScores: Record<string, ScoreValue>;
  /** Items whose run ended in an error (an ERROR-level observation). */
  errorCount: number;
  /** Mean item latency in seconds; null when none is known. */
  meanLatency: number | null;
  /** Summed item cost in USD; null when none is known. */
  totalCost: number | null;
}

/** One run of a dataset with its aggregates. */
export interface RunSummary extends RunHeader, RunFigures {
  /** Run items (dataset items this run covered). */
  itemCount: number;
}

/** What one run did with one dataset item. */
export interface RunItemResult {
  datasetItemId: string;
  traceId: string;
  observationId: string | null;
  output: unknown;
  scores: Record<string, ScoreValue>;
  latency: number | null;
  totalCost: number | null;
  error: boolean;
  createdAt: string;
}

/** A dataset item as the comparison shows it. */
export interface DatasetItemView {
  id: string;
  input: unknown;
  expectedOutput: unknown;
  createdAt: string;
}

/** A run with every item it covered. */
export interface RunResults {
  run: RunSummary;
  items: RunItemResult[];
}

export type ItemVerdict = 'improved' | 'regressed' | 'unchanged';

/** One run's side of a comparison row (`compare --json`: `{traceId, output, scores}` + extras). */
export interface ComparisonSide {
  traceId: string;
  observationId: string | null;
  output: unknown;
  scores: Record<string, ScoreValue>;
  latency: number | null;
  totalCost: number | null;
  error: boolean;
}

export interface ComparisonItem {
  datasetItemId: string;
  input: unknown;
  expectedOutput: unknown;
  /** Null when that run did not cover the item. */
  base: ComparisonSide | null;
  new: ComparisonSide | null;
  /** new − base for every numeric (or boolean) score both sides have. */
  delta: Record<string, number>;
  verdict: ItemVerdict;
}

/** A run's header in a comparison (`compare --json`: `{name, id, items, itemMeans, runScores}` + extras). */
export interface RunAggregate extends RunFigures {
  name: string;
  id: string;
  items: number;
  createdAt: string;
}

export interface Comparison {
  dataset: string;
  base: RunAggregate;
  new: RunAggregate;
  /** Dataset order (oldest item first), then items only a run knows. */
  items: ComparisonItem[];
  summary: { improved: number; regressed: number; unchanged: number };
  /** new − base of the aggregates, where both sides have a number. */
  aggregateDelta: {
    itemMeans: Record<string, number>;
    runScores: Record<string, number>;
    errorCount: number;
    meanLatency: number | null;
    totalCost: number | null;
  };
  /** Every item score name seen on either side, sorted. */
  scoreNames: string[];
}

export interface CompareOptions {
  /** Scores where a smaller value is better (a latency, a length budget); all others: bigger is better. */
  lowerIsBetter?: readonly string[];
}

/** A named dataset or run that the backend does not have. */
export class ExperimentNotFoundError extends Error {
  constructor(
    readonly what: 'dataset' | 'run',
    readonly target: string,
  ) {
    super(what === 'dataset' ? `no dataset named ${JSON.stringify(target)}` : `no run named ${JSON.stringify(target)}`);
    this.name = 'ExperimentNotFoundError';
  }
}

// ---- aggregates ------------------------------------------------------------------------

/** A score as a number for means and deltas: booleans count 0/1; categories and text have none. */
export function numericScore(value: ScoreValue | undefined): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return null;
}

/** Differences smaller than this are float noise (0.1 + 0.2 − 0.3), not a change. */
const EPSILON = 1e-9;

export type RunAggregates = Pick<RunSummary, 'itemCount' | 'itemMeans' | 'errorCount' | 'meanLatency' | 'totalCost'>;

/** Item count, mean of each numeric item score, errors, mean latency and total cost of a run's items. */
export function aggregateRun(items: readonly RunItemResult[]): RunAggregates {
  const sums = new Map<string, { sum: number; count: number }>();
  let latencySum = 0;
  let latencyCount = 0;
  let cost: number | null = null;
  let errorCount = 0;
  for (const item of items) {
    for (const [name, value] of Object.entries(item.scores)) {
      const numeric = numericScore(value);
      if (numeric === null) continue;
      const entry = sums.get(name) ?? { sum: 0, count: 0 };
      entry.sum += numeric;
      entry.count += 1;
      sums.set(name, entry);
    }
    if (item.latency !== null && Number.isFinite(item.latency)) {
      latencySum += item.latency;
      latencyCount += 1;
    }
    if (item.totalCost !== null && Number.isFinite(item.totalCost)) cost = (cost ?? 0) + item.totalCost;
    if (item.error) errorCount += 1;
  }
  const itemMeans: Record<string, number> = {};
  for (const name of [...sums.keys()].sort()) {
    const entry = sums.get(name)!;
    itemMeans[name] = entry.sum / entry.count;
  }
  return {
    itemCount: items.length,
    itemMeans,
    errorCount,
    meanLatency: latencyCount ? latencySum / latencyCount : null,
    totalCost: cost,
  };
}

/** One result per dataset item: a run that linked an item twice keeps its newest link. */
export function latestPerItem(items: readonly RunItemResult[]): RunItemResult[] {
  const byItem = new Map<string, RunItemResult>();
  for (const item of items) {
    const seen = byItem.get(item.datasetItemId);
    if (!seen || item.createdAt > seen.createdAt) byItem.set(item.datasetItemId, item);
  }
  return [...byItem.values()];
}

// ---- comparison ------------------------------------------------------------------------

function side(item: RunItemResult | undefined): ComparisonSide | null {
  if (!item) return null;
  return {
    traceId: item.traceId,
    observationId: item.observationId,
    output: item.output,
    scores: item.scores,
    latency: item.latency,
    totalCost: item.totalCost,
    error: item.error,
  };
}

function numericDelta(base: Record<string, ScoreValue>, next: Record<string, ScoreValue>): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const name of Object.keys(next).sort()) {
    const b = numericScore(base[name]);
    const n = numericScore(next[name]);
    if (b !== null && n !== null) delta[name] = n - b;
  }
  return delta;
}

/** Improved when no score got worse and at least one got better; regressed when any got worse. */
export function verdictOf(delta: Record<string, number>, options: CompareOptions = {}): ItemVerdict {
  const lower = new Set(options.lowerIsBetter ?? []);
  let better = false;
  for (const [name, value] of Object.entries(delta)) {
    const gain = lower.has(name) ? -value : value;
    if (gain < -EPSILON) return 'regressed';
    if (gain > EPSILON) better = true;
  }
  return better ? 'improved' : 'unchanged';
}

function runAggregate(run: RunResults, items: readonly RunItemResult[]): RunAggregate {
  const aggregates = aggregateRun(items);
  return {
    name: run.run.name,
    id: run.run.id,
    items: aggregates.itemCount,
    itemMeans: aggregates.itemMeans,
    runScores: run.run.runScores,
    errorCount: aggregates.errorCount,
    meanLatency: aggregates.meanLatency,
    totalCost: aggregates.totalCost,
    createdAt: run.run.createdAt,
  };
}

const minus = (next: number | null, base: number | null): number | null => (next === null || base === null ? null : next - base);

/**
 * Two runs of one dataset side by side: one row per dataset item (dataset order, then items only
 * a run covered — archived or deleted since), each score per run, new − base, and a verdict.
 */
export function compareRuns(
  datasetName: string,
  datasetItems: readonly DatasetItemView[],
  base: RunResults,
  next: RunResults,
  options: CompareOptions = {},
): Comparison {
  const baseItems = latestPerItem(base.items);
  const newItems = latestPerItem(next.items);
  const baseById = new Map(baseItems.map((item) => [item.datasetItemId, item]));
  const newById = new Map(newItems.map((item) => [item.datasetItemId, item]));
  const order: { id: string; view: DatasetItemView | null }[] = datasetItems.map((view) => ({ id: view.id, view }));
  const known = new Set(order.map((entry) => entry.id));
  for (const item of [...baseItems, ...newItems].sort((a, b) => a.createdAt.localeCompare(b.createdAt))) {
    if (known.has(item.datasetItemId)) continue;
    known.add(item.datasetItemId);
    order.push({ id: item.datasetItemId, view: null });
  }
  const summary = { improved: 0, regressed: 0, unchanged: 0 };
  const names = new Set<string>();
  const rows: ComparisonItem[] = [];
  for (const { id, view } of order) {
    const b = baseById.get(id);
    const n = newById.get(id);
    if (!b && !n && !view) continue;
    for (const name of Object.keys(b?.scores ?? {})) names.add(name);
    for (const name of Object.keys(n?.scores ?? {})) names.add(name);
    const delta = b && n ? numericDelta(b.scores, n.scores) : {};
    const verdict = verdictOf(delta, options);
    summary[verdict] += 1;
    rows.push({
      datasetItemId: id,
      input: view?.input ?? null,
      expectedOutput: view?.expectedOutput ?? null,
      base: side(b),
      new: side(n),
      delta,
      verdict,
    });
  }
  const baseAggregate = runAggregate(base, baseItems);
  const newAggregate = runAggregate(next, newItems);
  const runScoreDelta: Record<string, number> = {};
  for (const [name, value] of Object.entries(numericDelta(baseAggregate.runScores, newAggregate.runScores))) runScoreDelta[name] = value;
  return {
    dataset: datasetName,
    base: baseAggregate,
    new: newAggregate,
    items: rows,
    summary,
    aggregateDelta: {
      itemMeans: numericDelta(baseAggregate.itemMeans, newAggregate.itemMeans),
      runScores: runScoreDelta,
      errorCount: newAggregate.errorCount - baseAggregate.errorCount,
      meanLatency: minus(newAggregate.meanLatency, baseAggregate.meanLatency),
      totalCost: minus(newAggregate.totalCost, baseAggregate.totalCost),
    },
    scoreNames: [...names].sort(),
  };
}

/** Rows sorted by one score's delta, worst first (rows without that delta last, in dataset order). */
export function sortByDelta(items: readonly ComparisonItem[], score: string, options: CompareOptions = {}): ComparisonItem[] {
  const sign = options.lowerIsBetter?.includes(score) ? -1 : 1;
  return items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => {
      const da = a.item.delta[score];
      const db = b.item.delta[score];
      if (da === undefined || db === undefined) return (da === undefined ? 1 : 0) - (db === undefined ? 1 : 0) || a.index - b.index;
      return sign * da - sign * db || a.index - b.index;
    })
    .map(({ item }) => item);
}

export const regressionsOnly = (items: readonly ComparisonItem[]): ComparisonItem[] => items.filter((item) => item.verdict === 'regressed');

/** The `compare --json` object: the shape, field by field, plus nothing that varies run to run. */
export function comparisonJson(comparison: Comparison) {
  const run = (aggregate: RunAggregate) => ({
    name: aggregate.name,
    id: aggregate.id,
    items: aggregate.items,
    itemMeans: aggregate.itemMeans,
    runScores: aggregate.runScores,
  });
  const itemSide = (value: ComparisonSide | null) => (value ? { traceId: value.traceId, output: value.output, scores: value.scores } : null);
  return {
    dataset: comparison.dataset,
    base: run(comparison.base),
    new: run(comparison.new),
    items: comparison.items.map((item) => ({
      datasetItemId: item.datasetItemId,
      input: item.input,
      expectedOutput: item.expectedOutput,
      base: itemSide(item.base),
      new: itemSide(item.new),
      delta: item.delta,
    })),
    summary: comparison.summary,
  };
}

// ---- gates -----------------------------------------------------------------------------

export type GateOperator = '<' | '<=' | '>' | '>=';

/** `mean_accuracy>=+0.05`: a signed bound on new − base, or (unsigned) an absolute bound on the new run. */
export interface Gate {
  expr: string;
  name: string;
  operator: GateOperator;
  /** `delta`: the value is signed and bounds new − base; `absolute`: it bounds the new run's value. */
  mode: 'delta' | 'absolute';
  threshold: number;
}

export interface GateResult extends Gate {
  /** Where the figure came from: a run-level score, or the mean of an item score. */
  source: 'run score' | 'item mean' | null;
  base: number | null;
  new: number | null;
  delta: number | null;
  /** The figure compared with the threshold (delta or new); null when it could not be computed. */
  actual: number | null;
  pass: boolean;
  /** Why a gate failed without a comparison (unknown score, missing on a side). */
  reason: string | null;
}

export class GateSyntaxError extends Error {
  constructor(
    readonly expr: string,
    detail: string,
  ) {
    super(`bad gate ${JSON.stringify(expr)}: ${detail} (e.g. 'mean_accuracy>=+0.05' for new − base, or 'exact_match>=0.9' for the new run)`);
    this.name = 'GateSyntaxError';
  }
}

const GATE = /^\s*(.+?)\s*(<=|>=|<|>)\s*([+-]?)\s*((?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*$/;

export function parseGate(expr: string): Gate {
  if (expr.length > 300) throw new GateSyntaxError(expr.slice(0, 40), 'longer than 300 characters');
  const match = GATE.exec(expr);
  if (!match) {
    if (/%\s*$/.test(expr)) throw new GateSyntaxError(expr, 'write the bound as a fraction, not a percentage');
    if (/(==|!=|=)/.test(expr)) throw new GateSyntaxError(expr, 'the operator must be one of <, <=, >, >=');
    throw new GateSyntaxError(expr, 'expected NAME OPERATOR VALUE');
  }
  const [, name, operator, sign, digits] = match as unknown as [string, string, GateOperator, string, string];
  const magnitude = Number(digits);
  if (!Number.isFinite(magnitude)) throw new GateSyntaxError(expr, 'the value is not a finite number');
  return {
    expr,
    name,
    operator,
    mode: sign ? 'delta' : 'absolute',
    threshold: sign === '-' ? -magnitude : magnitude,
  };
}

function holds(actual: number, operator: GateOperator, threshold: number): boolean {
  // A figure within float noise of the bound counts as on it (0.85 − 0.8 is 0.04999…).
  const near = Math.abs(actual - threshold) <= EPSILON;
  switch (operator) {
    case '<':
      return actual < threshold && !near;
    case '<=':
      return actual <= threshold || near;
    case '>':
      return actual > threshold && !near;
    case '>=':
      return actual >= threshold || near;
  }
}

/** A gate against a comparison: run scores first, then item means, by that name. */
export function evaluateGate(gate: Gate, comparison: Comparison): GateResult {
  const inRun = gate.name in comparison.new.runScores || gate.name in comparison.base.runScores;
  const inItems = gate.name in comparison.new.itemMeans || gate.name in comparison.base.itemMeans;
  const source: GateResult['source'] = inRun ? 'run score' : inItems ? 'item mean' : null;
  const pick = (run: RunAggregate): number | null =>
    source === 'run score' ? numericScore(run.runScores[gate.name]) : source === 'item mean' ? (run.itemMeans[gate.name] ?? null) : null;
  const base = pick(comparison.base);
  const next = pick(comparison.new);
  const delta = minus(next, base);
  const actual = gate.mode === 'delta' ? delta : next;
  let reason: string | null = null;
  if (source === null) reason = `no run score or item score named ${JSON.stringify(gate.name)} in either run`;
  else if (next === null) reason = `the new run has no numeric ${source} ${JSON.stringify(gate.name)}`;
  else if (gate.mode === 'delta' && base === null) reason = `the base run has no numeric ${source} ${JSON.stringify(gate.name)}`;
  return {
    ...gate,
    source,
    base,
    new: next,
    delta,
    actual,
    pass: reason === null && actual !== null && holds(actual, gate.operator, gate.threshold),
    reason,
  };
}
