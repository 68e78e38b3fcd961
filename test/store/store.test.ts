import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTuiStore, visibleIds } from '../../src/store/store.js';
import { summary } from '../helpers/fixtures.js';

const reader = { getTrace: async () => { throw new Error('unused'); }, listTraces: async () => [] };

describe('TUI store', () => {
  it('keeps a bounded window of 100,000 arrivals and counts what it evicted', () => {
    const store = createTuiStore({ reader, host: 'h', capacity: 50_000 });
    const { applyTraces } = store.getState().actions;
    for (let batch = 0; batch < 100; batch++) {
      applyTraces(Array.from({ length: 1_000 }, (_, i) => summary(`t${batch * 1000 + i}`)));
    }
    const state = store.getState();
    assert.ok(state.order.length <= 50_000);
    assert.equal(state.traces.size, state.order.length);
    assert.equal(state.evicted + state.order.length, 100_000);
    assert.equal(visibleIds(state).at(0), 't99999');
  });

  it('updates a trace in place without moving it', () => {
    const store = createTuiStore({ reader, host: 'h' });
    const { applyTraces } = store.getState().actions;
    applyTraces([summary('a'), summary('b')]);
    applyTraces([summary('a', { latency: 9 })]);
    const state = store.getState();
    assert.deepEqual(state.order, ['a', 'b']);
    assert.equal(state.traces.get('a')!.latency, 9);
  });
});
