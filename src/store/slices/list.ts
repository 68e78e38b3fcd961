// The live trace list: the bounded window of trace summaries the stream feeds (oldest evicted
// past `capacity`, counted), its timestamp order, the cursor, and follow / pause (as `less +F`).
// Unlike the screens' slices its state sits at the store's top level (`s.order`, `s.cursor`):
// the list is the core every other screen reads.

import type { TraceSummary } from '../../domain/types.js';
import type { LiveStatus } from '../../stream/types.js';
import type { TuiActions, TuiState } from '../store.js';
import { clamp, keepVisible, type GetState, type SetState } from './types.js';

export interface ListState {
  /** Trace summaries by id; mutated in place, `version` says when. */
  traces: Map<string, TraceSummary>;
  /** Arrival order, oldest first. */
  order: string[];
  version: number;
  capacity: number;
  evicted: number;
  follow: boolean;
  /** Length of `order` the paused view is anchored at. */
  anchor: number;
  cursor: number;
  scrollTop: number;
  status: LiveStatus;
}

export interface ListActions {
  resetTraces(): void;
  applyTraces(batch: TraceSummary[]): void;
  setStatus(status: LiveStatus): void;
  moveCursor(delta: number, viewHeight: number): void;
  jumpTop(): void;
  jumpBottom(viewHeight: number): void;
  toggleFollow(): void;
  openSelected(): void;
}

export interface ListContext {
  set: SetState;
  get: GetState;
  /** The store's core actions (the list opens a trace through them). */
  core: TuiActions;
  /** A batch was applied: the trace open before it (`open`) may have new spans. */
  onApplied(batch: TraceSummary[], open: TuiState['open']): void;
  capacity?: number;
  host: string;
}

/** The list as shown: newest first, anchored while paused. */
export function visibleIds(state: Pick<TuiState, 'order' | 'follow' | 'anchor'>): { length: number; at(index: number): string | undefined } {
  const length = state.follow ? state.order.length : Math.min(state.anchor, state.order.length);
  return { length, at: (index) => (index < 0 || index >= length ? undefined : state.order[length - 1 - index]) };
}

/** Where a trace stamped `timestamp` goes in `order` (oldest first); after equal stamps, so ties keep arrival order. */
function insertionIndex(order: string[], traces: Map<string, TraceSummary>, timestamp: string): number {
  const ms = (iso: string | undefined) => {
    const value = iso ? Date.parse(iso) : Number.NaN;
    return Number.isNaN(value) ? 0 : value;
  };
  const stamp = (index: number) => ms(traces.get(order[index]!)?.timestamp);
  const time = ms(timestamp);
  // Nearly every trace is the newest: no search.
  if (order.length === 0 || stamp(order.length - 1) <= time) return order.length;
  let low = 0;
  let high = order.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (stamp(middle) <= time) low = middle + 1;
    else high = middle;
  }
  return low;
}

export function newSincePause(state: Pick<TuiState, 'order' | 'follow' | 'anchor'>): number {
  return state.follow ? 0 : Math.max(0, state.order.length - state.anchor);
}

/** How far back the status bar's rate looks. */
export const RATE_WINDOW_MS = 30_000;

/**
 * Traces per second, by the traces' own time over the last 30 s: what is happening, not how
 * fast the buffer filled (a re-queried history after a filter change is not a burst of
 * traffic), and not trace updates.
 */
export function traceRate(state: Pick<TuiState, 'order' | 'traces'>, now = Date.now()): number {
  let count = 0;
  for (let index = state.order.length - 1; index >= 0; index--) {
    const at = Date.parse(state.traces.get(state.order[index]!)?.timestamp ?? '');
    if (Number.isNaN(at)) continue;
    if (at < now - RATE_WINDOW_MS) break;
    if (at <= now + 5_000) count++;
  }
  return count / (RATE_WINDOW_MS / 1000);
}

export function createListSlice({ set, get, core, onApplied, capacity, host }: ListContext): { state: ListState; actions: ListActions } {
  const actions: ListActions = {
    resetTraces() {
      set({ traces: new Map(), order: [], version: get().version + 1, evicted: 0, anchor: 0, cursor: 0, scrollTop: 0, follow: true });
    },
    applyTraces(batch) {
      const state = get();
      let { evicted, anchor, cursor, scrollTop } = state;
      for (const trace of batch) {
        const isNew = !state.traces.has(trace.id);
        state.traces.set(trace.id, trace);
        if (!isNew) continue;
        // The list is in timestamp order, not arrival order: a late trace (backfill, slow
        // OTLP) takes its place by time instead of landing on top.
        const at = insertionIndex(state.order, state.traces, trace.timestamp);
        state.order.splice(at, 0, trace.id);
        if (!state.follow && at < anchor) {
          // Paused: the late trace joins the held view; the selected trace stays selected.
          const cursorAt = anchor - 1 - cursor;
          anchor++;
          if (at > cursorAt) {
            cursor++;
            scrollTop++;
          }
        }
      }
      // Evict in chunks: one splice per chunk, not one shift per trace.
      if (state.order.length > state.capacity) {
        const excess = state.order.length - state.capacity + Math.ceil(state.capacity / 20);
        const gone = state.order.splice(0, excess);
        for (const id of gone) if (id !== state.open?.id) state.traces.delete(id);
        evicted += gone.length;
        anchor = Math.max(0, anchor - gone.length);
      }
      set({ version: state.version + 1, evicted, anchor, cursor, scrollTop });
      onApplied(batch, state.open);
    },
    setStatus(status) {
      set({ status });
    },
    moveCursor(delta, viewHeight) {
      const state = get();
      const { length } = visibleIds(state);
      const cursor = clamp(state.cursor + delta, 0, Math.max(0, length - 1));
      // Moving off the newest row pauses the view (as `less +F` does): it holds still while
      // new traces count up; space or g follows again.
      const pause = state.follow && cursor > 0;
      set({
        cursor,
        follow: pause ? false : state.follow,
        anchor: pause ? state.order.length : state.anchor,
        scrollTop: keepVisible(cursor, state.scrollTop, viewHeight),
      });
    },
    jumpTop() {
      set({ cursor: 0, scrollTop: 0, follow: true });
    },
    jumpBottom(viewHeight) {
      const state = get();
      const anchor = state.follow ? state.order.length : state.anchor;
      const length = Math.min(anchor, state.order.length);
      const cursor = Math.max(0, length - 1);
      set({ follow: false, anchor, cursor, scrollTop: keepVisible(cursor, state.scrollTop, viewHeight) });
    },
    toggleFollow() {
      const state = get();
      if (state.follow) set({ follow: false, anchor: state.order.length });
      else set({ follow: true, cursor: 0, scrollTop: 0 });
    },
    openSelected() {
      const state = get();
      const id = visibleIds(state).at(state.cursor);
      if (id) core.openTrace(id);
    },
  };
  const state: ListState = {
    traces: new Map(),
    order: [],
    version: 0,
    capacity: capacity ?? 50_000,
    evicted: 0,
    follow: true,
    anchor: 0,
    cursor: 0,
    scrollTop: 0,
    status: { state: 'connecting', detail: null, host, stats: { received: 0, coalesced: 0, lagMs: 0, lastEventId: null } },
  };
  return { state, actions };
}
