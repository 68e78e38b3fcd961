// The trace view's rows as the store keeps them: toggling one node splices rows instead of
// re-walking the tree, and the result must always equal a full walk.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createTuiStore, rowIndexOf, TRACE_ROW, treeRows } from '../../src/store/store.js';
import { visibleRows } from '../../src/domain/trace-tree.js';
import { fullTrace, observation, summary } from '../helpers/fixtures.js';

const at = (ms: number) => new Date(Date.parse('2026-11-24T10:00:00.000Z') + ms).toISOString();

/** A random-shaped tree: each observation's parent is an earlier one; names repeat so groups form. */
function randomTrace(parents: number[], names: number[]) {
  return fullTrace('r', parents.map((parent, i) =>
    observation(`o${i}`, { name: `n${names[i]! % 3}`, type: 'TOOL', parentObservationId: i === 0 ? null : `o${parent % i}`, startTime: at(i * 10), endTime: at(i * 10 + 5 + (i % 7)) }),
  ));
}

async function openStore(trace: ReturnType<typeof randomTrace>) {
  const store = createTuiStore({ reader: { getTrace: async () => trace, listTraces: async () => [] }, host: 'test' });
  store.getState().actions.applyTraces([summary('r')]);
  store.getState().actions.openTrace('r');
  while (store.getState().open?.state !== 'loaded') await new Promise((resolve) => setImmediate(resolve));
  return store;
}

describe('trace view rows', () => {
  it('a sequence of toggles, expand-all and collapse-all always shows what a full walk shows', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat(), { minLength: 2, maxLength: 60 }),
        fc.array(fc.nat(), { minLength: 60, maxLength: 60 }),
        fc.array(fc.oneof(fc.record({ kind: fc.constant('toggle' as const), at: fc.nat() }), fc.constantFrom({ kind: 'all' as const }, { kind: 'none' as const })), { maxLength: 25 }),
        async (parents, names, steps) => {
          const store = await openStore(randomTrace(parents, names));
          for (const step of steps) {
            const { actions } = store.getState();
            if (step.kind === 'all') actions.expandAll();
            else if (step.kind === 'none') actions.collapseAll();
            else {
              const rows = treeRows(store.getState());
              store.setState({ treeCursor: step.at % rows.length });
              actions.toggleNode();
            }
            const state = store.getState();
            const tree = state.open!.tree!;
            const expected = state.expanded.has(TRACE_ROW) ? [null, ...visibleRows(tree, state.expanded)] : [null];
            assert.deepEqual(treeRows(state).map((row) => row?.id ?? '(trace)'), expected.map((row) => row?.id ?? '(trace)'));
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('finds a row by binary search where a scan of the rows finds it (grouped or not, any expansion)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat(), { minLength: 2, maxLength: 60 }),
        fc.array(fc.nat(), { minLength: 60, maxLength: 60 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        fc.boolean(),
        async (parents, names, toggles, ungroup) => {
          const store = await openStore(randomTrace(parents, names));
          if (ungroup) store.getState().actions.toggleAutogroup();
          for (const at of toggles) {
            store.setState({ treeCursor: at % treeRows(store.getState()).length });
            store.getState().actions.toggleNode();
          }
          const rows = treeRows(store.getState());
          for (const node of store.getState().open!.tree!.orderNodes) assert.equal(rowIndexOf(rows, node), rows.indexOf(node), node.id);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('expand all reuses the tree’s depth-first order; a cursor key walks nothing', async () => {
    const store = await openStore(randomTrace(Array.from({ length: 40 }, (_, i) => i), Array.from({ length: 40 }, () => 0)));
    store.getState().actions.expandAll();
    const rows = treeRows(store.getState());
    assert.equal(rows.length, 1 + store.getState().open!.tree!.orderNodes.length);
    store.getState().actions.moveTreeCursor(3, 20);
    assert.equal(treeRows(store.getState()), rows, 'the very same rows');
  });

  it('errors view: a second press restores every row; slow and matches views keep ancestors', async () => {
    const trace = fullTrace('r', [
      observation('root', { startTime: at(0), endTime: at(5_000) }),
      observation('fast', { parentObservationId: 'root', startTime: at(0), endTime: at(10) }),
      observation('slowone', { parentObservationId: 'root', startTime: at(10), endTime: at(4_000) }),
      observation('bad', { parentObservationId: 'slowone', startTime: at(20), endTime: at(30), level: 'ERROR' }),
      observation('needle', { parentObservationId: 'root', startTime: at(40), endTime: at(50) }),
    ]);
    const store = await openStore(trace);
    const ids = () => treeRows(store.getState()).map((row) => row?.id ?? '(trace)');
    const all = ids();
    const { actions } = store.getState();
    actions.toggleOnly('errors');
    assert.deepEqual(ids(), ['(trace)', 'root', 'slowone', 'bad']);
    actions.toggleOnly('errors');
    assert.deepEqual(ids(), all);
    actions.toggleOnly('slow');
    assert.deepEqual(ids(), ['(trace)', 'root', 'slowone']);
    assert.match(store.getState().message!, /2 slow observations/);
    actions.openSpanSearch();
    actions.editSpanSearch('needle');
    actions.closeSpanSearch(true);
    actions.toggleOnly('matches');
    assert.deepEqual(ids(), ['(trace)', 'root', 'needle']);
    actions.closeSpanSearch(false);
    assert.deepEqual(ids(), all, 'clearing the search leaves the matches view');
  });

  it('z zooms the waterfall to the selected subtree and back', async () => {
    const trace = fullTrace('r', [
      observation('root', { startTime: at(0), endTime: at(10_000) }),
      observation('child', { parentObservationId: 'root', startTime: at(2_000), endTime: at(3_000) }),
      observation('late', { parentObservationId: 'child', startTime: at(2_500), endTime: at(3_500) }),
    ]);
    const store = await openStore(trace);
    store.setState({ treeCursor: 2 });
    store.getState().actions.toggleZoom();
    assert.deepEqual(store.getState().zoom, { id: 'child', label: 'child', fromMs: 2_000, toMs: 3_500 });
    store.getState().actions.toggleZoom();
    assert.equal(store.getState().zoom, null);
  });
});
