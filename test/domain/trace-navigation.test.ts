import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildTraceTree } from '../../src/domain/trace-tree.js';
import { ancestorsOf, criticalPath, errorPaths, searchTree } from '../../src/domain/trace-navigation.js';
import { fullTrace, observation, ragTree } from '../helpers/fixtures.js';

const at = (ms: number) => new Date(Date.parse('2026-11-24T10:00:00.000Z') + ms).toISOString();

describe('trace navigation', () => {
  it('searches names, types, models and levels', () => {
    const tree = buildTraceTree(ragTree());
    assert.deepEqual(searchTree(tree, 'search'), ['search']);
    assert.deepEqual(searchTree(tree, 'generation'), ['gen']);
    assert.deepEqual(searchTree(tree, 'GPT-4O'), ['gen']);
    assert.deepEqual(searchTree(tree, 'error'), ['gen']);
    assert.deepEqual(searchTree(tree, ''), []);
    assert.deepEqual([...ancestorsOf(tree, ['miss'])].sort(), ['root', 'search']);
  });

  it('keeps errors and their ancestors', () => {
    const tree = buildTraceTree(ragTree());
    assert.deepEqual([...errorPaths(tree)].sort(), ['gen', 'root']);
  });

  it('follows the last-finishing child, with overlapping and async children and missing ends', () => {
    const tree = buildTraceTree(
      fullTrace('t', [
        observation('root', { startTime: at(0), endTime: at(1000) }),
        observation('a', { parentObservationId: 'root', startTime: at(0), endTime: at(600) }),
        observation('b', { parentObservationId: 'root', startTime: at(100), endTime: at(900) }),
        observation('b1', { parentObservationId: 'b', startTime: at(100), endTime: at(400) }),
        observation('b2', { parentObservationId: 'b', startTime: at(300), endTime: at(850) }),
        // Ends after its parent (async), and one with no end: its start counts.
        observation('late', { parentObservationId: 'a', startTime: at(500), endTime: at(1200) }),
        observation('open', { parentObservationId: 'b2', startTime: at(700), endTime: null }),
      ]),
    );
    // As Jaeger does, a child running past its parent counts only up to the parent's end: `late`
    // does not pull the path through `a`.
    assert.deepEqual(criticalPath(tree), ['root', 'b', 'b2', 'open']);
    const simple = buildTraceTree(ragTree());
    assert.deepEqual(criticalPath(simple), ['root', 'gen']);
  });
});
