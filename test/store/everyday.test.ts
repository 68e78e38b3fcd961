// The store's side of issue 17: a live list keeps its selection by id, the rate is the traffic's
// rate (not how fast history filled the buffer), messages belong to a screen, the query line
// opens ready to add a condition.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTuiStore, sessionIndex, sessionRows, traceRate, treeRows } from '../../src/store/store.js';
import { currentMessage } from '../../src/ui/components/MessageLine.js';
import { observation, ragTree, summary } from '../helpers/fixtures.js';

const reader = { getTrace: async () => { throw new Error('unused'); }, listTraces: async () => [], getSessionTraces: async () => [] };
async function until(check: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
const at = (secondsAgo: number) => new Date(Date.now() - secondsAgo * 1000).toISOString();

describe('a live list holds still', () => {
  it('the sessions list keeps the selected session as sessions update and re-sort; Enter opens that one', () => {
    const store = createTuiStore({ reader, host: 'h' });
    const { actions } = store.getState();
    actions.applyTraces([summary('a1', { sessionId: 'sess_a', timestamp: at(30) }), summary('b1', { sessionId: 'sess_b', timestamp: at(20) }), summary('c1', { sessionId: 'sess_c', timestamp: at(10) })]);
    actions.showSessions();
    actions.moveSessionCursor(1);
    assert.equal(store.getState().sessions.selectedId, 'sess_b');
    // sess_a becomes the most recent: it moves to the top, the selection stays on sess_b.
    actions.applyTraces([summary('a2', { sessionId: 'sess_a', timestamp: at(1) })]);
    const rows = sessionRows(store.getState());
    assert.deepEqual(rows.map((row) => row.id), ['sess_a', 'sess_c', 'sess_b']);
    assert.equal(rows[sessionIndex(rows, store.getState().sessions.selectedId)]!.id, 'sess_b');
    actions.openSession();
    assert.equal(store.getState().sessions.conversation?.id, 'sess_b');
    // Moving goes from where the session is now.
    actions.back();
    actions.moveSessionCursor(-1);
    assert.equal(store.getState().sessions.selectedId, 'sess_c');
  });
});

describe('a running trace holds still', () => {
  it('the tree keeps the selected row selected as new spans arrive above it', async () => {
    let version = 0;
    const first = ragTree('live');
    const later = { ...first, observations: [...first.observations, observation('early', { parentObservationId: 'root', name: 'guardrail_check', startTime: '2026-11-24T10:00:00.050Z', endTime: '2026-11-24T10:00:00.080Z' })] };
    const store = createTuiStore({ reader: { getTrace: async () => (version++ === 0 ? first : later), listTraces: async () => [] }, host: 'h' });
    const { actions } = store.getState();
    actions.applyTraces([summary('live')]);
    actions.openTrace('live');
    await until(() => store.getState().open?.state === 'loaded');
    const rows = treeRows(store.getState());
    const at = rows.findIndex((row) => row?.id === 'gen');
    actions.moveTreeCursor(at, 40);
    assert.equal(treeRows(store.getState())[store.getState().treeCursor]?.id, 'gen');
    // More of the trace arrives: a refresh, with a new span before generate_response.
    actions.applyTraces([summary('live', { observationCount: 7 })]);
    await until(() => store.getState().open?.trace === later, 3_000);
    assert.equal(treeRows(store.getState())[store.getState().treeCursor]?.id, 'gen', 'still on generate_response');
    assert.ok(treeRows(store.getState()).some((row) => row?.id === 'early'));
  });
});

describe('the status bar rate', () => {
  it('after a filter is applied, re-queried history is not read as a burst of traffic', () => {
    const store = createTuiStore({ reader, host: 'h' });
    const { actions } = store.getState();
    // A filter change: the list is re-queried, an hour of history (2 traces a second) arrives at once…
    actions.resetTraces();
    actions.applyTraces(Array.from({ length: 7_200 }, (_, index) => summary(`h${index}`, { timestamp: at(3_600 - index / 2) })));
    // …the rate is still the traffic's: 2 a second.
    const rate = traceRate(store.getState());
    assert.ok(rate >= 1.9 && rate <= 2.1, `rate ${rate}`);
    // Updates of known traces are not new traffic either.
    const state = store.getState();
    actions.applyTraces(Array.from({ length: 100 }, (_, index) => ({ ...state.traces.get(`h${7_199 - index}`)!, latency: 3 })));
    assert.ok(traceRate(store.getState()) <= 2.1);
  });
});

describe('messages', () => {
  it('belong to the screen they were given on: leaving it ends them', () => {
    const store = createTuiStore({ reader, host: 'h' });
    const { actions } = store.getState();
    actions.setMessage('copied trace id abc');
    assert.equal(currentMessage(store.getState()), 'copied trace id abc');
    actions.showHelp();
    assert.equal(currentMessage(store.getState()), null);
    actions.showHelp();
    assert.equal(currentMessage(store.getState()), null, 'coming back does not bring an old message back');
  });
});

describe('the / query line', () => {
  it('opens with the current filter and a space: typing adds a condition', () => {
    const store = createTuiStore({ reader, host: 'h', filterText: 'tag:production' });
    const { actions } = store.getState();
    actions.openQuery();
    assert.equal(store.getState().queryLine.open?.text, 'tag:production ');
    actions.editQuery(`${store.getState().queryLine.open!.text}name:checkout-flow-3`);
    actions.applyQuery();
    assert.equal(store.getState().filterText, 'tag:production name:checkout-flow-3');
    const empty = createTuiStore({ reader, host: 'h' });
    empty.getState().actions.openQuery();
    assert.equal(empty.getState().queryLine.open?.text, '');
  });
});
