// A trace's observations as a flattened, indexed tree: built once per trace change, so a
// keystroke only re-windows. Orphans (parent not arrived yet) hang at the root, marked;
// cycles and self-parents are broken and marked — never an infinite loop.

import type { Observation, ObservationType, TraceWithFullDetails } from './types.js';

export interface TreeNode {
  observation: Observation;
  id: string;
  depth: number;
  parentId: string | null;
  children: string[];
  /** Milliseconds from the trace's first start. */
  startOffset: number;
  endOffset: number;
  durationMs: number | null;
  orphan: boolean;
  /** Its parent chain loops back to it; shown at the root. */
  cycle: boolean;
  /** Count of descendants, for "+12" on a collapsed node. */
  descendants: number;
  /** ERROR/WARNING somewhere in the subtree (auto-expand, error toggles). */
  subtreeErrors: number;
}

export interface TraceTree {
  nodes: Map<string, TreeNode>;
  roots: string[];
  startMs: number;
  endMs: number;
  /** Depth-first order of every node (expansion ignored). */
  order: string[];
}

export const TYPE_MARKERS: Record<ObservationType, string> = {
  SPAN: '▭',
  GENERATION: '◆',
  EVENT: '•',
  AGENT: '☉',
  TOOL: '⚒',
  CHAIN: '⛓',
  RETRIEVER: '⌕',
  EVALUATOR: '✓',
  EMBEDDING: '⊛',
  GUARDRAIL: '⛨',
};

export const TYPE_LABELS: Record<ObservationType, string> = {
  SPAN: 'span',
  GENERATION: 'gen',
  EVENT: 'event',
  AGENT: 'agent',
  TOOL: 'tool',
  CHAIN: 'chain',
  RETRIEVER: 'retriever',
  EVALUATOR: 'eval',
  EMBEDDING: 'embed',
  GUARDRAIL: 'guard',
};

const parseMs = (iso: string | null | undefined): number | null => {
  if (!iso) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
};

export function buildTraceTree(trace: Pick<TraceWithFullDetails, 'observations' | 'timestamp'>): TraceTree {
  const observations = trace.observations ?? [];
  const byId = new Map<string, Observation>();
  for (const observation of observations) byId.set(observation.id, observation);

  let startMs = Number.POSITIVE_INFINITY;
  let endMs = Number.NEGATIVE_INFINITY;
  for (const observation of byId.values()) {
    const start = parseMs(observation.startTime);
    if (start === null) continue;
    startMs = Math.min(startMs, start);
    endMs = Math.max(endMs, parseMs(observation.endTime) ?? start);
  }
  if (!Number.isFinite(startMs)) {
    startMs = parseMs(trace.timestamp) ?? 0;
    endMs = startMs;
  }

  // Who is in a cycle: follow parents from each node; a revisit within one walk is a loop.
  const inCycle = new Set<string>();
  const settled = new Set<string>();
  for (const id of byId.keys()) {
    const path: string[] = [];
    const onPath = new Set<string>();
    let current: string | null = id;
    while (current !== null && byId.has(current) && !settled.has(current)) {
      if (onPath.has(current)) {
        for (const member of path.slice(path.indexOf(current))) inCycle.add(member);
        break;
      }
      onPath.add(current);
      path.push(current);
      current = byId.get(current)!.parentObservationId;
    }
    for (const member of path) settled.add(member);
  }

  const nodes = new Map<string, TreeNode>();
  const roots: string[] = [];
  const sorted = [...byId.values()].sort(
    (a, b) => (parseMs(a.startTime) ?? 0) - (parseMs(b.startTime) ?? 0) || a.id.localeCompare(b.id),
  );
  for (const observation of sorted) {
    const start = parseMs(observation.startTime) ?? startMs;
    const end = parseMs(observation.endTime);
    const parent = observation.parentObservationId;
    const cycle = inCycle.has(observation.id);
    const orphan = !cycle && parent !== null && !byId.has(parent);
    nodes.set(observation.id, {
      observation,
      id: observation.id,
      depth: 0,
      parentId: cycle || orphan ? null : parent,
      children: [],
      startOffset: start - startMs,
      endOffset: (end ?? start) - startMs,
      durationMs: end === null ? null : end - start,
      orphan,
      cycle,
      descendants: 0,
      subtreeErrors: 0,
    });
  }
  for (const node of nodes.values()) {
    if (node.parentId === null) roots.push(node.id);
    else nodes.get(node.parentId)!.children.push(node.id);
  }

  // Depth-first with an explicit stack: a 100,000-deep chain must not blow the call stack.
  const order: string[] = [];
  const stack: { id: string; depth: number }[] = roots.map((id) => ({ id, depth: 0 })).reverse();
  while (stack.length > 0) {
    const { id, depth } = stack.pop()!;
    const node = nodes.get(id)!;
    node.depth = depth;
    order.push(id);
    for (let i = node.children.length - 1; i >= 0; i--) stack.push({ id: node.children[i]!, depth: depth + 1 });
  }
  for (let i = order.length - 1; i >= 0; i--) {
    const node = nodes.get(order[i]!)!;
    const level = node.observation.level;
    if (level === 'ERROR' || level === 'WARNING') node.subtreeErrors += 1;
    if (node.parentId !== null) {
      const parent = nodes.get(node.parentId)!;
      parent.descendants += node.descendants + 1;
      parent.subtreeErrors += node.subtreeErrors;
    }
  }
  return { nodes, roots, startMs, endMs, order };
}

/** The rows on screen: depth-first, skipping the children of collapsed nodes. */
export function visibleRows(tree: TraceTree, expanded: ReadonlySet<string>): TreeNode[] {
  const rows: TreeNode[] = [];
  const stack = [...tree.roots].reverse();
  while (stack.length > 0) {
    const node = tree.nodes.get(stack.pop()!)!;
    rows.push(node);
    if (expanded.has(node.id)) for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!);
  }
  return rows;
}

/** Default expansion: everything down to `depth`, plus the path to every error. */
export function defaultExpansion(tree: TraceTree, depth = 3): Set<string> {
  const expanded = new Set<string>();
  for (const id of tree.order) {
    const node = tree.nodes.get(id)!;
    if (node.children.length === 0) continue;
    if (node.depth < depth || node.subtreeErrors > 0) expanded.add(id);
  }
  return expanded;
}

export function allExpandable(tree: TraceTree): Set<string> {
  return new Set(tree.order.filter((id) => tree.nodes.get(id)!.children.length > 0));
}

/** A bar of `width` cells for [startOffset, endOffset] on the trace's time axis. */
export function waterfallBar(node: Pick<TreeNode, 'startOffset' | 'endOffset' | 'durationMs'>, totalMs: number, width: number): string {
  if (width <= 0) return '';
  const span = Math.max(totalMs, 1);
  const from = Math.min(width - 1, Math.floor((node.startOffset / span) * width));
  if (node.durationMs === null) {
    return ' '.repeat(from) + '▏' + ' '.repeat(Math.max(0, width - from - 1));
  }
  const to = Math.max(from + 1, Math.min(width, Math.ceil((node.endOffset / span) * width)));
  return ' '.repeat(from) + '█'.repeat(to - from) + ' '.repeat(width - to);
}

export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '…';
  if (ms < 1) return '<1ms';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes}m${Math.round((ms % 60_000) / 1000)}s`;
}
