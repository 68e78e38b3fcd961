// Finding your way in a big trace: span search, the errors-only view, and the critical path
// (the chain of observations that decided when the trace ended).

import type { TraceTree, TreeNode } from './trace-tree.js';

/** Observations whose name, type, model or level contains the text (case-insensitive), in tree order. */
export function searchTree(tree: TraceTree, text: string): string[] {
  const needle = text.trim().toLowerCase();
  if (!needle) return [];
  return tree.order.filter((id) => {
    const observation = tree.nodes.get(id)!.observation;
    return [observation.name, observation.type, observation.model, observation.level, observation.statusMessage].some(
      (field) => typeof field === 'string' && field.toLowerCase().includes(needle),
    );
  });
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

/** ERROR/WARNING observations and their ancestors: what the errors toggle keeps. */
export function errorPaths(tree: TraceTree): Set<string> {
  const problems = tree.order.filter((id) => {
    const level = tree.nodes.get(id)!.observation.level;
    return level === 'ERROR' || level === 'WARNING';
  });
  const keep = ancestorsOf(tree, problems);
  for (const id of problems) keep.add(id);
  return keep;
}

/**
 * From the root that finished last, repeatedly the child that finished last: the chain that
 * determined the trace's end time (Jaeger's critical path, without the gap attribution).
 */
export function criticalPath(tree: TraceTree): string[] {
  // A child that runs past its parent (async work) counts only up to the parent's end.
  const lastFinishing = (ids: string[], limit: number): TreeNode | null =>
    ids
      .map((id) => tree.nodes.get(id)!)
      .reduce<TreeNode | null>((best, node) => (best === null || Math.min(node.endOffset, limit) > Math.min(best.endOffset, limit) ? node : best), null);
  const path: string[] = [];
  let node = lastFinishing(tree.roots, Number.POSITIVE_INFINITY);
  while (node) {
    path.push(node.id);
    node = lastFinishing(node.children, node.endOffset);
  }
  return path;
}
