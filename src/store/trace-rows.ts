// The trace view's rows, pure and cached: which rows a tree shows for an expansion set and a
// filtered view (errors, slow, matches), where a node sits among them, and the waterfall's zoom.
// The caches key on objects that are replaced, never mutated (tree, expansion set), so a cursor
// keystroke costs no walk of the tree.

import { errorPaths, slowPaths, withAncestors } from '../domain/trace-navigation.js';
import { visibleRows, visibleSubtree, type TraceTree, type TreeNode } from '../domain/trace-tree.js';
import type { TreeOnly, TreeZoom, TuiState } from './store.js';

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
export function openableIn(tree: TraceTree, keep: ReadonlySet<string>): string[] {
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
export function primeToggledRows(state: RowsState, index: number, node: TreeNode, expanded: Set<string>): void {
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
export function expandedWith(expanded: Set<string>, ids: Iterable<string>): Set<string> {
  let result: Set<string> | null = null;
  for (const id of ids) {
    if ((result ?? expanded).has(id)) continue;
    result ??= new Set(expanded);
    result.add(id);
  }
  return result ?? expanded;
}


