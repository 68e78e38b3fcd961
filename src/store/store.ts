// The TUI's state: a zustand vanilla store fed by the LiveSource and driven by key commands.
// Read state is plain data; write actions live under `actions` (components read slices and
// call actions, never set state). The trace window is bounded: the oldest traces are evicted
// past `capacity` and the count of evicted traces is shown.

import { createStore, type StoreApi } from 'zustand/vanilla';
import type { TraceSummary, TraceWithFullDetails } from '../domain/types.js';
import type { SessionReader, TraceReader } from '../ports/readers.js';
import type { LiveStatus } from '../stream/types.js';
import type { ScoringService } from '../scoring/service.js';
import { createSlices, type SliceActions, type SliceDeps, type SliceScreen, type SliceState } from './slices/index.js';
import type { TraceFilter } from '../domain/filter-language.js';
import { ancestorsOf, criticalPath, errorPaths, problemIds, searchTree, slowIds, slowPaths, slowThreshold, warmNavigation, withAncestors } from '../domain/trace-navigation.js';
import { buildTraceTree, defaultExpansion, depthThatFits, formatDuration, visibleRows, visibleSubtree, type TraceTree, type TreeNode } from '../domain/trace-tree.js';

export type Screen = 'list' | 'trace' | 'help' | 'sessions' | 'session' | SliceScreen;

export interface OpenTrace {
  id: string;
  state: 'loading' | 'loaded' | 'error';
  trace: TraceWithFullDetails | null;
  tree: TraceTree | null;
  error: string | null;
  /** While a big trace loads in pages: how far it got. */
  progress?: { loaded: number; total: number | null } | null;
}

/** What a filtered tree view keeps (with ancestors): problems, slow observations, or search matches. */
export type TreeOnly = 'errors' | 'slow' | 'matches';

export interface TreeZoom {
  id: string;
  label: string;
  fromMs: number;
  toMs: number;
}

/** The core's state plus each slice's key (see ./slices/index.ts). */
export interface TuiState extends SliceState {
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
  screens: Screen[];
  status: LiveStatus;
  filterText: string;
  /** The help screen's first shown line. */
  helpScroll: number;
  /** No writes: the scoring keys say so. */
  readOnly: boolean;
  /** Screen-sharing mode: payloads and user/session ids hidden. */
  redact: boolean;
  /** Span search inside the open trace. */
  spanSearch: SpanSearch | null;
  /** A filtered tree view, or null for every row. */
  only: TreeOnly | null;
  /** Similar siblings grouped into one row (`tool:search x60`). */
  autogroup: boolean;
  /** The waterfall's time axis narrowed to one subtree. */
  zoom: TreeZoom | null;
  /** Ids on the critical path when that view is on. */
  critical: Set<string> | null;
  /** The Langfuse UI's base URL for trace links, when there is one and the terminal shows links. */
  linkBase: string | null;
  /** The Langfuse web UI's base URL when the backend has one (tracetop's own server has none): trace pages link there. */
  webBase: string | null;
  open: OpenTrace | null;
  expanded: Set<string>;
  treeCursor: number;
  treeScrollTop: number;
  focus: 'tree' | 'detail';
  detailScroll: number;
  message: string | null;
  /** The screen the message belongs to: it shows there only, and leaving that screen ends it. */
  messageScreen: Screen | null;
  actions: TuiActions & SliceActions;
}

export interface SpanSearch {
  text: string;
  editing: boolean;
  matches: string[];
  index: number;
  /** Also search inputs and outputs. */
  payloads: boolean;
}

export type { QueryLine } from './slices/query-line.js';
export type { LocalScore } from './slices/scoring.js';
export { sessionIndex, sessionRows, type SessionRow } from './slices/sessions.js';

export interface TuiActions {
  openSpanSearch(): void;
  editSpanSearch(text: string): void;
  closeSpanSearch(keep: boolean): void;
  jumpToMatch(direction: 1 | -1, viewHeight: number): void;
  toggleSearchPayloads(): void;
  /** Errors, slow or matches only (again: every row). */
  toggleOnly(only: TreeOnly): void;
  toggleAutogroup(): void;
  /** Zooms the waterfall to the selected subtree, or back to the whole trace. */
  toggleZoom(): void;
  /** Jaeger's o / p: expand every node one level deeper than now, or collapse the deepest open level. */
  expandLevel(direction: 1 | -1): void;
  toggleCriticalPath(): void;
  toggleRedact(): void;
  /** Scrolls the help screen by lines (top/bottom with ±Infinity), kept within `total` lines shown `height` at a time. */
  scrollHelp(delta: number, height: number, total: number): void;
  /** The backend's web UI (trace pages), and the title's OSC 8 link base where the terminal shows links. */
  setWebBase(webBase: string | null, linkBase: string | null): void;
  resetTraces(): void;
  applyTraces(batch: TraceSummary[]): void;
  setStatus(status: LiveStatus): void;
  moveCursor(delta: number, viewHeight: number): void;
  jumpTop(): void;
  jumpBottom(viewHeight: number): void;
  toggleFollow(): void;
  openSelected(): void;
  openTrace(id: string): void;
  back(): void;
  showHelp(): void;
  moveTreeCursor(delta: number, viewHeight: number): void;
  jumpTree(where: 'top' | 'bottom', viewHeight: number): void;
  toggleNode(): void;
  setNodeExpanded(expanded: boolean): void;
  expandAll(): void;
  collapseAll(): void;
  toggleFocus(): void;
  scrollDetail(delta: number): void;
  setMessage(message: string | null): void;
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

/** The trace row's key in `expanded` (no observation id can be empty). */
export const TRACE_ROW = '';

/** The trace view's rows: the trace itself first (null), then the visible observations. */
type RowsEntry = { tree: TraceTree; expanded: ReadonlySet<string>; keep: ReadonlySet<string> | null; rows: (TreeNode | null)[] };
/** The last few row lists, newest first: toggling a view off (x, S, m) finds the rows it left. */
let rowsCache: RowsEntry[] = [];
const remember = (entry: RowsEntry) => {
  rowsCache = [entry, ...rowsCache.filter((other) => other.tree === entry.tree).slice(0, 3)];
};
const allRowsCache = new WeakMap<TraceTree, (TreeNode | null)[]>();
let keepCache: { tree: TraceTree; only: TreeOnly; matches: readonly string[] | null; keep: ReadonlySet<string> } | null = null;

type RowsState = Pick<TuiState, 'open' | 'expanded'> & Partial<Pick<TuiState, 'only' | 'spanSearch'>>;

/** The ids a filtered view keeps, computed once per tree (and per search). */
export function keptIds(tree: TraceTree, only: TreeOnly | null | undefined, matches: readonly string[] | undefined): ReadonlySet<string> | null {
  if (!only) return null;
  const relevantMatches = only === 'matches' ? (matches ?? []) : null;
  if (keepCache && keepCache.tree === tree && keepCache.only === only && keepCache.matches === relevantMatches) return keepCache.keep;
  const keep = only === 'errors' ? errorPaths(tree) : only === 'slow' ? slowPaths(tree) : withAncestors(tree, relevantMatches ?? []);
  keepCache = { tree, only, matches: relevantMatches, keep };
  return keep;
}

/**
 * Where a node sits in a row list: rows keep the tree's depth-first order, so a binary search
 * on that order finds it without a walk of 100,000 rows (the trace row, null, is first).
 */
export function rowIndexOf(rows: readonly (TreeNode | null)[], node: TreeNode | undefined): number {
  if (!node) return -1;
  let low = 1;
  let high = rows.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const at = rows[middle]!.index;
    if (at === node.index) return rows[middle] === node ? middle : rows.indexOf(node);
    if (at < node.index) low = middle + 1;
    else high = middle - 1;
  }
  return rows.indexOf(node);
}

const openable = new WeakMap<ReadonlySet<string>, string[]>();
/** The kept ids that have rows below them to open, once per kept set (100,000 map lookups are milliseconds). */
function openableIn(tree: TraceTree, keep: ReadonlySet<string>): string[] {
  let ids = openable.get(keep);
  if (!ids) {
    ids = [...keep].filter((id) => tree.nodes.get(id)!.childNodes.length > 0 && !tree.nodes.get(id)!.group);
    openable.set(keep, ids);
  }
  return ids;
}

export function treeRows(state: RowsState): (TreeNode | null)[] {
  const tree = state.open?.tree;
  if (!tree || !state.expanded.has(TRACE_ROW)) return [null];
  const keep = keptIds(tree, state.only, state.spanSearch?.matches);
  // Tree and expansion set are replaced, never mutated: while both are the same objects the
  // rows are too, so a cursor keystroke costs no walk of the tree.
  const hit = rowsCache.find((entry) => entry.tree === tree && entry.expanded === state.expanded && entry.keep === keep);
  if (hit) return hit.rows;
  let rows: (TreeNode | null)[];
  if (!keep && state.expanded === tree.allExpanded) {
    // "Expand all" is the tree's own set: its rows are the depth-first order, built once.
    rows = allRowsCache.get(tree) ?? [null, ...tree.orderNodes];
    allRowsCache.set(tree, rows);
  } else {
    rows = [null, ...visibleRows(tree, state.expanded, keep ?? undefined)];
  }
  remember({ tree, expanded: state.expanded, keep, rows });
  return rows;
}

/** A copy of `rows` with `removeCount` rows at `start` replaced by `insert`, written once into an array of its final length (half the time of slice and concat over 100,000 rows). */
function spliced<T>(rows: readonly T[], start: number, removeCount: number, insert: readonly T[]): T[] {
  const result = new Array<T>(rows.length - removeCount + insert.length);
  let at = 0;
  for (let i = 0; i < start; i++) result[at++] = rows[i]!;
  for (const row of insert) result[at++] = row;
  for (let i = start + removeCount; i < rows.length; i++) result[at++] = rows[i]!;
  return result;
}

/**
 * One node opened or closed: splice its subtree's rows in or out of the cached rows instead
 * of walking the whole tree again (a toggle in an expanded 100,000-row trace stays cheap).
 */
function primeToggledRows(state: RowsState, index: number, node: TreeNode, expanded: Set<string>): void {
  const tree = state.open?.tree;
  const before = treeRows(state);
  if (!tree || rowsCache[0]?.rows !== before || rowsCache[0].keep) return;
  let rows: (TreeNode | null)[];
  if (expanded.has(node.id)) rows = spliced(before, index + 1, 0, visibleSubtree(node, expanded));
  else {
    let next = index + 1;
    while (next < before.length && before[next]!.depth > node.depth) next++;
    rows = spliced(before, index + 1, next - index - 1, []);
  }
  remember({ tree, expanded, keep: null, rows });
}

/** The waterfall's axis narrowed to a node's subtree (its start to the last end below it). */
export function zoomOn(node: TreeNode): TreeZoom {
  const label = node.group ? `${node.group.name} x${node.group.count}` : (node.observation.name ?? node.id);
  return { id: node.id, label, fromMs: node.startOffset, toMs: Math.max(node.subtreeEnd, node.startOffset + 1) };
}

/** The set with the ids added, or the very same set when it has them all (so cached rows stay valid). */
function expandedWith(expanded: Set<string>, ids: Iterable<string>): Set<string> {
  let result: Set<string> | null = null;
  for (const id of ids) {
    if ((result ?? expanded).has(id)) continue;
    result ??= new Set(expanded);
    result.add(id);
  }
  return result ?? expanded;
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


const clamp = (value: number, min: number, max: number) => Math.max(min, Math.min(max, value));

/** `1 observation`, `2 observations`. */
const plural = (count: number, singular: string, pluralForm = `${singular}s`) => `${count} ${count === 1 ? singular : pluralForm}`;

function keepVisible(cursor: number, scrollTop: number, height: number): number {
  if (height <= 0) return 0;
  if (cursor < scrollTop) return cursor;
  if (cursor >= scrollTop + height) return cursor - height + 1;
  return scrollTop;
}

export interface TuiStoreOptions extends SliceDeps {
  reader: TraceReader & Partial<SessionReader>;
  host: string;
  capacity?: number;
  filterText?: string;
  filterHistory?: string[];
  scoring?: ScoringService;
  readOnly?: boolean;
  redact?: boolean;
  linkBase?: string | null;
  webBase?: string | null;
  /** The terminal's rows, so a big trace opens collapsed to a depth that fits. */
  viewRows?: () => number;
  /** Group similar siblings in the trace view (default on). */
  autogroup?: boolean;
  /** Called with a new filter once the user applies it: the caller re-queries and re-tails. */
  onFilterChange?: (filter: TraceFilter, text: string) => void;
}

export function createTuiStore(options: TuiStoreOptions): StoreApi<TuiState> {
  let refetchTimer: NodeJS.Timeout | null = null;
  // How long the open trace took to load: a live refresh waits a few times that, so a
  // 100,000-observation trace is not re-fetched twice a second.
  let lastLoadMs = 0;

  return createStore<TuiState>()((rawSet, get) => {
    // A message belongs to the screen it was given on: a change of screen ends it.
    const set = (partial: Partial<TuiState>): void => {
      const before = get()?.screens?.at(-1) ?? null;
      const after = partial.screens ? (partial.screens.at(-1) ?? null) : before;
      if (partial.message !== undefined) rawSet({ ...partial, messageScreen: partial.message === null ? null : after });
      else if (after !== before && get()?.message) rawSet({ ...partial, message: null, messageScreen: null });
      else rawSet(partial);
    };
    const loadTrace = (id: string, keepView: boolean) => {
      const started = Date.now();
      let lastProgress = 0;
      const onProgress = (loaded: number, total: number | null) => {
        const current = get().open;
        if (!current || current.id !== id || current.state !== 'loading') return;
        const now = Date.now();
        if (now - lastProgress < 100 && loaded !== total) return;
        lastProgress = now;
        set({ open: { ...current, progress: { loaded, total } } });
      };
      const expectedObservations = get().traces.get(id)?.observationCount;
      options.reader.getTrace(id, { expectedObservations, onProgress }).then(
        (trace) => {
          lastLoadMs = Date.now() - started;
          const current = get().open;
          if (!current || current.id !== id) return;
          const tree = buildTraceTree(trace, { autogroup: get().autogroup, traceRowKey: TRACE_ROW });
          const rows = options.viewRows?.();
          const fresh = defaultExpansion(tree, rows ? depthThatFits(tree, rows - 3) : 3).add(TRACE_ROW);
          // A live refresh keeps what the user folded; only nodes new to the tree get defaults.
          const expanded = keepView ? new Set([...get().expanded, ...[...fresh].filter((nodeId) => nodeId !== TRACE_ROW && !current.tree?.nodes.has(nodeId))]) : fresh;
          const zoom = get().zoom;
          // A live refresh keeps the selected row selected (by id) as new spans arrive above it.
          const selected = keepView && current.tree ? treeRows(get())[get().treeCursor] : undefined;
          set({ open: { id, state: 'loaded', trace, tree, error: null }, expanded, zoom: zoom && tree.nodes.has(zoom.id) ? zoomOn(tree.nodes.get(zoom.id)!) : null });
          if (selected) {
            const index = rowIndexOf(treeRows(get()), tree.nodes.get(selected.id));
            if (index >= 0 && index !== get().treeCursor) set({ treeCursor: index, treeScrollTop: Math.max(0, get().treeScrollTop + index - get().treeCursor) });
          }
          // Once the first frame is out, precompute what the view keys need (errors, slow, search).
          setTimeout(() => {
            if (get().open?.tree === tree) warmNavigation(tree);
          }, 50).unref?.();
        },
        (error: unknown) => {
          const current = get().open;
          if (!current || current.id !== id) return;
          // Keep what is shown when a live refresh fails; say why.
          set({ open: { ...current, state: current.trace ? 'loaded' : 'error', error: error instanceof Error ? error.message : String(error) } });
        },
      );
    };

    /** Puts the cursor on an observation, expanding its ancestors so it is visible. */
    const reveal = (id: string, viewHeight: number) => {
      const state = get();
      const tree = state.open?.tree;
      if (!tree) return;
      const expanded = expandedWith(state.expanded, [TRACE_ROW, ...ancestorsOf(tree, [id])]);
      if (expanded !== state.expanded) set({ expanded });
      const rows = treeRows({ ...get(), expanded });
      const index = rowIndexOf(rows, tree.nodes.get(id));
      if (index >= 0) set({ treeCursor: index, treeScrollTop: keepVisible(index, get().treeScrollTop, viewHeight), detailScroll: 0 });
    };

    const actions: TuiActions = {
      openSpanSearch() {
        const current = get().spanSearch;
        set({ spanSearch: { text: current?.text ?? '', editing: true, matches: current?.matches ?? [], index: current?.index ?? -1, payloads: current?.payloads ?? false } });
      },
      editSpanSearch(text) {
        const tree = get().open?.tree;
        const payloads = get().spanSearch?.payloads ?? false;
        set({ spanSearch: { text, editing: true, matches: tree ? searchTree(tree, text, { payloads }) : [], index: -1, payloads } });
      },
      toggleSearchPayloads() {
        const search = get().spanSearch;
        if (!search) return;
        const tree = get().open?.tree;
        const payloads = !search.payloads;
        set({ spanSearch: { ...search, payloads, matches: tree ? searchTree(tree, search.text, { payloads }) : [], index: -1 } });
      },
      closeSpanSearch(keep) {
        const search = get().spanSearch;
        if (!keep || !search || !search.text) return set({ spanSearch: null, ...(get().only === 'matches' ? { only: null, treeCursor: 0, treeScrollTop: 0 } : {}) });
        set({ spanSearch: { ...search, editing: false } });
      },
      jumpToMatch(direction, viewHeight) {
        const search = get().spanSearch;
        if (!search || search.matches.length === 0) return set({ message: 'no matches' });
        const index = (search.index + direction + search.matches.length) % search.matches.length;
        set({ spanSearch: { ...search, editing: false, index } });
        reveal(search.matches[index]!, viewHeight);
      },
      expandLevel(direction) {
        const state = get();
        const tree = state.open?.tree;
        if (!tree) return;
        const expandable = tree.orderNodes.filter((node) => node.childNodes.length > 0);
        // The open depth: the shallowest expandable node still closed (or one past the deepest open).
        const closed = expandable.filter((node) => !state.expanded.has(node.id)).map((node) => node.depth);
        const open = expandable.filter((node) => state.expanded.has(node.id)).map((node) => node.depth);
        const expanded = new Set(state.expanded);
        // The trace row is the first level.
        if (direction === 1 && !expanded.has(TRACE_ROW)) return set({ expanded: expanded.add(TRACE_ROW) });
        if (direction === 1) {
          if (closed.length === 0) return;
          const depth = Math.min(...closed);
          for (const node of expandable) if (node.depth <= depth) expanded.add(node.id);
        } else {
          if (open.length === 0) return set({ expanded: new Set(), treeCursor: 0, treeScrollTop: 0 });
          const depth = Math.max(...open);
          for (const node of expandable) if (node.depth >= depth) expanded.delete(node.id);
        }
        set({ expanded, treeCursor: Math.min(state.treeCursor, treeRows({ ...state, expanded }).length - 1) });
      },
      toggleOnly(only) {
        const state = get();
        const tree = state.open?.tree;
        if (!tree) return;
        if (state.only === only) return set({ only: null, treeCursor: 0, treeScrollTop: 0, message: null });
        if (only === 'matches' && !state.spanSearch?.matches.length) return set({ message: 'no search matches to keep: / searches first' });
        const keep = keptIds(tree, only, state.spanSearch?.matches)!;
        // Open the paths to what is kept; when they already are, the set (and its cached rows) stays.
        const expanded = expandedWith(state.expanded, [TRACE_ROW, ...openableIn(tree, keep)]);
        const count = only === 'matches' ? (state.spanSearch?.matches.length ?? 0) : only === 'errors' ? problemIds(tree).length : slowIds(tree).length;
        const what = only === 'errors' ? `${count} ${count === 1 ? 'error or warning' : 'errors and warnings'}` : only === 'slow' ? `${plural(count, 'slow observation')} (>= 2s or > ${formatDuration(slowThreshold(tree))}, the 95th percentile)` : plural(count, 'search match', 'search matches');
        set({ only, expanded, treeCursor: 0, treeScrollTop: 0, message: `${what} and their ancestors only (again for all)` });
      },
      toggleAutogroup() {
        const state = get();
        const autogroup = !state.autogroup;
        set({ autogroup, message: autogroup ? 'similar siblings grouped (a: ungroup)' : 'every observation on its own row (a: group similar siblings)' });
        const open = state.open;
        if (!open?.trace || !open.tree) return;
        const tree = buildTraceTree(open.trace, { autogroup, traceRowKey: TRACE_ROW });
        // Keep what was open; groups that are new start closed, as by default.
        const expanded = new Set([...state.expanded].filter((id) => tree.nodes.has(id) || id === TRACE_ROW));
        for (const id of defaultExpansion(tree)) if (!open.tree.nodes.has(id)) expanded.add(id);
        set({ open: { ...open, tree }, expanded, treeCursor: 0, treeScrollTop: 0, zoom: null, critical: state.critical ? new Set(criticalPath(tree)) : null, spanSearch: state.spanSearch ? { ...state.spanSearch, matches: searchTree(tree, state.spanSearch.text, { payloads: state.spanSearch.payloads }), index: -1 } : null });
      },
      toggleZoom() {
        const state = get();
        const tree = state.open?.tree;
        if (!tree) return;
        if (state.zoom) return set({ zoom: null, message: 'waterfall: the whole trace' });
        const node = treeRows(state)[state.treeCursor];
        if (!node) return set({ message: 'select an observation to zoom the waterfall to its subtree' });
        const zoom = zoomOn(node);
        set({ zoom, message: `waterfall zoomed to ${zoom.label} (z: whole trace)` });
      },
      toggleCriticalPath() {
        const state = get();
        const tree = state.open?.tree;
        if (!tree) return;
        if (state.critical) return set({ critical: null, message: null });
        const path = criticalPath(tree);
        set({ critical: new Set(path), expanded: expandedWith(state.expanded, [TRACE_ROW, ...ancestorsOf(tree, path)]), message: `critical path: ${plural(path.length, 'observation')}, marked *` });
      },
      toggleRedact() {
        const redact = !get().redact;
        set({ redact, message: redact ? 'redaction on: payloads and user/session ids hidden' : 'redaction off' });
      },
      scrollHelp(delta, height, total) {
        set({ helpScroll: clamp(get().helpScroll + delta, 0, Math.max(0, total - height)) });
      },
      setWebBase(webBase, linkBase) {
        set({ webBase, linkBase });
      },
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
        const open = state.open;
        if (open && batch.some((trace) => trace.id === open.id) && !refetchTimer) {
          // The open trace is still receiving spans: refresh it, at most twice a second (big ones less often).
          refetchTimer = setTimeout(() => {
            refetchTimer = null;
            if (get().open?.id === open.id) loadTrace(open.id, true);
          }, Math.max(500, lastLoadMs * 4));
        }
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
        if (id) actions.openTrace(id);
      },
      openTrace(id) {
        const state = get();
        set({
          open: { id, state: 'loading', trace: null, tree: null, error: null },
          screens: [...state.screens.filter((screen) => screen !== 'trace' && screen !== 'help'), 'trace'],
          expanded: new Set(),
          treeCursor: 0,
          treeScrollTop: 0,
          focus: 'tree',
          detailScroll: 0,
          spanSearch: null,
          only: null,
          zoom: null,
          critical: null,
        });
        loadTrace(id, false);
      },
      back() {
        const screens = get().screens;
        if (screens.length <= 1) return;
        const next = screens.slice(0, -1);
        set({ screens: next, ...(next.includes('trace') ? {} : { open: null }) });
      },
      showHelp() {
        const screens = get().screens;
        if (screens.at(-1) === 'help') set({ screens: screens.slice(0, -1) });
        else set({ screens: [...screens, 'help'], helpScroll: 0 });
      },
      moveTreeCursor(delta, viewHeight) {
        const state = get();
        const rows = treeRows(state);
        const treeCursor = clamp(state.treeCursor + delta, 0, rows.length - 1);
        set({ treeCursor, treeScrollTop: keepVisible(treeCursor, state.treeScrollTop, viewHeight), detailScroll: 0 });
      },
      jumpTree(where, viewHeight) {
        const state = get();
        const rows = treeRows(state);
        const treeCursor = where === 'top' ? 0 : rows.length - 1;
        set({ treeCursor, treeScrollTop: keepVisible(treeCursor, state.treeScrollTop, viewHeight), detailScroll: 0 });
      },
      toggleNode() {
        const state = get();
        const node = treeRows(state)[state.treeCursor];
        if (node === null) return actions.setNodeExpanded(!state.expanded.has(TRACE_ROW));
        if (!node || node.childNodes.length === 0) return;
        actions.setNodeExpanded(!state.expanded.has(node.id));
      },
      setNodeExpanded(expand) {
        const state = get();
        const node = treeRows(state)[state.treeCursor];
        if (node === undefined) return;
        if (node === null) {
          const expanded = new Set(state.expanded);
          if (expand) expanded.add(TRACE_ROW);
          else expanded.delete(TRACE_ROW);
          return set({ expanded });
        }
        if (!expand && (!state.expanded.has(node.id) || node.childNodes.length === 0) && node.parentId) {
          // ← on a leaf or a collapsed node goes to its parent, as in file managers.
          const rows = treeRows(state);
          const parentIndex = rowIndexOf(rows, state.open?.tree?.nodes.get(node.parentId));
          if (parentIndex >= 0) set({ treeCursor: parentIndex, treeScrollTop: Math.min(state.treeScrollTop, parentIndex) });
          return;
        }
        if (node.childNodes.length === 0 || state.expanded.has(node.id) === expand) return;
        const expanded = new Set(state.expanded);
        if (expand) expanded.add(node.id);
        else expanded.delete(node.id);
        primeToggledRows(state, state.treeCursor, node, expanded);
        set({ expanded });
      },
      expandAll() {
        const tree = get().open?.tree;
        if (tree) set({ expanded: tree.allExpanded as Set<string> });
      },
      collapseAll() {
        set({ expanded: new Set(), treeCursor: 0, treeScrollTop: 0 });
      },
      toggleFocus() {
        set({ focus: get().focus === 'tree' ? 'detail' : 'tree' });
      },
      scrollDetail(delta) {
        set({ detailScroll: Math.max(0, get().detailScroll + delta) });
      },
      setMessage(message) {
        set({ message });
      },
    };

    const slices = createSlices(set, get, options, actions);
    return {
      traces: new Map(),
      order: [],
      version: 0,
      capacity: options.capacity ?? 50_000,
      evicted: 0,
      follow: true,
      anchor: 0,
      cursor: 0,
      scrollTop: 0,
      screens: ['list'],
      status: { state: 'connecting', detail: null, host: options.host, stats: { received: 0, coalesced: 0, lagMs: 0, lastEventId: null } },
      filterText: options.filterText ?? '',
      helpScroll: 0,
      readOnly: options.readOnly ?? false,
      redact: options.redact ?? false,
      linkBase: options.linkBase ?? null,
      webBase: options.webBase ?? null,
      spanSearch: null,
      only: null,
      autogroup: options.autogroup ?? true,
      zoom: null,
      critical: null,
      open: null,
      expanded: new Set(),
      treeCursor: 0,
      treeScrollTop: 0,
      focus: 'tree',
      detailScroll: 0,
      message: null,
      messageScreen: null,
      ...slices.state,
      actions: { ...actions, ...slices.actions },
    };
  });
}
