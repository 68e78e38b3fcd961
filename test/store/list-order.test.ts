// The live list's order: by trace time, newest first — a late trace (backfill, slow OTLP)
// takes its place instead of landing on top, and a paused view keeps its selection.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTuiStore } from '../../src/store/store.js';
import { summary } from '../helpers/fixtures.js';

describe('list order', () => {
  const at2 = (minute: number) => `2026-11-24T10:${String(minute).padStart(2, '0')}:00.000Z`;
  const ids = (store: ReturnType<typeof createTuiStore>) => {
    const state = store.getState();
    const length = state.follow ? state.order.length : state.anchor;
    return Array.from({ length }, (_, i) => state.order[length - 1 - i]);
  };

  it('a late trace takes its place by time, not on top', () => {
    const store = createTuiStore({ reader: { getTrace: async () => { throw new Error('unused'); }, listTraces: async () => [] }, host: 'test' });
    store.getState().actions.applyTraces([summary('a', { timestamp: at2(1) }), summary('c', { timestamp: at2(3) })]);
    store.getState().actions.applyTraces([summary('late-b', { timestamp: at2(2) })]);
    assert.deepEqual(ids(store), ['c', 'late-b', 'a']);
  });

  it('while paused, a late trace joins the held view and the selection stays on its trace', () => {
    const store = createTuiStore({ reader: { getTrace: async () => { throw new Error('unused'); }, listTraces: async () => [] }, host: 'test' });
    store.getState().actions.applyTraces([1, 3, 5, 7].map((minute) => summary(`t${minute}`, { timestamp: at2(minute) })));
    store.getState().actions.moveCursor(2, 20); // on t3, paused
    assert.equal(store.getState().follow, false);
    const selected = () => ids(store)[store.getState().cursor];
    assert.equal(selected(), 't3');
    store.getState().actions.applyTraces([summary('t6', { timestamp: at2(6) }), summary('t2', { timestamp: at2(2) }), summary('t9', { timestamp: at2(9) })]);
    assert.equal(selected(), 't3', 'the selection did not move to another trace');
    assert.deepEqual(ids(store), ['t7', 't6', 't5', 't3', 't2', 't1'], 'late ones inside the held view; the newer t9 waits');
    assert.equal(store.getState().order.length - store.getState().anchor, 1, 'one new since the pause');
  });
});
