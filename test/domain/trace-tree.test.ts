import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildTraceTree, defaultExpansion, visibleRows, waterfallBar } from '../../src/domain/trace-tree.js';
import { fullTrace, observation, ragTree } from '../helpers/fixtures.js';

describe('trace tree', () => {
  it('builds depth, children, offsets and error counts', () => {
    const tree = buildTraceTree(ragTree());
    assert.deepEqual(tree.roots, ['root']);
    assert.deepEqual(tree.order, ['root', 'embed', 'search', 'miss', 'rerank', 'gen']);
    const gen = tree.nodes.get('gen')!;
    assert.equal(gen.depth, 1);
    assert.equal(gen.startOffset, 400);
    assert.equal(gen.durationMs, 600);
    assert.equal(tree.nodes.get('root')!.subtreeErrors, 1);
    assert.equal(tree.nodes.get('root')!.descendants, 5);
  });

  it('shows orphans and breaks cycles and self-parents without looping', () => {
    const tree = buildTraceTree(
      fullTrace('t', [
        observation('a', { parentObservationId: 'b' }),
        observation('b', { parentObservationId: 'a' }),
        observation('self', { parentObservationId: 'self' }),
        observation('lost', { parentObservationId: 'not-arrived' }),
        observation('child', { parentObservationId: 'lost' }),
      ]),
    );
    assert.ok(tree.nodes.get('a')!.cycle && tree.nodes.get('b')!.cycle && tree.nodes.get('self')!.cycle);
    assert.ok(tree.nodes.get('lost')!.orphan);
    assert.deepEqual(tree.nodes.get('lost')!.children, ['child']);
    assert.equal(visibleRows(tree, new Set(['lost'])).length, 5);
  });

  it('windows by expansion and expands the path to errors by default', () => {
    const tree = buildTraceTree(ragTree());
    assert.deepEqual(visibleRows(tree, new Set()).map((n) => n.id), ['root']);
    assert.deepEqual(visibleRows(tree, new Set(['root'])).map((n) => n.id), ['root', 'embed', 'search', 'rerank', 'gen']);
    assert.ok(defaultExpansion(tree, 0).has('root'), 'the error under root keeps it open');
  });

  it('draws waterfall bars on the trace axis', () => {
    assert.equal(waterfallBar({ startOffset: 0, endOffset: 500, durationMs: 500 }, 1000, 10), '█████     ');
    assert.equal(waterfallBar({ startOffset: 500, endOffset: 1000, durationMs: 500 }, 1000, 10), '     █████');
    assert.equal(waterfallBar({ startOffset: 500, endOffset: 500, durationMs: null }, 1000, 10), '     ▏    ');
  });

  it('handles a 100,000-deep chain and a 10,000-observation agent trace', () => {
    const chain = Array.from({ length: 100_000 }, (_, i) => observation(`o${i}`, { parentObservationId: i ? `o${i - 1}` : null }));
    const deep = buildTraceTree(fullTrace('t', chain));
    assert.equal(deep.nodes.get('o99999')!.depth, 99_999);
    const wide = Array.from({ length: 10_000 }, (_, i) => observation(`w${i}`, { parentObservationId: i ? `w${Math.floor((i - 1) / 8)}` : null }));
    const tree = buildTraceTree(fullTrace('t', wide));
    assert.equal(tree.order.length, 10_000);
  });
});
