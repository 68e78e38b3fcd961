// Finding your way in a big trace: span search, the errors-only and slow-only views, and the
// critical path (the chain of observations that decided when the trace ended). What depends
// only on the tree is computed once per tree and cached, so a keystroke does not re-walk it.

import { visibleRows, type TraceTree, type TreeNode } from './trace-tree.js';

export interface SearchOptions {
  /** Search the input and output payloads too (slower: each payload is serialised once per tree). */
  payloads?: boolean;
}

const payloadText = new WeakMap<TraceTree, Map<string, string>>();

/** Lower-cased input + output of each observation, serialised once per tree. */
function payloadsOf(tree: TraceTree): Map<string, string> {
  let texts = payloadText.get(tree);
  if (!texts) {
    texts = new Map();
    for (const node of tree.orderNodes) {
      if (node.group) continue;
      const { input, output } = node.observation;
      let text = '';
      for (const value of [input, output]) {
        if (value === null || value === undefined) continue;
        try {
          text += `${typeof value === 'string' ? value : JSON.stringify(value)}\n`;
        } catch {
          // A payload that cannot be serialised (too deep) is not searchable; the rest still is.
        }
      }
      texts.set(node.id, text.toLowerCase());
    }
    payloadText.set(tree, texts);
  }
  return texts;
}

/** Each observation's searchable facts, lower-cased once per tree; NUL between fields so no match spans two. */
const factsOf = cached((tree): (string | null)[] =>
  tree.orderNodes.map((node) => {
    if (node.group) return null;
    const { name, type, model, level, statusMessage } = node.observation;
    return [name, type, model, level, statusMessage].filter((field) => typeof field === 'string').join('\u0000').toLowerCase();
  }),
);

/** Observations whose name, type, model, level or status (and optionally payloads) contain the text, case-insensitively, in tree order. */
export function searchTree(tree: TraceTree, text: string, options: SearchOptions = {}): string[] {
  const needle = text.trim().toLowerCase();
  if (!needle) return [];
  const payloads = options.payloads ? payloadsOf(tree) : null;
  const facts = factsOf(tree);
  const found: string[] = [];
  for (let i = 0; i < facts.length; i++) {
    const text = facts[i];
    if (text === null || text === undefined) continue;
    const node = tree.orderNodes[i]!;
    if (text.includes(needle) || (payloads?.get(node.id)?.includes(needle) ?? false)) found.push(node.id);
  }
  return found;
}

/** Every ancestor of the given nodes, so expanding them makes the nodes visible. */
export function ancestorsOf(tree: TraceTree, ids: Iterable<string>): Set<string> {
  const result = new Set<string>();
  for (const id of ids) {
    let parent = tree.nodes.get(id)?.parentId ?? null;
    while (parent !== null && !result.has(parent)) {
      result.add(parent);
      parent = tree.nodes.get(parent)?.parentId ?? null;
    }
  }
  return result;
}

/** The given nodes and their ancestors: what a filtered view keeps. */
export function withAncestors(tree: TraceTree, ids: readonly string[]): Set<string> {
  const keep = ancestorsOf(tree, ids);
  for (const id of ids) keep.add(id);
  return keep;
}

function cached<T>(compute: (tree: TraceTree) => T): (tree: TraceTree) => T {
  const cache = new WeakMap<TraceTree, T>();
  return (tree) => {
    let value = cache.get(tree);
    if (value === undefined) {
      value = compute(tree);
      cache.set(tree, value);
    }
    return value;
  };
}

/** ERROR/WARNING observations, in tree order. */
export const problemIds = cached((tree) =>
  tree.orderNodes.filter((node) => !node.group && (node.observation.level === 'ERROR' || node.observation.level === 'WARNING')).map((node) => node.id),
);

/** ERROR/WARNING observations and their ancestors: what the errors toggle keeps. */
export const errorPaths = cached((tree) => withAncestors(tree, problemIds(tree)));

/** Slow: 2 s or more, or slower than 95% of this trace's observations (60 equal tool calls are not outliers). */
export const SLOW_ABSOLUTE_MS = 2_000;
export const SLOW_PERCENTILE = 0.95;

/** The trace's 95th-percentile observation duration. */
export const slowThreshold = cached((tree) => {
  const durations = new Float64Array(tree.orderNodes.length);
  let count = 0;
  for (const node of tree.orderNodes) if (!node.group && node.durationMs !== null) durations[count++] = node.durationMs;
  if (count === 0) return SLOW_ABSOLUTE_MS;
  // A typed array sorts numerically, natively: no comparator calls for 100,000 durations.
  const sorted = durations.subarray(0, count).sort();
  return sorted[Math.min(count - 1, Math.floor(count * SLOW_PERCENTILE))]!;
});

const isSlow = (node: TreeNode, threshold: number) =>
  !node.group && node.durationMs !== null && (node.durationMs >= SLOW_ABSOLUTE_MS || node.durationMs > threshold);

/** Slow observations, in tree order. */
export const slowIds = cached((tree) => {
  const threshold = slowThreshold(tree);
  return tree.orderNodes.filter((node) => isSlow(node, threshold)).map((node) => node.id);
});

/** Slow observations and their ancestors: what the slow toggle keeps. */
export const slowPaths = cached((tree) => withAncestors(tree, slowIds(tree)));

/**
 * From the root that finished last, repeatedly the child that finished last: the chain that
 * determined the trace's end time (Jaeger's critical path). A child running past its parent
 * (async work) counts only up to the parent's end; the gaps between children belong to the parent.
 */
export const criticalPath = cached((tree): string[] => {
  const lastFinishing = (candidates: TreeNode[], limit: number): TreeNode | null => {
    let best: TreeNode | null = null;
    for (const node of candidates) if (best === null || Math.min(node.endOffset, limit) > Math.min(best.endOffset, limit)) best = node;
    return best;
  };
  const path: string[] = [];
  let node = lastFinishing(tree.rootNodes, Number.POSITIVE_INFINITY);
  while (node) {
    path.push(node.id);
    node = lastFinishing(node.childNodes, node.endOffset);
  }
  return path;
});

/**
 * Computes, ahead of the keys that need them, what the views of a tree use: search facts,
 * the errors, slow and critical-path sets. Called when the trace view is idle after a load,
 * so the first `x`, `S`, `P` or `/` on a 100,000-observation trace costs no walk.
 */
export function warmNavigation(tree: TraceTree): void {
  factsOf(tree);
  criticalPath(tree);
  // Walking an empty expansion orders each kept set once (visibleRows caches that order).
  for (const keep of [errorPaths(tree), slowPaths(tree)]) visibleRows(tree, new Set(), keep);
}
