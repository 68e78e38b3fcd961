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
  /** The same children as nodes, so walks need no map lookups. */
  childNodes: TreeNode[];
  /** Milliseconds from the trace's first start. */
  startOffset: number;
  endOffset: number;
  durationMs: number | null;
  orphan: boolean;
  /** Its parent chain loops back to it; shown at the root. */
  cycle: boolean;
  /** Count of descendant observations, for "+12" on a collapsed node. */
  descendants: number;
  /** ERROR/WARNING somewhere in the subtree (auto-expand, error toggles). */
  subtreeErrors: number;
  /** Cost of the subtree's observations (USD). */
  subtreeCost: number;
  /** The last end in the subtree (ms from the trace's start): a zoom's right edge. */
  subtreeEnd: number;
  /** Position in the tree's depth-first order. */
  index: number;
  /** Set on a synthetic row standing for similar siblings (autogrouping); `observation` is its first member's. */
  group: GroupInfo | null;
}

export interface GroupInfo {
  name: string;
  type: ObservationType;
  count: number;
  /** Sum of the members' durations (the row's bar and duration column show the wall-clock span). */
  totalDurationMs: number;
  /** Members still running (no end time). */
  open: number;
}

export interface TraceTree {
  nodes: Map<string, TreeNode>;
  roots: string[];
  rootNodes: TreeNode[];
  startMs: number;
  endMs: number;
  /** Depth-first order of every row (expansion ignored), groups included. */
  order: string[];
  orderNodes: TreeNode[];
  /** How many observations (groups are not observations). */
  observationCount: number;
  /** Every node with children, and the trace row: "expand all" is this very set, so its rows need no walk. */
  allExpanded: ReadonlySet<string>;
  /** Whether similar siblings were grouped. */
  autogrouped: boolean;
}

/** Similar siblings (same name and type) under one parent, this many or more, become one group row. */
export const AUTOGROUP_MIN = 5;

/** Group rows' ids start with a NUL, which no observation id carries. */
export const GROUP_PREFIX = '\u0000group:';
export const isGroupId = (id: string) => id.startsWith(GROUP_PREFIX);

/**
 * One ASCII letter per observation type, in the tree and in `tracetop get`. Letters rather than
 * pictographs: ⛓ or ⛨ render double-width or as boxes in many terminal fonts (the tree's columns
 * then drift), and a line of plain ASCII is what the terminal renderer measures fastest — the
 * tree redraws on every key. The help screen spells the legend out.
 */
export const TYPE_MARKERS: Record<ObservationType, string> = {
  SPAN: 'S',
  GENERATION: 'G',
  EVENT: 'E',
  AGENT: 'A',
  TOOL: 'T',
  CHAIN: 'C',
  RETRIEVER: 'R',
  EVALUATOR: 'V',
  EMBEDDING: 'M',
  GUARDRAIL: 'D',
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

/** A node with nothing below it yet; the build fills in depth, children and the subtree aggregates. */
function treeNode(fields: Pick<TreeNode, 'observation' | 'id' | 'parentId' | 'startOffset' | 'endOffset' | 'durationMs'> & Partial<TreeNode>): TreeNode {
  return {
    depth: 0,
    children: [],
    childNodes: [],
    orphan: false,
    cycle: false,
    descendants: 0,
    subtreeErrors: 0,
    subtreeCost: 0,
    subtreeEnd: fields.endOffset,
    index: 0,
    group: null,
    ...fields,
  };
}

/** Shared by every leaf (most nodes): never mutated. */
const NO_CHILDREN: string[] = [];

const parseMs = (iso: string | null | undefined): number | null => {
  if (!iso) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
};

export interface TreeOptions {
  /** Group similar siblings into one expandable row (the TUI does; `get` prints every observation). */
  autogroup?: boolean;
  /** The trace row's key, added to `allExpanded`. */
  traceRowKey?: string;
}

export function buildTraceTree(trace: Pick<TraceWithFullDetails, 'observations' | 'timestamp'>, options: TreeOptions = {}): TraceTree {
  const observations = trace.observations ?? [];
  // One map from id to position: a repeated id keeps its last version, at its first place.
  const position = new Map<string, number>();
  const unique: Observation[] = [];
  for (const observation of observations) {
    const at = position.get(observation.id);
    if (at === undefined) {
      position.set(observation.id, unique.length);
      unique.push(observation);
    } else unique[at] = observation;
  }

  // Times parsed once, into arrays indexed like `unique` (Date.parse is the build's main cost).
  const starts = new Float64Array(unique.length);
  const ends = new Float64Array(unique.length);
  let startMs = Number.POSITIVE_INFINITY;
  let endMs = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < unique.length; i++) {
    const start = parseMs(unique[i]!.startTime);
    const end = parseMs(unique[i]!.endTime);
    starts[i] = start ?? Number.NaN;
    ends[i] = end ?? Number.NaN;
    if (start === null) continue;
    startMs = Math.min(startMs, start);
    endMs = Math.max(endMs, end ?? start);
  }
  if (!Number.isFinite(startMs)) {
    startMs = parseMs(trace.timestamp) ?? 0;
    endMs = startMs;
  }

  // Parents by position (-1: none or not arrived), so the walks below touch no maps.
  const parentAt = new Int32Array(unique.length);
  for (let i = 0; i < unique.length; i++) {
    const parent = unique[i]!.parentObservationId;
    parentAt[i] = parent === null ? -1 : (position.get(parent) ?? -1);
  }

  // Who is in a cycle: follow parents from each node; meeting the current walk again is a
  // loop. One state per node for all walks (1: on the current walk, 2: settled), so each node
  // is visited once.
  const inCycle = new Uint8Array(unique.length);
  const walkState = new Uint8Array(unique.length);
  const path: number[] = [];
  for (let i = 0; i < unique.length; i++) {
    path.length = 0;
    let current = i;
    while (current !== -1 && walkState[current] !== 2) {
      if (walkState[current] === 1) {
        for (let j = path.indexOf(current); j < path.length; j++) inCycle[path[j]!] = 1;
        break;
      }
      walkState[current] = 1;
      path.push(current);
      current = parentAt[current]!;
    }
    for (const member of path) walkState[member] = 2;
  }

  const nodes = new Map<string, TreeNode>();
  const sortKey = (i: number) => (Number.isNaN(starts[i]!) ? 0 : starts[i]!);
  const order = Array.from(unique.keys()).sort((a, b) => {
    const byStart = sortKey(a) - sortKey(b);
    if (byStart !== 0) return byStart;
    const idA = unique[a]!.id;
    const idB = unique[b]!.id;
    return idA < idB ? -1 : idA > idB ? 1 : 0;
  });
  for (const i of order) {
    const observation = unique[i]!;
    const start = Number.isNaN(starts[i]!) ? startMs : starts[i]!;
    const end = Number.isNaN(ends[i]!) ? null : ends[i]!;
    const parent = observation.parentObservationId;
    const cycle = inCycle[i] === 1;
    const orphan = !cycle && parent !== null && parentAt[i] === -1;
    nodes.set(
      observation.id,
      treeNode({
        observation,
        id: observation.id,
        parentId: cycle || orphan ? null : parent,
        startOffset: start - startMs,
        endOffset: (end ?? start) - startMs,
        durationMs: end === null ? null : end - start,
        orphan,
        cycle,
      }),
    );
  }
  let rootNodes: TreeNode[] = [];
  for (const node of nodes.values()) {
    if (node.parentId === null) rootNodes.push(node);
    else nodes.get(node.parentId)!.childNodes.push(node);
  }

  if (options.autogroup) {
    rootNodes = groupSimilar(rootNodes, null, nodes);
    const parents = [...nodes.values()].filter((node) => !node.group && node.childNodes.length >= AUTOGROUP_MIN);
    for (const node of parents) node.childNodes = groupSimilar(node.childNodes, node.id, nodes);
  }

  // Depth-first with an explicit stack: a 100,000-deep chain must not blow the call stack.
  const orderNodes: TreeNode[] = [];
  const stack: { node: TreeNode; depth: number }[] = rootNodes.map((node) => ({ node, depth: 0 })).reverse();
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    node.depth = depth;
    node.children = node.childNodes.length === 0 ? NO_CHILDREN : node.childNodes.map((child) => child.id);
    node.index = orderNodes.length;
    orderNodes.push(node);
    for (let i = node.childNodes.length - 1; i >= 0; i--) stack.push({ node: node.childNodes[i]!, depth: depth + 1 });
  }
  const allExpanded = new Set<string>();
  if (options.traceRowKey !== undefined) allExpanded.add(options.traceRowKey);
  for (let i = orderNodes.length - 1; i >= 0; i--) {
    const node = orderNodes[i]!;
    if (node.childNodes.length > 0) allExpanded.add(node.id);
    if (!node.group) {
      const level = node.observation.level;
      if (level === 'ERROR' || level === 'WARNING') node.subtreeErrors += 1;
      node.subtreeCost += node.observation.calculatedTotalCost ?? 0;
    }
    if (node.parentId !== null) {
      const parent = nodes.get(node.parentId)!;
      parent.descendants += node.descendants + (node.group ? 0 : 1);
      parent.subtreeErrors += node.subtreeErrors;
      parent.subtreeCost += node.subtreeCost;
      parent.subtreeEnd = Math.max(parent.subtreeEnd, node.subtreeEnd);
    }
  }
  return {
    nodes,
    roots: rootNodes.map((node) => node.id),
    rootNodes,
    startMs,
    endMs,
    order: orderNodes.map((node) => node.id),
    orderNodes,
    observationCount: unique.length,
    allExpanded,
    autogrouped: options.autogroup ?? false,
  };
}

/**
 * Siblings sharing name and type, AUTOGROUP_MIN or more, become one group row placed where the
 * first of them started (an agent loop's 60 `tool:search` calls interleaved with generations
 * group as well as a consecutive run). The members keep their order and their subtrees.
 */
function groupSimilar(siblings: TreeNode[], parentId: string | null, nodes: Map<string, TreeNode>): TreeNode[] {
  // Type, then name: no key string built per sibling.
  const byKind = new Map<string, Map<string, TreeNode[]>>();
  for (const node of siblings) {
    let byName = byKind.get(node.observation.type);
    if (!byName) byKind.set(node.observation.type, (byName = new Map()));
    const name = node.observation.name ?? '';
    const members = byName.get(name);
    if (members) members.push(node);
    else byName.set(name, [node]);
  }
  let grouped = false;
  for (const [type, byName] of byKind) for (const [name, members] of byName) {
    if (members.length < AUTOGROUP_MIN) continue;
    const key = `${type}\u0000${name}`;
    const first = members[0]!;
    const id = `${GROUP_PREFIX}${parentId ?? ''}\u0000${key}`;
    let endOffset = first.endOffset;
    let totalDurationMs = 0;
    let open = 0;
    for (const member of members) {
      endOffset = Math.max(endOffset, member.endOffset);
      if (member.durationMs === null) open++;
      else totalDurationMs += member.durationMs;
      member.parentId = id;
    }
    const group = treeNode({
      observation: first.observation,
      id,
      parentId,
      childNodes: members,
      startOffset: first.startOffset,
      endOffset,
      durationMs: endOffset - first.startOffset,
      group: { name: first.observation.name ?? '', type: first.observation.type, count: members.length, totalDurationMs, open },
    });
    nodes.set(id, group);
    grouped = true;
  }
  if (!grouped) return siblings;
  // A grouped sibling's parent is now its group: the group takes the first member's place.
  const result: TreeNode[] = [];
  const placed = new Set<string>();
  for (const node of siblings) {
    if (node.parentId === parentId) result.push(node);
    else if (!placed.has(node.parentId!)) {
      placed.add(node.parentId!);
      result.push(nodes.get(node.parentId!)!);
    }
  }
  return result;
}

const keptInOrder = new WeakMap<ReadonlySet<string>, TreeNode[]>();

/**
 * The rows on screen: depth-first, skipping the children of collapsed nodes. With `keep` (a
 * set closed under ancestors: errors, slow, matches) only those rows, in O(kept) rather than
 * a walk of every node: kept nodes in depth-first order, minus those under a collapsed one.
 */
export function visibleRows(tree: TraceTree, expanded: ReadonlySet<string>, keep?: ReadonlySet<string>): TreeNode[] {
  if (keep) {
    const rows: TreeNode[] = [];
    let ordered = keptInOrder.get(keep);
    if (!ordered) {
      ordered = [...keep].map((id) => tree.nodes.get(id)).filter((node): node is TreeNode => node !== undefined).sort((a, b) => a.index - b.index);
      keptInOrder.set(keep, ordered);
    }
    let hiddenBelow = Number.POSITIVE_INFINITY;
    for (const node of ordered) {
      if (node.depth > hiddenBelow) continue;
      hiddenBelow = expanded.has(node.id) ? Number.POSITIVE_INFINITY : node.depth;
      rows.push(node);
    }
    return rows;
  }
  return openRows(tree.rootNodes, expanded);
}

/** The rows a node shows below itself when expanded (for splicing them in or out). */
export function visibleSubtree(node: TreeNode, expanded: ReadonlySet<string>): TreeNode[] {
  return openRows(node.childNodes, expanded);
}

/** Depth-first from `tops`, going into a node's children only where it is expanded (a stack, not recursion: 100,000-deep chains). */
function openRows(tops: readonly TreeNode[], expanded: ReadonlySet<string>): TreeNode[] {
  const rows: TreeNode[] = [];
  const stack: TreeNode[] = [];
  for (let i = tops.length - 1; i >= 0; i--) stack.push(tops[i]!);
  while (stack.length > 0) {
    const node = stack.pop()!;
    rows.push(node);
    if (expanded.has(node.id)) for (let i = node.childNodes.length - 1; i >= 0; i--) stack.push(node.childNodes[i]!);
  }
  return rows;
}

/**
 * The deepest level, at most `maxDepth` and at least 1, whose rows all fit in `rows`: a big
 * trace opens collapsed enough to be read at a glance, a small one opens three levels deep.
 */
export function depthThatFits(tree: TraceTree, rows: number, maxDepth = 3): number {
  const perDepth: number[] = [];
  for (const node of tree.orderNodes) perDepth[node.depth] = (perDepth[node.depth] ?? 0) + 1;
  let shown = 0;
  let depth = 0;
  for (let level = 0; level <= maxDepth && level < perDepth.length; level++) {
    shown += perDepth[level] ?? 0;
    if (shown > rows) break;
    depth = level;
  }
  return Math.max(1, depth);
}

/** Default expansion: everything down to `depth`, plus the path to every error (groups stay closed, their error count shown). */
export function defaultExpansion(tree: TraceTree, depth = 3): Set<string> {
  const expanded = new Set<string>();
  for (const node of tree.orderNodes) {
    if (node.childNodes.length === 0 || node.group) continue;
    if (node.depth < depth || node.subtreeErrors > 0) expanded.add(node.id);
  }
  return expanded;
}

/** Where a row's bar sits in a waterfall of some width: cells [from, to), or a mark at one cell. */
export type BarExtent =
  | { kind: 'span' | 'group'; from: number; to: number }
  | { kind: 'instant'; at: number }
  | { kind: 'before' }
  | { kind: 'after' };

/**
 * The bar of `width` cells for [startOffset, endOffset] on a time axis of `totalMs` starting at
 * `fromMs` (the whole trace, or a zoomed subtree): work outside the window is `before` or
 * `after` it; an observation without an end (an event) is an instant.
 */
export function waterfallExtent(node: Pick<TreeNode, 'startOffset' | 'endOffset' | 'durationMs'> & { group?: GroupInfo | null }, totalMs: number, width: number, fromMs = 0): BarExtent | null {
  if (width <= 0) return null;
  const span = Math.max(totalMs, 1);
  const start = node.startOffset - fromMs;
  const end = node.endOffset - fromMs;
  if (start >= span && start > 0) return { kind: 'after' };
  if ((node.durationMs === null ? start : end) < 0) return { kind: 'before' };
  const from = Math.min(width - 1, Math.max(0, Math.floor((start / span) * width)));
  if (node.durationMs === null) return { kind: 'instant', at: from };
  const to = Math.max(from + 1, Math.min(width, Math.ceil((end / span) * width)));
  return { kind: node.group ? 'group' : 'span', from, to };
}

/** The characters a bar is drawn with: glyphs, or ASCII where each cell must stay cheap to redraw. */
export interface BarMarks {
  span: string;
  group: string;
  instant: string;
  before: string;
  after: string;
}

/** Solid, shaded for a group, ▏ for an instant, ‹ or › at the edge for work outside the window. */
export const GLYPH_MARKS: BarMarks = { span: '█', group: '▒', instant: '▏', before: '‹', after: '›' };

/** An extent as `width` cells of text. */
export function barText(extent: BarExtent, width: number, marks: BarMarks = GLYPH_MARKS): string {
  switch (extent.kind) {
    case 'after':
      return ' '.repeat(width - 1) + marks.after;
    case 'before':
      return marks.before + ' '.repeat(width - 1);
    case 'instant':
      return ' '.repeat(extent.at) + marks.instant + ' '.repeat(Math.max(0, width - extent.at - 1));
    default:
      return ' '.repeat(extent.from) + marks[extent.kind].repeat(extent.to - extent.from) + ' '.repeat(width - extent.to);
  }
}

/** The bar as text, for output without colour. */
export function waterfallBar(node: Pick<TreeNode, 'startOffset' | 'endOffset' | 'durationMs'> & { group?: GroupInfo | null }, totalMs: number, width: number, fromMs = 0): string {
  const extent = waterfallExtent(node, totalMs, width, fromMs);
  return extent ? barText(extent, width) : '';
}

/** A duration for a narrow column: <1ms, 340ms, 2.35s, 12.4s, 3m07s → 3m7s, 1h12m, 2d4h, 8000y12d; negative (an end before its start) keeps its sign. */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '…';
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms < 1) return '<1ms';
  if (Math.round(ms) < 1000) return `${Math.round(ms)}ms`;
  // Each unit is rounded first and carried into the next when it reaches a full one: never "60.0s" or "59m60s".
  const decimals = ms < 9_995 ? 2 : 1;
  const seconds = Number((ms / 1000).toFixed(decimals));
  if (seconds < 60) return `${seconds.toFixed(decimals)}s`;
  const wholeSeconds = Math.round(ms / 1000);
  if (wholeSeconds < 3_600) return `${Math.floor(wholeSeconds / 60)}m${wholeSeconds % 60}s`;
  const minutes = Math.round(ms / 60_000);
  if (minutes < 24 * 60) return `${Math.floor(minutes / 60)}h${minutes % 60}m`;
  const hours = Math.round(ms / 3_600_000);
  if (hours < 365 * 24) return `${Math.floor(hours / 24)}d${hours % 24}h`;
  const days = Math.round(ms / 86_400_000);
  return `${Math.floor(days / 365)}y${days % 365}d`;
}
