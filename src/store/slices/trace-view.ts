// The trace view: the open trace (loaded in pages, refreshed while spans arrive), its tree's
// expansion and cursor, the detail pane, span search, and the filtered views (errors, slow,
// matches), grouping, zoom and the critical path. Like the list, its state sits at the store's
// top level (`s.open`, `s.treeCursor`); the rows it shows are computed in ../trace-rows.ts.

import type { TraceSummary, TraceWithFullDetails } from '../../domain/types.js';
import type { TraceReader } from '../../ports/readers.js';
import { ancestorsOf, criticalPath, problemIds, searchTree, slowIds, slowThreshold, warmNavigation } from '../../domain/trace-navigation.js';
import { buildTraceTree, defaultExpansion, depthThatFits, formatDuration, type TraceTree } from '../../domain/trace-tree.js';
import { expandedWith, keptIds, openableIn, primeToggledRows, rowIndexOf, TRACE_ROW, treeRows, zoomOn } from '../trace-rows.js';
import { clamp, keepVisible, type GetState, type SetState } from './types.js';

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

export interface SpanSearch {
  text: string;
  editing: boolean;
  matches: string[];
  index: number;
  /** Also search inputs and outputs. */
  payloads: boolean;
}

export interface TraceViewState {
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
  open: OpenTrace | null;
  expanded: Set<string>;
  treeCursor: number;
  treeScrollTop: number;
  focus: 'tree' | 'detail';
  detailScroll: number;
}

export interface TraceViewActions {
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
  openTrace(id: string): void;
  moveTreeCursor(delta: number, viewHeight: number): void;
  jumpTree(where: 'top' | 'bottom', viewHeight: number): void;
  toggleNode(): void;
  setNodeExpanded(expanded: boolean): void;
  expandAll(): void;
  collapseAll(): void;
  toggleFocus(): void;
  scrollDetail(delta: number): void;
}

export interface TraceViewContext {
  set: SetState;
  get: GetState;
  reader: TraceReader;
  /** The terminal's rows, so a big trace opens collapsed to a depth that fits. */
  viewRows?: () => number;
  autogroup?: boolean;
}

/** `1 observation`, `2 observations`. */
const plural = (count: number, singular: string, pluralForm = `${singular}s`) => `${count} ${count === 1 ? singular : pluralForm}`;

export function createTraceViewSlice({ set, get, reader, viewRows, autogroup }: TraceViewContext): { state: TraceViewState; actions: TraceViewActions; refreshOpen(batch: TraceSummary[], open: OpenTrace | null): void } {
  let refetchTimer: NodeJS.Timeout | null = null;
  // How long the open trace took to load: a live refresh waits a few times that, so a
  // 100,000-observation trace is not re-fetched twice a second.
  let lastLoadMs = 0;

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
    reader.getTrace(id, { expectedObservations, onProgress }).then(
      (trace) => {
        lastLoadMs = Date.now() - started;
        const current = get().open;
        if (!current || current.id !== id) return;
        const tree = buildTraceTree(trace, { autogroup: get().autogroup, traceRowKey: TRACE_ROW });
        const rows = viewRows?.();
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

  // A batch had the open trace in it: it is still receiving spans, so refresh it, at most twice a second (big ones less often).
  const refreshOpen = (batch: TraceSummary[], open: OpenTrace | null) => {
    if (open && batch.some((trace) => trace.id === open.id) && !refetchTimer) {
      refetchTimer = setTimeout(() => {
        refetchTimer = null;
        if (get().open?.id === open.id) loadTrace(open.id, true);
      }, Math.max(500, lastLoadMs * 4));
    }
  };

  const actions: TraceViewActions = {
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
  };
  const state: TraceViewState = {
    spanSearch: null,
    only: null,
    autogroup: autogroup ?? true,
    zoom: null,
    critical: null,
    open: null,
    expanded: new Set(),
    treeCursor: 0,
    treeScrollTop: 0,
    focus: 'tree',
    detailScroll: 0,
  };
  return { state, actions, refreshOpen };
}
