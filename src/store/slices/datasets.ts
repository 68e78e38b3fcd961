// `:datasets` (issue 16): datasets → a dataset's runs, newest first → two runs compared item by
// item. The comparison's cursor is kept by dataset item id, so a live refresh (runs still
// running), a re-sort or a trip into a trace and back leaves the same item selected.

import type { Comparison, ComparisonItem, DatasetReader, DatasetSummary, RunSummary } from '../../ports/datasets.js';
import { sortByDelta } from '../../domain/experiments.js';
import { clamp, failed, idle, loaded, loading, type Loadable, type Slice, type SliceContext } from './types.js';

export type CompareOnly = 'all' | 'regressed' | 'improved';

export interface CompareView {
  /** Sort by this score's delta, worst first; null: dataset order. */
  sortBy: string | null;
  only: CompareOnly;
  /** The selected item (kept across refreshes and re-sorts). */
  itemId: string | null;
  focus: 'table' | 'detail';
  detailScroll: number;
}

export interface DatasetsState {
  list: Loadable<DatasetSummary[]>;
  cursor: number;
  dataset: string | null;
  runs: Loadable<RunSummary[]>;
  runCursor: number;
  /** Marked run names, at most two, in the order marked. */
  marked: string[];
  pair: { base: string; new: string } | null;
  comparison: Loadable<Comparison>;
  view: CompareView;
  /** Item scores where a smaller value is better (from the options). */
  lowerIsBetter: readonly string[];
}

export interface DatasetsSliceState {
  datasets: DatasetsState;
}

export interface DatasetsActions {
  /** Loads the datasets; with a name, opens that dataset's runs at once. */
  showDatasets(name?: string): void;
  moveDatasetCursor(delta: number): void;
  openDataset(): void;
  moveRunCursor(delta: number): void;
  /** Marks the selected run (a third mark replaces the oldest). */
  toggleRunMark(): void;
  /** Compares the two marked runs, or (none marked, or `previous`) the selected run with the one before it. */
  compareRuns(previous?: boolean): void;
  moveCompareCursor(delta: number): void;
  jumpCompare(where: 'top' | 'bottom'): void;
  /** Dataset order → each score's delta, worst first → dataset order. */
  cycleCompareSort(): void;
  toggleCompareOnly(only: Exclude<CompareOnly, 'all'>): void;
  /** Swaps base and new (every delta flips). */
  swapCompare(): void;
  toggleCompareFocus(): void;
  scrollCompareDetail(delta: number): void;
  /** Opens the selected item's trace (the new run's; `base` for the base run's). */
  openCompareTrace(side: 'new' | 'base'): void;
}

export interface DatasetsDeps {
  datasets?: DatasetReader;
  /** Item scores where a smaller value is better (all others: bigger is better). */
  lowerIsBetter?: readonly string[];
}

const INITIAL_VIEW: CompareView = { sortBy: null, only: 'all', itemId: null, focus: 'table', detailScroll: 0 };

const rowsCache = new WeakMap<Comparison, Map<string, ComparisonItem[]>>();

/** The comparison's rows as shown: filtered to a verdict, sorted by one score's delta (worst first, missing last). */
export function compareRows(comparison: Comparison, view: Pick<CompareView, 'sortBy' | 'only'>, lowerIsBetter: readonly string[] = []): ComparisonItem[] {
  const key = `${view.only}\u0000${view.sortBy ?? ''}\u0000${lowerIsBetter.join(',')}`;
  const cached = rowsCache.get(comparison)?.get(key);
  if (cached) return cached;
  let rows = view.only === 'all' ? comparison.items : comparison.items.filter((item) => item.verdict === view.only);
  if (view.sortBy) rows = sortByDelta(rows, view.sortBy, { lowerIsBetter });
  const byKey = rowsCache.get(comparison) ?? new Map<string, ComparisonItem[]>();
  byKey.set(key, rows);
  rowsCache.set(comparison, byKey);
  return rows;
}

/** Where the selected item is among the rows (the first row when it is gone). */
export function compareCursor(rows: readonly ComparisonItem[], itemId: string | null): number {
  if (!itemId) return 0;
  const index = rows.findIndex((item) => item.datasetItemId === itemId);
  return Math.max(0, index);
}

export function createDatasetsSlice({ set, get, deps, core }: SliceContext<DatasetsDeps>): Slice<DatasetsSliceState, DatasetsActions> {
  const state = () => get().datasets;
  const update = (patch: Partial<DatasetsState>) => set({ datasets: { ...state(), ...patch } });
  const missing = () => set({ message: 'datasets are not available with this backend' });
  let unwatch: (() => void) | null = null;
  let watching: string | null = null;

  const loadRuns = (dataset: string) => {
    const reader = deps.datasets;
    if (!reader) return missing();
    update({ runs: loading(state().runs) });
    reader.listRuns(dataset).then(
      (runs) => {
        if (state().dataset !== dataset) return;
        update({ runs: loaded(runs), runCursor: clamp(state().runCursor, 0, Math.max(0, runs.length - 1)), marked: state().marked.filter((name) => runs.some((run) => run.name === name)) });
      },
      (error: unknown) => {
        if (state().dataset === dataset) update({ runs: failed(state().runs, error) });
      },
    );
  };

  const loadComparison = (dataset: string, pair: { base: string; new: string }) => {
    const reader = deps.datasets;
    if (!reader) return missing();
    update({ comparison: loading(state().comparison) });
    reader.loadComparison(dataset, pair.base, pair.new, { lowerIsBetter: deps.lowerIsBetter }).then(
      (comparison) => {
        const now = state();
        if (now.dataset !== dataset || now.pair?.base !== pair.base || now.pair.new !== pair.new) return;
        update({ comparison: loaded(comparison), view: { ...now.view, itemId: now.view.itemId ?? comparison.items[0]?.datasetItemId ?? null } });
      },
      (error: unknown) => {
        const now = state();
        if (now.dataset === dataset && now.pair === pair) update({ comparison: failed(now.comparison, error) });
      },
    );
  };

  /** Runs still running fill in live: re-read what is on screen when the dataset's runs change. */
  const watch = (dataset: string) => {
    if (watching === dataset || !deps.datasets) return;
    unwatch?.();
    watching = dataset;
    unwatch = deps.datasets.watch(dataset, () => {
      const screens = get().screens;
      const now = state();
      if (now.dataset !== dataset || !screens.some((screen) => screen === 'runs' || screen === 'compare')) {
        // Nobody is looking: stop listening until the dataset is opened again.
        unwatch?.();
        unwatch = null;
        watching = null;
        return;
      }
      loadRuns(dataset);
      if (now.pair && screens.includes('compare')) loadComparison(dataset, now.pair);
    });
  };

  const openRuns = (dataset: string) => {
    const sameDataset = state().dataset === dataset;
    update({ dataset, runs: sameDataset ? state().runs : idle(), runCursor: sameDataset ? state().runCursor : 0, marked: sameDataset ? state().marked : [] });
    set({ screens: [...get().screens.filter((screen) => screen !== 'runs' && screen !== 'compare'), 'runs'] });
    loadRuns(dataset);
    watch(dataset);
  };

  const rows = () => {
    const now = state();
    return now.comparison.data ? compareRows(now.comparison.data, now.view, deps.lowerIsBetter) : [];
  };

  const selectedItem = (): ComparisonItem | undefined => {
    const all = rows();
    return all[compareCursor(all, state().view.itemId)];
  };

  const actions: DatasetsActions = {
    showDatasets(name) {
      const reader = deps.datasets;
      if (!reader) return missing();
      update({ list: loading(state().list) });
      reader.listDatasets().then(
        (list) => update({ list: loaded(list), cursor: clamp(state().cursor, 0, Math.max(0, list.length - 1)) }),
        (error: unknown) => update({ list: failed(state().list, error) }),
      );
      if (name) openRuns(name);
    },
    moveDatasetCursor(delta) {
      const count = state().list.data?.length ?? 0;
      update({ cursor: clamp(state().cursor + delta, 0, Math.max(0, count - 1)) });
    },
    openDataset() {
      const dataset = state().list.data?.[state().cursor];
      if (dataset) openRuns(dataset.name);
    },
    moveRunCursor(delta) {
      const count = state().runs.data?.length ?? 0;
      update({ runCursor: clamp(state().runCursor + delta, 0, Math.max(0, count - 1)) });
    },
    toggleRunMark() {
      const run = state().runs.data?.[state().runCursor];
      if (!run) return;
      const marked = state().marked;
      update({ marked: marked.includes(run.name) ? marked.filter((name) => name !== run.name) : [...marked, run.name].slice(-2) });
    },
    compareRuns(previous = false) {
      const now = state();
      const runs = now.runs.data ?? [];
      const dataset = now.dataset;
      if (!dataset) return;
      let pair: { base: string; new: string } | null = null;
      if (!previous && now.marked.length === 2) {
        // Newest first: the run further down the list is the older one, the base.
        const [a, b] = now.marked.map((name) => runs.findIndex((run) => run.name === name)) as [number, number];
        pair = a > b ? { base: runs[a]!.name, new: runs[b]!.name } : { base: runs[b]!.name, new: runs[a]!.name };
      } else {
        const selected = runs[now.runCursor];
        const before = runs[now.runCursor + 1];
        if (!selected) return;
        if (!before) return set({ message: now.marked.length === 1 ? 'mark a second run to compare with (Space)' : 'the oldest run has no previous run: mark two runs with Space' });
        pair = { base: before.name, new: selected.name };
      }
      const samePair = now.pair?.base === pair.base && now.pair.new === pair.new;
      update({ pair, comparison: samePair ? now.comparison : idle(), view: samePair ? now.view : INITIAL_VIEW });
      set({ screens: [...get().screens.filter((screen) => screen !== 'compare'), 'compare'] });
      loadComparison(dataset, pair);
    },
    moveCompareCursor(delta) {
      const all = rows();
      if (all.length === 0) return;
      const index = clamp(compareCursor(all, state().view.itemId) + delta, 0, all.length - 1);
      update({ view: { ...state().view, itemId: all[index]!.datasetItemId, detailScroll: 0 } });
    },
    jumpCompare(where) {
      const all = rows();
      const item = where === 'top' ? all[0] : all[all.length - 1];
      if (item) update({ view: { ...state().view, itemId: item.datasetItemId, detailScroll: 0 } });
    },
    cycleCompareSort() {
      const names = state().comparison.data?.scoreNames ?? [];
      const current = state().view.sortBy;
      const next = current === null ? (names[0] ?? null) : (names[names.indexOf(current) + 1] ?? null);
      update({ view: { ...state().view, sortBy: next } });
      set({ message: next ? `sorted by the change in ${next}, worst first` : 'dataset order' });
    },
    toggleCompareOnly(only) {
      const view = state().view;
      const next = view.only === only ? 'all' : only;
      update({ view: { ...view, only: next } });
      // Keep the selection when it survives the filter; otherwise the first row.
      const all = rows();
      if (!all.some((item) => item.datasetItemId === view.itemId)) update({ view: { ...state().view, itemId: all[0]?.datasetItemId ?? view.itemId } });
    },
    swapCompare() {
      const now = state();
      if (!now.pair || !now.dataset) return;
      const pair = { base: now.pair.new, new: now.pair.base };
      update({ pair, comparison: idle() });
      loadComparison(now.dataset, pair);
    },
    toggleCompareFocus() {
      update({ view: { ...state().view, focus: state().view.focus === 'table' ? 'detail' : 'table' } });
    },
    scrollCompareDetail(delta) {
      update({ view: { ...state().view, detailScroll: Math.max(0, state().view.detailScroll + delta) } });
    },
    openCompareTrace(side) {
      const item = selectedItem();
      if (!item) return;
      const target = item[side] ?? (side === 'new' ? item.base : item.new);
      if (!target?.traceId) return set({ message: 'this item has no trace in either run' });
      if (!item[side]) set({ message: `the ${side} run did not cover this item: its other run's trace` });
      core.openTrace(target.traceId);
    },
  };

  return {
    dispose() {
      unwatch?.();
      unwatch = null;
      watching = null;
    },
    state: { datasets: { list: idle(), cursor: 0, dataset: null, runs: idle(), runCursor: 0, marked: [], pair: null, comparison: idle(), view: INITIAL_VIEW, lowerIsBetter: deps.lowerIsBetter ?? [] } },
    actions,
  };
}
