// The slice screens rendered by Ink (ink-testing-library, 100 columns) with fake ports: hostile
// text stays inert, redaction hides payloads and user ids, and each screen fits its frame.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import React from 'react';
import { render } from 'ink-testing-library';
import { App } from '../../src/ui/App.js';
import { createTuiStore } from '../../src/store/store.js';
import { compareRuns } from '../../src/domain/experiments.js';
import type { DatasetItemView, DatasetReader, RunResults } from '../../src/ports/datasets.js';
import type { PromptReader, PromptVersion } from '../../src/ports/prompts.js';
import type { TraceSummary } from '../../src/domain/types.js';
import { display } from '../../src/ui/theme.js';

display.colour = false;
const tick = (ms = 40) => new Promise((resolve) => setTimeout(resolve, ms));
const EVIL = 'evil\u001b[2J\u001b]0;pwned\u0007\u009b31m';

const items: DatasetItemView[] = [{ id: 'x', input: { question: `secret ${EVIL}` }, expectedOutput: 'expected-secret', createdAt: '2026-01-01T00:00:00Z' }];
const result = (name: string, output: string, score: number): RunResults => ({
  run: { id: name, name, description: null, datasetId: 'd', datasetName: 'ds', createdAt: '2026-01-01T00:00:00Z', updatedAt: '', itemCount: 1, itemMeans: {}, runScores: {}, errorCount: 0, meanLatency: null, totalCost: null },
  items: [{ datasetItemId: 'x', traceId: `${name}-x`, observationId: null, output, scores: { exact_match: score }, latency: 1, totalCost: null, error: false, createdAt: '2026-01-01T00:00:00Z' }],
});
const datasets: DatasetReader = {
  listDatasets: async () => [{ id: 'd', name: `ds`, description: EVIL, itemCount: 1, runCount: 2, lastRun: { name: 'b', createdAt: '2026-01-02T00:00:00Z' }, createdAt: '', updatedAt: '' }],
  listRuns: async () => [result('b', '', 0).run, { ...result('a', '', 0).run, createdAt: '2025-12-31T00:00:00Z' }],
  listItems: async () => items,
  loadRun: async () => result('a', 'x', 1),
  loadComparison: async (dataset, base, next) => compareRuns(dataset, items, result(base, `base-output ${EVIL}`, 1), result(next, 'new-output', 0)),
  watch: () => () => {},
};
const version: PromptVersion = { name: 'p', version: 1, type: 'chat', prompt: [{ role: 'system', content: `Hi {{name}} ${EVIL}` }], config: {}, labels: ['production'], tags: [], commitMessage: EVIL };
const prompts: PromptReader = { listPrompts: async () => [], getPrompt: async () => version, listVersions: async () => [version] };

function setup() {
  const store = createTuiStore({ reader: { getTrace: async () => { throw new Error('no'); }, listTraces: async () => [] }, host: 'http://test', datasets, prompts });
  const app = render(<App store={store} />);
  return { store, app, actions: () => store.getState().actions };
}

const assertInert = (frame: string) => {
  assert.ok(!/[\u0007\u001b\u009b]/.test(frame.replace(/\u001b\[[0-9;]*m/g, '')), `raw control reached the frame: ${JSON.stringify(frame)}`);
};

describe('slice screens rendered', () => {
  it('the comparison: hostile text inert, the regression marked, redaction hides payloads', async () => {
    const { app, actions } = setup();
    actions().switchTo('datasets', 'ds');
    await tick();
    actions().compareRuns();
    await tick();
    const frame = app.lastFrame()!;
    assert.match(frame, /base a \(1\) -> new b \(1\)/);
    assert.match(frame, /^- .*1>0 -1/m);
    assert.match(frame, /base-output/);
    assertInert(frame);
    actions().toggleRedact();
    await tick();
    const hidden = app.lastFrame()!;
    assert.doesNotMatch(hidden, /secret|base-output|new-output|expected-secret/);
    assert.match(hidden, /1>0 -1/, 'scores stay visible');
    app.unmount();
  });

  it('a prompt version: the chat message under its role, hostile text inert', async () => {
    const { app, actions } = setup();
    actions().switchTo('prompts', 'p');
    await tick();
    actions().openVersion();
    await tick();
    const frame = app.lastFrame()!;
    assert.match(frame, /p v1 \(chat\) \[production\]/);
    assert.match(frame, /system:\n\s+Hi \{\{name\}\} evil/);
    assertInert(frame);
    app.unmount();
  });

  it('top by user hides user ids when redacted; the datasets list stays inert', async () => {
    const { app, actions, store } = setup();
    const now = new Date().toISOString();
    const trace = (id: string, userId: string): TraceSummary => ({ id, timestamp: now, name: 'n', userId, sessionId: null, tags: [], environment: 'default', release: null, version: null, latency: 1, totalCost: 0, inputTokens: 0, outputTokens: 0, totalTokens: 0, observationCount: 1, errorCount: 0, warningCount: 0, scores: {}, updatedAt: now });
    actions().applyTraces([trace('t1', 'alice@example.com-0001'), trace('t2', 'bob-0002')]);
    actions().switchTo('top', 'user');
    await tick();
    assert.match(app.lastFrame()!, /alice@example\.com-0001/);
    actions().toggleRedact();
    await tick();
    assert.doesNotMatch(app.lastFrame()!, /alice|bob/);
    assert.match(app.lastFrame()!, /0001/);
    actions().switchTo('datasets');
    await tick();
    assertInert(app.lastFrame()!);
    assert.ok(store.getState().screens.includes('datasets'));
    actions().disposeSlices();
    app.unmount();
  });
});
