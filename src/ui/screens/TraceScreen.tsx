// One trace: the observation tree with a timing waterfall on the trace's time axis, and the
// detail pane for the selected row. Wide terminals show both side by side; narrow ones show
// the focused pane (Tab switches).
import React, { useMemo } from 'react';
import { Box, Text } from 'ink';
import { fitWidth, sanitizeLine } from '../../domain/sanitize.js';
import { barText, formatDuration, TYPE_MARKERS, waterfallExtent, type BarMarks, type TreeNode } from '../../domain/trace-tree.js';
import { TRACE_ROW, treeRows } from '../../store/store.js';
import { osc8 } from '../hyperlink.js';
import { useTui } from '../store-context.js';
import { display, theme } from '../theme.js';
import { detailLines, groupDetailLines, type DetailToken } from '../detail-lines.js';
import { CUT, formatCost } from '../format.js';

/** A detail token's colour, read at render time (the theme may change after start-up, or be off). */
const tokenColour = (kind: DetailToken['kind']): string | undefined => {
  switch (kind) {
    case 'key': return theme.key;
    case 'string': return theme.string;
    case 'number': return theme.number;
    case 'boolean': return theme.boolean;
    case 'null': return theme.null;
    case 'fold': return theme.fold;
    case 'label': return theme.muted;
    case 'heading': return theme.accent;
    case 'error': return theme.error;
    case 'warning': return theme.warning;
    default: return undefined;
  }
};

export const SIDE_BY_SIDE_MIN_WIDTH = 100;

/** The rule between the panes: one text of `|` lines, not a node per line. */
const separator = (rows: number) => Array.from({ length: rows }, () => '|').join('\n');

/** Bars in colour are painted cells; the rest in ASCII: a group's time range as = (an aggregate, not one span), an instant as |. */
const ASCII_MARKS: BarMarks = { span: ' ', group: '=', instant: '|', before: '<', after: '>' };

/** Expanders: - open, + closed (ASCII, like the type letters, so a plain row stays cheap to redraw). */
const expanderFor = (expanded: boolean) => (expanded ? '-' : '+');

/**
 * A row's waterfall: with colour, the bar is cells painted in the bar colour (on the selected,
 * inverse row, the colour is given as foreground, which inverse turns into the cells'
 * background); without colour, glyphs.
 */
function Waterfall({ node, totalMs, fromMs, width, colour, selected }: { node: TreeNode; totalMs: number; fromMs: number; width: number; colour: string | undefined; selected: boolean }) {
  const extent = waterfallExtent(node, totalMs, width, fromMs);
  if (!extent) return null;
  if (!display.colour) return <Text color={colour}> {barText(extent, width)}</Text>;
  if (extent.kind !== 'span') {
    const text = barText(extent, width, ASCII_MARKS);
    return <Text color={colour}> {selected ? text : text.trimEnd()}</Text>;
  }
  // Spaces after the bar are left out (the pane is blank there already; fewer cells to
  // redraw) except on the selected row, whose highlight runs to the pane's edge.
  const paint = selected ? { color: colour } : { backgroundColor: colour };
  return (
    <>
      {' '.repeat(extent.from + 1)}
      <Text {...paint}>{' '.repeat(extent.to - extent.from)}</Text>
      {selected ? ' '.repeat(width - extent.to) : null}
    </>
  );
}

const TreeRow = React.memo(function TreeRow({ node, width, totalMs, traceMs, fromMs = 0, selected, expanded, traceName, hiddenCount, matched = false, onPath = false }: { node: TreeNode | null | undefined; width: number; totalMs: number; traceMs: number; fromMs?: number; selected: boolean; expanded: boolean; traceName: string; hiddenCount: number; matched?: boolean; onPath?: boolean }) {
  if (node === undefined) return <Text> </Text>;
  const durationWidth = 7;
  const barWidth = width >= 44 ? Math.floor(width * 0.3) : 0;
  const labelWidth = Math.max(4, width - durationWidth - barWidth - (barWidth ? 2 : 1));
  if (!node) {
    const label = fitWidth(`${expanderFor(expanded)} ${traceName}${expanded ? '' : ` +${hiddenCount}`}`, labelWidth, 'left', CUT);
    return (
      <Text inverse={selected} wrap="truncate-end" bold>
        {label} {fitWidth(formatDuration(traceMs), durationWidth, 'right')}
        {barWidth ? <Text color={theme.muted}> {'-'.repeat(barWidth)}</Text> : ''}
      </Text>
    );
  }
  const observation = node.observation;
  const indent = '  '.repeat(Math.min(node.depth + 1, Math.floor(labelWidth / 4)));
  if (node.group) {
    // `T tool:search x60 !3 sum 12.3s $0.0123`: the group's aggregates on one row.
    const group = node.group;
    const errors = node.subtreeErrors ? ` !${node.subtreeErrors}` : '';
    const cost = node.subtreeCost ? ` ${formatCost(node.subtreeCost)}` : '';
    const label = fitWidth(`${onPath ? '*' : ' '}${indent.slice(1)}${expanderFor(expanded)} ${TYPE_MARKERS[group.type] ?? '?'} ${group.name} x${group.count}${errors} sum ${formatDuration(group.totalDurationMs)}${cost}`, labelWidth, 'left', CUT);
    return (
      <Text inverse={selected} wrap="truncate-end">
        <Text color={node.subtreeErrors ? theme.error : onPath ? theme.accent : undefined} bold>{label}</Text> {fitWidth(formatDuration(node.durationMs), durationWidth, 'right')}
        {barWidth ? <Waterfall node={node} totalMs={totalMs} fromMs={fromMs} width={barWidth} colour={node.subtreeErrors ? theme.barError : theme.bar} selected={selected} /> : null}
      </Text>
    );
  }
  const expander = node.childNodes.length === 0 ? ' ' : expanderFor(expanded);
  const marks = `${node.orphan ? '⚠orphan ' : ''}${node.cycle ? '⚠cycle ' : ''}`;
  const hidden = !expanded && node.descendants ? ` +${node.descendants}` : '';
  const status = observation.level === 'ERROR' && observation.statusMessage ? `: ${observation.statusMessage}` : '';
  // In the first column: > a search match, * on the critical path, ! an error (marked without colour too).
  const pointer = matched ? '>' : onPath ? '*' : observation.level === 'ERROR' ? '!' : ' ';
  const label = fitWidth(`${pointer}${indent.slice(1)}${expander} ${TYPE_MARKERS[observation.type] ?? '?'} ${marks}${observation.name ?? observation.id}${hidden}${status}`, labelWidth, 'left', CUT);
  const colour = observation.level === 'ERROR' ? theme.error : observation.level === 'WARNING' ? theme.warning : matched || onPath ? theme.accent : undefined;
  // Without colour, errors and warnings stand out in bold.
  const problem = !display.colour && (observation.level === 'ERROR' || observation.level === 'WARNING');
  return (
    <Text inverse={selected} wrap="truncate-end">
      {colour || problem ? <Text color={colour} bold={problem}>{label}</Text> : label} {fitWidth(observation.type === 'EVENT' ? '' : formatDuration(node.durationMs), durationWidth, 'right')}
      {barWidth ? <Waterfall node={node} totalMs={totalMs} fromMs={fromMs} width={barWidth} colour={observation.level === 'ERROR' ? theme.barError : theme.bar} selected={selected} /> : null}
    </Text>
  );
});

export function TraceScreen({ width, height }: { width: number; height: number }) {
  const open = useTui((state) => state.open);
  const expanded = useTui((state) => state.expanded);
  const treeCursor = useTui((state) => state.treeCursor);
  const treeScrollTop = useTui((state) => state.treeScrollTop);
  const focus = useTui((state) => state.focus);
  const detailScroll = useTui((state) => state.detailScroll);
  const redact = useTui((state) => state.redact);
  const webBase = useTui((state) => state.webBase);
  const tree = open?.tree ?? null;
  const only = useTui((state) => state.only);
  const zoom = useTui((state) => state.zoom);
  const spanSearch = useTui((state) => state.spanSearch);
  const critical = useTui((state) => state.critical);
  const rows = useMemo(() => treeRows({ open, expanded, only, spanSearch }), [open, expanded, only, spanSearch]);
  const matches = useMemo(() => new Set(spanSearch?.matches ?? []), [spanSearch?.matches]);
  const sideBySide = width >= SIDE_BY_SIDE_MIN_WIDTH;
  const treeWidth = sideBySide ? Math.floor(width * 0.58) : width;
  const detailWidth = sideBySide ? width - treeWidth - 1 : width;
  const selected = rows[Math.min(treeCursor, rows.length - 1)] ?? null;
  const detail = useMemo(
    () => (open?.trace ? (selected?.group ? groupDetailLines(selected, detailWidth) : detailLines(open.trace, selected?.observation ?? null, detailWidth, detailScroll + height + 50, { redact, webBase })) : []),
    [open?.trace, selected, detailWidth, detailScroll, height, redact, webBase],
  );

  const linkBase = useTui((state) => state.linkBase);
  // The trace id links to its page in the Langfuse UI where the terminal supports OSC 8.
  const plainTitle = open ? sanitizeLine(`${open.trace?.name ?? open.id}  ${open.id}`, width - 2) : '';
  const title =
    open && linkBase && open.trace?.htmlPath && plainTitle.endsWith(open.id)
      ? `${plainTitle.slice(0, -open.id.length)}${osc8(`${linkBase.replace(/\/+$/, '')}${open.trace.htmlPath}`, plainTitle.slice(-open.id.length))}`
      : plainTitle;
  const bodyHeight = Math.max(1, height - 1);
  if (!open || open.state === 'loading') {
    return (
      <Box flexDirection="column" height={height}>
        <Text color={theme.accent}>{title}</Text>
        <Text color={theme.muted}>
          {open?.progress
            ? `loading trace… loaded ${open.progress.loaded.toLocaleString('en-US')}${open.progress.total !== null ? ` / ${open.progress.total.toLocaleString('en-US')}` : ''} observation${(open.progress.total ?? open.progress.loaded) === 1 ? '' : 's'}`
            : 'loading trace…'}
        </Text>
      </Box>
    );
  }
  if (open.state === 'error' || !tree) {
    return (
      <Box flexDirection="column" height={height}>
        <Text color={theme.accent}>{title}</Text>
        <Text color={theme.error}>{sanitizeLine(`could not load the trace: ${open.error ?? 'unknown error'}`, width)}</Text>
        <Text color={theme.muted}>Esc: back</Text>
      </Box>
    );
  }
  const totalMs = zoom ? Math.max(1, zoom.toMs - zoom.fromMs) : Math.max(1, tree.endMs - tree.startMs);
  const fromMs = zoom ? zoom.fromMs : 0;
  const treeLines: React.ReactNode[] = [];
  for (let line = 0; line < bodyHeight; line++) {
    const index = treeScrollTop + line;
    // Past the last row, an empty TreeRow: the same component in every slot, so expanding and
    // collapsing update the slots' text instead of mounting and unmounting them.
    const node = index < rows.length ? rows[index]! : undefined;
    treeLines.push(
      <TreeRow
        key={line}
        node={node}
        width={treeWidth}
        totalMs={totalMs}
        traceMs={Math.max(1, tree.endMs - tree.startMs)}
        fromMs={fromMs}
        selected={index === treeCursor && focus === 'tree'}
        expanded={node !== undefined && expanded.has(node ? node.id : TRACE_ROW)}
        traceName={open.trace?.name ?? open.id}
        hiddenCount={tree.observationCount}
        matched={node ? matches.has(node.id) : false}
        onPath={node ? (critical?.has(node.id) ?? false) : false}
      />,
    );
  }
  const detailView: React.ReactNode[] = [];
  for (let line = 0; line < bodyHeight; line++) {
    const tokens = detail[detailScroll + line];
    if (!tokens || tokens.length === 0) {
      detailView.push(<Text key={line}> </Text>);
      continue;
    }
    detailView.push(
      <Text key={line} wrap="truncate-end">
        {tokens.map((token, index) => (
          <Text key={index} color={tokenColour(token.kind)} bold={token.kind === 'heading'}>
            {token.text}
          </Text>
        ))}
      </Text>,
    );
  }
  if (spanSearch) {
    const position = spanSearch.index >= 0 ? `${spanSearch.index + 1}/` : '';
    const scope = spanSearch.payloads ? ' [+input/output]' : '';
    const hint = spanSearch.editing ? '(Enter: go, Tab: search input/output too, Esc: clear)' : '(n/N: next/previous, m: matches only, Esc: clear)';
    const line = `search${scope}: ${spanSearch.text}${spanSearch.editing ? '▏' : ''}   ${position}${spanSearch.matches.length} match${spanSearch.matches.length === 1 ? '' : 'es'}  ${hint}`;
    treeLines[treeLines.length - 1] = (
      <Text key="search" color={theme.accent} wrap="truncate-end">
        {sanitizeLine(line, treeWidth)}
      </Text>
    );
  }
  const modes = [only === 'errors' ? 'errors only' : only === 'slow' ? 'slow only' : only === 'matches' ? 'matches only' : null, zoom ? `zoom: ${zoom.label}` : null].filter(Boolean);
  const available = Math.max(0, width - plainTitle.length - 2);
  const modeText = sanitizeLine(modes.length ? `  [${modes.join(', ')}]` : '', available);
  const refreshError = open.error ? `  (refresh failed: ${open.error})` : '';
  return (
    <Box flexDirection="column" height={height}>
      <Text color={theme.accent} wrap="truncate-end">
        {title}
        <Text color={theme.warning}>{modeText}</Text>
        <Text color={theme.error}>{sanitizeLine(refreshError, Math.max(0, available - modeText.length))}</Text>
      </Text>
      {sideBySide ? (
        <Box flexDirection="row" height={bodyHeight}>
          <Box flexDirection="column" width={treeWidth}>
            {treeLines}
          </Box>
          <Box flexDirection="column" width={1}>
            {/* The focused detail pane: an accent rule, or without colour a reverse-video one. */}
            <Text color={focus === 'detail' ? theme.accent : theme.muted} inverse={focus === 'detail' && !display.colour}>{separator(bodyHeight)}</Text>
          </Box>
          <Box flexDirection="column" width={detailWidth}>
            {detailView}
          </Box>
        </Box>
      ) : (
        <Box flexDirection="column" height={bodyHeight}>
          {focus === 'tree' ? treeLines : detailView}
        </Box>
      )}
    </Box>
  );
}
