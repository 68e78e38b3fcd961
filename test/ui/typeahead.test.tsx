// Keys typed ahead are never lost (issue 17, item 5): a burst that opens the query line goes
// into it, a Ctrl-U right after / is kept, keys typed while a trace loads act once it is there.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import React from 'react';
import { render } from 'ink-testing-library';
import { App } from '../../src/ui/App.js';
import { createTuiStore } from '../../src/store/store.js';
import type { TraceReader } from '../../src/ports/readers.js';
import type { ScoreConfig, TraceWithFullDetails } from '../../src/domain/types.js';
import type { ScoringService } from '../../src/scoring/service.js';
import { ragTree, summary } from '../helpers/fixtures.js';
import { display } from '../../src/ui/theme.js';

display.colour = false;
const tick = (ms = 30) => new Promise((resolve) => setTimeout(resolve, ms));

function setup(filterText = '', reader?: TraceReader) {
  const store = createTuiStore({ reader: reader ?? { getTrace: async () => ragTree('t1'), listTraces: async () => [] }, host: 'h', filterText });
  store.getState().actions.applyTraces([summary('t1', { tags: ['production'] }), summary('t2', { tags: ['staging'] })]);
  const app = render(<App store={store} />);
  return { store, app };
}

describe('typed ahead', () => {
  it('"/abc" in one burst opens the query line with abc in it', async () => {
    const { store, app } = setup();
    app.stdin.write('/abc');
    await tick();
    assert.equal(store.getState().queryLine.open?.text, 'abc');
    assert.match(app.lastFrame()!, /\/abc/);
    app.unmount();
  });

  it('with a filter on, a burst adds a condition after a space; the preview reads it back', async () => {
    const { store, app } = setup('tag:production');
    app.stdin.write('/name:x');
    await tick();
    assert.equal(store.getState().queryLine.open?.text, 'tag:production name:x');
    assert.match(app.lastFrame()!, /Enter keeps traces with tag production and name x/);
    app.stdin.write('\r');
    await tick();
    assert.equal(store.getState().filterText, 'tag:production name:x');
    app.unmount();
  });

  it('"/" then Ctrl-U at once: the line opens and is cleared', async () => {
    const { store, app } = setup('tag:production');
    app.stdin.write('/\x15tag:staging');
    await tick();
    assert.equal(store.getState().queryLine.open?.text, 'tag:staging');
    app.unmount();
  });

  it('s then 1 y typed before the score configs arrive score with the first config', async () => {
    let release: (configs: ScoreConfig[]) => void = () => {};
    const submitted: string[] = [];
    const scoring = {
      configs: () => new Promise<ScoreConfig[]>((resolve) => (release = resolve)),
      submit: (_target: unknown, name: string, value: string) => {
        submitted.push(`${name}=${value}`);
        return { id: `s${submitted.length}`, name, value: value === 'true' ? 1 : 0, dataType: 'BOOLEAN' };
      },
      undo: async () => {},
      status: () => ({ pending: 0, failed: 0, detail: null }),
      isPending: () => true,
      failure: () => null,
      onStatus: () => () => {},
      close: () => {},
    } as unknown as ScoringService;
    const store = createTuiStore({ reader: { getTrace: async () => ragTree('t1'), listTraces: async () => [] }, host: 'h', scoring });
    store.getState().actions.applyTraces([summary('t1')]);
    const app = render(<App store={store} />);
    app.stdin.write('s1y\r');
    await tick();
    assert.equal(submitted.length, 0, 'nothing yet: the configs are loading');
    release([{ id: 'c1', name: 'resolved', dataType: 'BOOLEAN', isArchived: false } as ScoreConfig]);
    await tick(60);
    assert.deepEqual(submitted, ['resolved=true']);
    assert.match(app.lastFrame()!, /scored resolved=true/);
    app.unmount();
  });

  it('Enter and j j typed while the trace loads move the cursor once it is there', async () => {
    let release: (trace: TraceWithFullDetails) => void = () => {};
    const reader: TraceReader = { getTrace: () => new Promise((resolve) => (release = resolve)), listTraces: async () => [] };
    const { store, app } = setup('', reader);
    app.stdin.write('\rjj');
    await tick();
    assert.equal(store.getState().open?.state, 'loading');
    release(ragTree('t2'));
    await tick(60);
    assert.equal(store.getState().treeCursor, 2, 'both j kept');
    app.unmount();
  });
});
