// `:top` (issue 18): traffic in a window broken down by trace name, model, prompt@version,
// release, environment, user or tag. Trace groupings are live from the stream: the buffered
// traces and every batch the list receives are upserted into a TopAggregator
// (src/domain/top.ts) and a snapshot is taken at most four times a second. Model and prompt
// groupings count generations, which the stream does not carry, and a window longer than the
// buffer reaches back is not in the buffer: those are read through the TopReader port, read
// again on traffic at most every 2 s against tracetop's own server (every 30 s against stock
// Langfuse, whose read budget is small).
//
// What the screen shows stays put while the user moves: rows keep their order (values still
// update) for a few seconds after each cursor key, the cursor follows its group, and a group
// that leaves the window stays a while as a dimmed tombstone.
//
// The trace list's one-line header (rate, error %, p95, sparkline over 15 minutes) is this
// slice's `summary`, counted from the same batches and redrawn at most once a second.

import { parseFilter } from '../../domain/filter-language.js';
import type { TraceSummary } from '../../domain/types.js';
import { sortTopGroups, TOP_BY, TopAggregator, topGroupFilter, topRowFromTrace, topRowsAreGenerations, type TopBy, type TopColumn, type TopGroup, type TopReader, type TopResult } from '../../ports/metrics.js';
import { clamp, type Slice, type SliceContext } from './types.js';

export const TOP_WINDOWS = [
  { label: '15m', ms: 15 * 60_000 },
  { label: '1h', ms: 60 * 60_000 },
  { label: '6h', ms: 6 * 60 * 60_000 },
  { label: '24h', ms: 24 * 60 * 60_000 },
  { label: '5m', ms: 5 * 60_000 },
] as const;

/** The columns `<` / `>` move the sort through (then each score's mean). */
export const TOP_SORT_COLUMNS: TopColumn[] = ['key', 'count', 'rate', 'errorRate', 'p50', 'p95', 'tokens', 'cost'];

/** A group's identity for the cursor and React keys (the group without a value has key null). */
export const groupId = (key: string | null): string => key ?? '\u0000';

/** Rows keep their order this long after a cursor key (values still update). */
export const HOLD_MS = 5_000;
/** A group that left the window stays this long, dimmed. */
export const TOMBSTONE_MS = 30_000;
const SNAPSHOT_EVERY_MS = 250;
const SUMMARY_EVERY_MS = 1_000;
const SUMMARY_WINDOW_MS = 15 * 60_000;
/** The fewest traces a history read returns when there are more (polling reads 100, the stream 1,000). */
const HISTORY_SMALLEST = 100;

export interface TopState {
  by: TopBy;
  window: number;
  sort: TopColumn;
  descending: boolean;
  result: TopResult | null;
  /** Group ids in display order (held while the user navigates). */
  order: string[];
  cursorId: string | null;
  heldUntil: number;
  /** Groups that left the window, shown dimmed for a while. */
  gone: { group: TopGroup; at: number }[];
  source: 'stream' | 'reader' | null;
  /** Figures held still by the user (`f`). */
  frozen: boolean;
  /** When the figures were computed or read (epoch ms). */
  asOf: number | null;
  /** The oldest buffered trace's time, when the buffer does not reach back to the window's start. */
  bufferedSince: number | null;
  loading: boolean;
  error: string | null;
  /** The trace list's header: the last 15 minutes of the stream. */
  summary: TopResult | null;
}

export interface TopSliceState {
  top: TopState;
}

export interface TopActions {
  /** Shows the breakdown; `by` (name, model, prompt, release, env, user, tag) picks the grouping. */
  showTop(by?: string): void;
  cycleTopBy(): void;
  cycleTopWindow(): void;
  /** Moves the sort one column left or right; `invertTopSort` flips its direction. */
  moveTopSort(direction: 1 | -1): void;
  invertTopSort(): void;
  moveTopCursor(delta: number): void;
  jumpTopCursor(where: 'top' | 'bottom'): void;
  refreshTop(): void;
  /** Holds the figures as they are (again: live), to read them without them moving. */
  toggleTopFreeze(): void;
  /** The trace list filtered to the selected group. */
  drillTop(): void;
  /** A batch the list received, also counted here (wraps the store's applyTraces). */
  applyTraces(batch: TraceSummary[]): void;
  /** The list was emptied (a new filter): the counts start again (wraps the store's resetTraces). */
  resetTraces(): void;
}

export interface TopDeps {
  top?: TopReader;
  now?: () => number;
}

/** Display order: sorted, or (while held) the previous order with new groups after it. */
export function arrangeGroups(groups: readonly TopGroup[], sort: TopColumn, descending: boolean, previous: readonly string[], hold: boolean): string[] {
  const sorted = sortTopGroups(groups, sort, descending).map((group) => groupId(group.key));
  if (!hold || previous.length === 0) return sorted;
  const present = new Set(sorted);
  const kept = previous.filter((id) => present.has(id));
  const keptSet = new Set(kept);
  return [...kept, ...sorted.filter((id) => !keptSet.has(id))];
}

export function createTopSlice({ set, get, deps, core }: SliceContext<TopDeps>): Slice<TopSliceState, TopActions> {
  const state = () => get().top;
  const update = (patch: Partial<TopState>) => set({ top: { ...state(), ...patch } });
  const now = () => deps.now?.() ?? Date.now();
  const visible = () => get().screens.includes('top');
  const windowMs = () => TOP_WINDOWS[state().window]!.ms;

  let live: TopAggregator | null = null;
  let snapshotTimer: NodeJS.Timeout | null = null;
  let summaryTimer: NodeJS.Timeout | null = null;
  let ticker: NodeJS.Timeout | null = null;
  let lastSnapshot = 0;
  let lastRead = 0;
  let reading = false;
  let readGeneration = 0;

  /** New figures in: keep the order while held, follow the cursor's group, keep tombstones. */
  const show = (result: TopResult, source: 'stream' | 'reader', asOf: number) => {
    const current = state();
    if (current.frozen && current.result) return;
    const at = now();
    const hold = at < current.heldUntil;
    const order = arrangeGroups(result.groups, current.sort, current.descending, current.order, hold);
    const present = new Set(order);
    const previousGroups = current.result && current.result.by === result.by ? current.result.groups : [];
    const gone = [
      ...current.gone.filter((entry) => at - entry.at < TOMBSTONE_MS && !present.has(groupId(entry.group.key))),
      ...previousGroups.filter((group) => !present.has(groupId(group.key)) && !current.gone.some((entry) => entry.group.key === group.key)).map((group) => ({ group, at })),
    ];
    let cursorId = current.cursorId;
    if (cursorId === null || (!present.has(cursorId) && !gone.some((entry) => groupId(entry.group.key) === cursorId))) {
      // The selected group vanished: stay at the same place in the list.
      const index = cursorId === null ? 0 : Math.max(0, current.order.indexOf(cursorId));
      cursorId = order[Math.min(index, order.length - 1)] ?? null;
    }
    update({ result, order, gone, cursorId, source, asOf, loading: false, error: null });
  };

  const bufferedSince = (): number | null => {
    const first = get().order[0];
    const oldest = first ? Date.parse(get().traces.get(first)?.timestamp ?? '') : NaN;
    return Number.isFinite(oldest) && oldest > now() - windowMs() && get().evicted > 0 ? oldest : null;
  };

  /** Takes a snapshot of the live figures (a timer's only while the screen shows). */
  const snapshot = (force = false) => {
    snapshotTimer = null;
    if (!live || (!force && !visible())) return;
    lastSnapshot = now();
    show(live.snapshot(lastSnapshot), 'stream', lastSnapshot);
    update({ bufferedSince: bufferedSince() });
  };

  const scheduleSnapshot = () => {
    if (snapshotTimer) return;
    snapshotTimer = setTimeout(() => snapshot(), Math.max(0, SNAPSHOT_EVERY_MS - (now() - lastSnapshot)));
    snapshotTimer.unref?.();
  };

  const read = (force: boolean) => {
    const reader = deps.top;
    if (!reader) return update({ loading: false, error: `by ${state().by} counts generations: not available with this backend` });
    if (reading && !force) return;
    const mine = ++readGeneration;
    reading = true;
    lastRead = now();
    update({ loading: true });
    const parsed = parseFilter(get().filterText);
    const { by } = state();
    const ms = windowMs();
    reader.top({ by, windowMs: ms, now: now(), filter: parsed.ok ? parsed.filter : undefined }).then(
      (snap) => {
        reading = false;
        if (mine !== readGeneration || state().by !== by || windowMs() !== ms) return;
        show(snap, 'reader', Date.parse(snap.fetchedAt) || now());
      },
      (error: unknown) => {
        reading = false;
        if (mine === readGeneration) update({ loading: false, error: error instanceof Error ? error.message : String(error) });
      },
    );
  };

  /** Reads again on traffic, at most every 2 s when live from tracetop's server, every 30 s otherwise. */
  const readOnTraffic = () => {
    const every = get().status.state === 'live' ? 2_000 : 30_000;
    if (now() - lastRead >= every) read(false);
  };

  /**
   * Whether the buffer holds the whole window: its oldest trace is older than the window's
   * start, or it holds fewer traces than a history read returns (so nothing older was left out).
   */
  const bufferCoversWindow = (): boolean => {
    const first = get().order[0];
    const oldest = first ? Date.parse(get().traces.get(first)?.timestamp ?? '') : NaN;
    if (!Number.isFinite(oldest) || oldest <= now() - windowMs()) return true;
    return get().evicted === 0 && get().order.length < HISTORY_SMALLEST;
  };

  /** Whether the figures come from the TopReader (generations, or a window the buffer does not cover). */
  let fromReader = false;

  /** (Re)builds the figures for the current grouping and window: live from the buffer and the stream when it covers the window, else read. */
  const start = () => {
    const { by } = state();
    readGeneration++;
    reading = false;
    fromReader = topRowsAreGenerations(by) || (deps.top !== undefined && !bufferCoversWindow());
    if (fromReader) {
      live = null;
      update({ result: null, order: [], gone: [], source: 'reader', loading: true, error: null });
      read(true);
    } else {
      live = new TopAggregator({ by, windowMs: windowMs() });
      for (const trace of get().traces.values()) {
        const row = topRowFromTrace(trace, by);
        if (row) live.upsert(row);
      }
      update({ result: null, order: [], gone: [] });
      snapshot(true);
    }
    // The window slides even when nothing arrives.
    if (!ticker) {
      ticker = setInterval(() => {
        if (!visible()) {
          clearInterval(ticker!);
          ticker = null;
          live = null;
          return;
        }
        if (live) scheduleSnapshot();
        else readOnTraffic();
      }, 2_000);
      ticker.unref?.();
    }
  };

  /**
   * The list's summary: every trace the list receives is counted in a total-only aggregator
   * (no groups, no scores: a few microseconds a trace; replaced when the trace changes,
   * bounded by the list's capacity); a snapshot is taken at most once a second.
   */
  let summary: TopAggregator | null = null;
  const countForSummary = (batch: readonly TraceSummary[]) => {
    summary ??= new TopAggregator({ by: 'name', windowMs: SUMMARY_WINDOW_MS, maxTracked: get().capacity });
    for (const trace of batch) {
      const row = topRowFromTrace(trace, 'name');
      if (row) summary.upsert({ ...row, keys: [], scores: {} });
    }
  };
  const flushSummary = () => {
    summaryTimer = null;
    if (summary) set({ top: { ...state(), summary: summary.snapshot(now()) } });
  };

  const moveCursorTo = (index: number) => {
    const order = [...state().order, ...state().gone.map((entry) => groupId(entry.group.key))];
    if (order.length === 0) return;
    update({ cursorId: order[clamp(index, 0, order.length - 1)]!, heldUntil: now() + HOLD_MS });
  };

  const cursorIndex = () => {
    const order = [...state().order, ...state().gone.map((entry) => groupId(entry.group.key))];
    return Math.max(0, order.indexOf(state().cursorId ?? ''));
  };

  const resort = () => {
    const current = state();
    if (current.result) update({ order: arrangeGroups(current.result.groups, current.sort, current.descending, [], false), heldUntil: 0 });
  };

  const actions: TopActions = {
    showTop(by) {
      if (by && !(TOP_BY as readonly string[]).includes(by)) set({ message: `top by: ${TOP_BY.join(', ')}` });
      else if (by) update({ by: by as TopBy, cursorId: null });
      start();
    },
    cycleTopBy() {
      update({ frozen: false });
      const next = TOP_BY[(TOP_BY.indexOf(state().by) + 1) % TOP_BY.length]!;
      update({ by: next, cursorId: null, heldUntil: 0 });
      start();
    },
    cycleTopWindow() {
      update({ frozen: false, window: (state().window + 1) % TOP_WINDOWS.length, heldUntil: 0 });
      start();
    },
    moveTopSort(direction) {
      const scores = Object.keys(state().result?.total.scores ?? {}).map((name): TopColumn => `score:${name}`);
      const columns = [...TOP_SORT_COLUMNS, ...scores];
      const index = clamp(columns.indexOf(state().sort) + direction, 0, columns.length - 1);
      const sort = columns[index]!;
      update({ sort, descending: sort !== 'key' });
      resort();
    },
    invertTopSort() {
      update({ descending: !state().descending });
      resort();
    },
    moveTopCursor(delta) {
      moveCursorTo(cursorIndex() + delta);
    },
    jumpTopCursor(where) {
      moveCursorTo(where === 'top' ? 0 : Number.MAX_SAFE_INTEGER);
    },
    refreshTop() {
      if (live) {
        lastSnapshot = 0;
        snapshot(true);
      } else read(true);
    },
    toggleTopFreeze() {
      const frozen = !state().frozen;
      update({ frozen });
      if (!frozen) actions.refreshTop();
    },
    drillTop() {
      const id = state().cursorId;
      const group = [...(state().result?.groups ?? []), ...state().gone.map((entry) => entry.group)].find((candidate) => groupId(candidate.key) === id);
      if (!group) return;
      const condition = topGroupFilter(state().by, group.key);
      if (!condition) return set({ message: `these have no ${state().by}: the trace list cannot filter on that` });
      // The list then holds what the row counted: the group, in the window (unless the filter already says when).
      const when = /(^|\s)(since|from|to):/.test(get().filterText) ? '' : ` since:${TOP_WINDOWS[state().window]!.label}`;
      get().actions.drillToTraces(condition + when);
    },
    applyTraces(batch) {
      core.applyTraces(batch);
      countForSummary(batch);
      if (live) {
        for (const trace of batch) {
          const row = topRowFromTrace(trace, live.by);
          if (row) live.upsert(row);
        }
      }
      if (!summaryTimer) {
        summaryTimer = setTimeout(flushSummary, state().summary ? SUMMARY_EVERY_MS : 0);
        summaryTimer.unref?.();
      }
      if (visible()) {
        // Back on the screen after a while away (a drill-down): count live again from the buffer.
        if (!live && !fromReader) start();
        else if (live) scheduleSnapshot();
        else readOnTraffic();
      }
      get().actions.promptsTraffic();
    },
    resetTraces() {
      core.resetTraces();
      summary = null;
      set({ top: { ...state(), summary: null } });
      if (live) live.clear();
    },
  };

  return {
    dispose() {
      for (const timer of [snapshotTimer, summaryTimer]) if (timer) clearTimeout(timer);
      if (ticker) clearInterval(ticker);
      snapshotTimer = summaryTimer = ticker = null;
      live = null;
    },
    state: {
      top: { by: 'name', window: 0, sort: 'count', descending: true, result: null, order: [], cursorId: null, heldUntil: 0, gone: [], frozen: false, source: null, asOf: null, bufferedSince: null, loading: false, error: null, summary: null },
    },
    actions,
  };
}
