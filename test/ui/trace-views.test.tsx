// What a user sees of the large-trace features: group rows, ungrouping, the waterfall zoom,
// payload search and the slow view, rendered by the real App (ink-testing-library, 100 columns).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import React from 'react';
import { render } from 'ink-testing-library';
import { App } from '../../src/ui/App.js';
import { createTuiStore } from '../../src/store/store.js';
import { fullTrace, observation, summary } from '../helpers/fixtures.js';
import { display } from '../../src/ui/theme.js';

// ink-testing-library's frames carry no colour, so the waterfall is drawn as it is without
// colour: with glyphs (the coloured cells are checked in tmux, test/e2e/tui.test.ts).
display.colour = false;

const tick = (ms = 40) => new Promise((resolve) => setTimeout(resolve, ms));
const at = (ms: number) => new Date(Date.parse('2026-11-24T10:00:00.000Z') + ms).toISOString();

function agentTrace() {
  const observations = [observation('root', { name: 'agent', type: 'AGENT', startTime: at(0), endTime: at(20_000) })];
  for (let i = 0; i < 60; i++) {
    observations.push(observation(`tool${i}`, {
      name: 'tool:search', type: 'TOOL', parentObservationId: 'root', startTime: at(i * 300), endTime: at(i * 300 + 200),
      level: i === 9 ? 'ERROR' : 'DEFAULT', statusMessage: i === 9 ? 'rate limited' : null, output: i === 33 ? { hits: ['the walrus file'] } : null,
    }));
  }
  observations.push(observation('final', { name: 'final_answer', type: 'GENERATION', parentObservationId: 'root', startTime: at(18_000), endTime: at(20_000) }));
  return fullTrace('big', observations, { name: 'agent_run' });
}

async function openApp() {
  const trace = agentTrace();
  const store = createTuiStore({ reader: { getTrace: async () => trace, listTraces: async () => [] }, host: 'http://127.0.0.1:3939' });
  const app = render(<App store={store} />);
  store.getState().actions.applyTraces([summary('big', { name: 'agent_run' })]);
  await tick();
  app.stdin.write('\r');
  await tick(80);
  return { store, app };
}

describe('large-trace views', () => {
  it('shows 60 similar tool calls as one row with count, total time and errors; a ungroups', async () => {
    const { app } = await openApp();
    let frame = app.lastFrame()!;
    assert.match(frame, /\+ T tool:search x60 !1 sum/);
    assert.match(frame, /final_answer/);
    assert.doesNotMatch(frame, /rate limited/);
    // Select the group: its detail pane sums it up.
    app.stdin.write('j');
    await tick();
    app.stdin.write('j');
    await tick();
    frame = app.lastFrame()!;
    assert.match(frame, /tool:search x60\s+tool group/);
    assert.match(frame, /errors\s+1 in 1 of them/);
    app.stdin.write('l');
    await tick();
    frame = app.lastFrame()!;
    assert.match(frame, /- T tool:search x60/);
    assert.match(frame, /rate limited/);
    app.stdin.write('a');
    await tick(80);
    frame = app.lastFrame()!;
    assert.doesNotMatch(frame, /x60/);
    assert.match(frame, /every observation on its own row/);
    app.unmount();
  });

  it('z zooms the waterfall to the selected subtree; the title says so', async () => {
    const { app } = await openApp();
    app.stdin.write('G');
    await tick();
    const whole = app.lastFrame()!;
    const bar = (frame: string) => frame.split('\n').find((line) => line.includes('G final_answer'))!.match(/█+/)![0].length;
    app.stdin.write('z');
    await tick();
    const zoomed = app.lastFrame()!;
    assert.match(zoomed, /\[zoom: final_answer\]/);
    assert.ok(bar(zoomed) > bar(whole) * 5, `the zoomed bar fills the width (${bar(whole)} → ${bar(zoomed)})`);
    // The trace row's duration is the trace's, zoomed or not (only the axis changes).
    const rootDuration = (frame: string) => frame.split('\n').find((line) => /^[-+] /.test(line))!.match(/(\d+(?:\.\d+)?(?:ms|s))/)![1];
    assert.equal(rootDuration(zoomed), rootDuration(whole));
    app.stdin.write('z');
    await tick();
    assert.doesNotMatch(app.lastFrame()!, /zoom:/);
    app.unmount();
  });

  it('Tab makes / search inputs and outputs too; m keeps only matches', async () => {
    const { app } = await openApp();
    app.stdin.write('/');
    await tick();
    app.stdin.write('walrus');
    await tick();
    assert.match(app.lastFrame()!, /search: walrus▏\s+0 matches/);
    app.stdin.write('\t');
    await tick();
    assert.match(app.lastFrame()!, /search \[\+input\/output\]: walrus▏\s+1 match/);
    app.stdin.write('\r');
    await tick(80);
    let frame = app.lastFrame()!;
    assert.match(frame, /^> .*tool:search/m, 'the match inside the group opened it');
    assert.match(frame, /the walrus file/);
    app.stdin.write('m');
    await tick();
    frame = app.lastFrame()!;
    assert.match(frame, /\[matches only\]/);
    assert.equal(frame.split('\n').filter((line) => line.includes('tool:search')).length, 2, 'the group and its one matching member');
    app.unmount();
  });

  it('S keeps slow observations and their ancestors', async () => {
    const { app } = await openApp();
    app.stdin.write('S');
    await tick();
    const frame = app.lastFrame()!;
    assert.match(frame, /\[slow only\]/);
    assert.match(frame, /final_answer/);
    assert.doesNotMatch(frame, /tool:search/);
    app.unmount();
  });
});
