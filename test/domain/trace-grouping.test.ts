// Autogrouping, the waterfall's zoom window, the slow view and payload search: on hand-built
// traces whose answers are known.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AUTOGROUP_MIN, buildTraceTree, defaultExpansion, isGroupId, visibleRows, visibleSubtree, waterfallBar } from '../../src/domain/trace-tree.js';
import { criticalPath, errorPaths, searchTree, slowIds, slowThreshold } from '../../src/domain/trace-navigation.js';
import { fullTrace, observation } from '../helpers/fixtures.js';

const at = (ms: number) => new Date(Date.parse('2026-11-24T10:00:00.000Z') + ms).toISOString();

/** An agent loop: 60 generations interleaved with 60 tool:search calls, two of them failing, each tool with a nested HTTP span. */
function agentLoop() {
  const observations = [observation('root', { name: 'agent', type: 'AGENT', startTime: at(0), endTime: at(12_500) })];
  for (let i = 0; i < 60; i++) {
    observations.push(observation(`gen${i}`, { name: 'llm', type: 'GENERATION', parentObservationId: 'root', startTime: at(i * 200), endTime: at(i * 200 + 80), calculatedTotalCost: 0.001 }));
    observations.push(
      observation(`tool${i}`, {
        name: 'tool:search', type: 'TOOL', parentObservationId: 'root', startTime: at(i * 200 + 100), endTime: at(i * 200 + 150),
        level: i === 7 || i === 40 ? 'ERROR' : 'DEFAULT', statusMessage: i === 7 || i === 40 ? 'timeout' : null,
      }),
    );
    observations.push(observation(`http${i}`, { name: 'GET /search', type: 'SPAN', parentObservationId: `tool${i}`, startTime: at(i * 200 + 110), endTime: at(i * 200 + 140) }));
  }
  observations.push(observation('answer', { name: 'final', type: 'GENERATION', parentObservationId: 'root', startTime: at(12_100), endTime: at(12_500), input: { prompt: 'summarise the Zanzibar report' } }));
  observations.push(observation('check1', { name: 'guard', type: 'GUARDRAIL', parentObservationId: 'root', startTime: at(12_450), endTime: at(12_460) }));
  return fullTrace('loop', observations);
}

describe('autogrouping', () => {
  it('folds 60 similar siblings into one row with their count, time, cost and errors', () => {
    const tree = buildTraceTree(agentLoop(), { autogroup: true });
    const root = tree.nodes.get('root')!;
    const rows = root.childNodes;
    assert.equal(rows.length, 4, 'llm ×60, tool:search ×60, final, guard');
    const [llm, tools, final, guard] = rows;
    assert.ok(llm!.group && tools!.group && isGroupId(llm!.id) && isGroupId(tools!.id));
    assert.equal(final!.id, 'answer');
    assert.equal(guard!.id, 'check1');
    assert.deepEqual({ ...tools!.group, name: tools!.group!.name }, { name: 'tool:search', type: 'TOOL', count: 60, totalDurationMs: 60 * 50, open: 0 });
    assert.equal(tools!.startOffset, 100);
    assert.equal(tools!.endOffset, 59 * 200 + 150);
    assert.equal(tools!.subtreeErrors, 2);
    assert.equal(tools!.descendants, 120, 'the 60 tools and their 60 nested spans');
    assert.ok(Math.abs(llm!.subtreeCost - 0.06) < 1e-9);
    assert.equal(root.descendants, 182, 'groups are not observations');
    assert.equal(tree.observationCount, 183);
    // Members sit below the group, in time order, with their own subtrees.
    assert.deepEqual(tools!.children.slice(0, 3), ['tool0', 'tool1', 'tool2']);
    assert.equal(tree.nodes.get('tool0')!.depth, 2);
    assert.equal(tree.nodes.get('http0')!.depth, 3);
    assert.equal(tree.nodes.get('tool0')!.parentId, tools!.id);
  });

  it('leaves fewer than the minimum alone, and is off unless asked for', () => {
    const few = fullTrace('few', [
      observation('root', { startTime: at(0), endTime: at(100) }),
      ...Array.from({ length: AUTOGROUP_MIN - 1 }, (_, i) => observation(`t${i}`, { name: 'tool:search', type: 'TOOL', parentObservationId: 'root', startTime: at(i), endTime: at(i + 1) })),
    ]);
    assert.equal(buildTraceTree(few, { autogroup: true }).nodes.get('root')!.childNodes.length, AUTOGROUP_MIN - 1);
    assert.equal(buildTraceTree(agentLoop()).nodes.get('root')!.childNodes.length, 122);
  });

  it('keeps groups closed by default, their errors reachable through the errors view and search', () => {
    const tree = buildTraceTree(agentLoop(), { autogroup: true });
    const expanded = defaultExpansion(tree);
    assert.ok(expanded.has('root'));
    assert.ok(![...expanded].some(isGroupId), 'a group opens when asked, not by default');
    assert.deepEqual(visibleRows(tree, expanded).map((node) => node.group ? `${node.group.name} ×${node.group.count}` : node.id), ['root', 'llm ×60', 'tool:search ×60', 'answer', 'check1']);
    const keep = errorPaths(tree);
    assert.ok(keep.has('tool7') && keep.has('tool40') && keep.has(tree.nodes.get('tool7')!.parentId!));
    assert.deepEqual(searchTree(tree, 'timeout'), ['tool7', 'tool40'], 'search finds members, never the group row');
  });

  it('the critical path runs through a group to the member that finished last', () => {
    const tree = buildTraceTree(agentLoop(), { autogroup: true });
    assert.deepEqual(criticalPath(tree), ['root', 'answer']);
  });

  it('a kept set (errors) shows exactly the full walk filtered to it, under any expansion', () => {
    const tree = buildTraceTree(agentLoop(), { autogroup: true });
    const keep = errorPaths(tree);
    const everything = new Set(tree.orderNodes.filter((node) => node.childNodes.length > 0).map((node) => node.id));
    for (const expanded of [everything, defaultExpansion(tree), new Set(['root']), new Set<string>()]) {
      assert.deepEqual(
        visibleRows(tree, expanded, keep).map((node) => node.id),
        visibleRows(tree, expanded).filter((node) => keep.has(node.id)).map((node) => node.id),
      );
    }
  });

  it('visibleSubtree is what expanding a node adds', () => {
    const tree = buildTraceTree(agentLoop(), { autogroup: true });
    const tools = tree.nodes.get('root')!.childNodes[1]!;
    const closed = new Set(['root']);
    const open = new Set(['root', tools.id]);
    const before = visibleRows(tree, closed);
    const after = visibleRows(tree, open);
    assert.equal(after.length - before.length, visibleSubtree(tools, open).length);
    assert.equal(visibleSubtree(tools, open).length, 60);
  });
});

describe('waterfall zoom', () => {
  it('stretches a window of the trace across the bar and marks work outside it', () => {
    const node = { startOffset: 500, endOffset: 750, durationMs: 250 };
    assert.equal(waterfallBar(node, 1000, 10), '     ███  ');
    // Zoomed to [500, 1000): the span fills the first half.
    assert.equal(waterfallBar(node, 500, 10, 500), '█████     ');
    assert.equal(waterfallBar({ startOffset: 0, endOffset: 100, durationMs: 100 }, 500, 10, 500), '‹         ');
    assert.equal(waterfallBar({ startOffset: 1200, endOffset: 1300, durationMs: 100 }, 500, 10, 500), '         ›');
    assert.equal(waterfallBar({ startOffset: 400, endOffset: 600, durationMs: 200 }, 500, 10, 500), '██        ', 'clipped at the left edge');
    assert.equal(waterfallBar({ ...node, group: { name: 'x', type: 'TOOL', count: 5, totalDurationMs: 1, open: 0 } }, 1000, 10), '     ▒▒▒  ');
  });
});

describe('slow view', () => {
  it('keeps observations of 2 s or more, and those slower than the 95th percentile', () => {
    const fast = buildTraceTree(agentLoop());
    // Durations: 60×80, 60×50, 60×30, 400, 10, 12,500 (root): the 95th percentile is 80 ms.
    assert.equal(slowThreshold(fast), 80);
    assert.deepEqual(slowIds(fast), ['root', 'answer'], 'slower than the 95th percentile; the 80 ms generations are not outliers');
    const slow = buildTraceTree(fullTrace('s', [
      observation('root', { startTime: at(0), endTime: at(9_000) }),
      ...Array.from({ length: 40 }, (_, i) => observation(`s${i}`, { parentObservationId: 'root', startTime: at(i * 200), endTime: at(i * 200 + 2_500 + i) })),
    ]));
    assert.equal(slowIds(slow).length, 41, 'everything takes over 2 s here');
  });
});

describe('payload search', () => {
  it('finds text in inputs and outputs only when asked to', () => {
    const tree = buildTraceTree(agentLoop(), { autogroup: true });
    assert.deepEqual(searchTree(tree, 'zanzibar'), []);
    assert.deepEqual(searchTree(tree, 'zanzibar', { payloads: true }), ['answer']);
  });
});

describe('default depth', () => {
  it('opens a big trace only as deep as fits the screen, never shallower than one level', async () => {
    const { depthThatFits } = await import('../../src/domain/trace-tree.js');
    const wide = fullTrace('w', [
      observation('root', { startTime: at(0), endTime: at(10) }),
      ...Array.from({ length: 30 }, (_, i) => observation(`c${i}`, { parentObservationId: 'root', startTime: at(i), endTime: at(i + 1) })),
      ...Array.from({ length: 300 }, (_, i) => observation(`g${i}`, { parentObservationId: `c${i % 30}`, startTime: at(i), endTime: at(i + 1) })),
    ]);
    const tree = buildTraceTree(wide);
    assert.equal(depthThatFits(tree, 40), 1, 'root + 30 children fit in 40 rows; their 300 children do not');
    assert.equal(depthThatFits(tree, 400), 2);
    assert.equal(depthThatFits(tree, 10), 1, 'at least the first level');
  });
});
