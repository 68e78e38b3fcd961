// The live source's history and rate-limit state on the TUI's status bar (100 columns): what a
// user reads while the window loads, once it is read or cut, and while a request waits.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import React from 'react';
import { render } from 'ink-testing-library';
import { App } from '../../src/ui/App.js';
import { createTuiStore } from '../../src/store/store.js';
import type { LiveStatus } from '../../src/stream/types.js';

const tick = (ms = 30) => new Promise((resolve) => setTimeout(resolve, ms));

function statusLine(patch: Partial<LiveStatus>): Promise<string> {
  const store = createTuiStore({ reader: { getTrace: async () => Promise.reject(new Error('none')), listTraces: async () => [] }, host: 'http://127.0.0.1:3939' });
  const app = render(<App store={store} />);
  store.getState().actions.setStatus({ state: 'polling', detail: null, host: 'http://127.0.0.1:3939', stats: { received: 0, coalesced: 0, lagMs: 0, lastEventId: null }, ...patch });
  return tick().then(() => {
    const line = app.lastFrame()!.split('\n').find((row) => row.includes('● polling')) ?? '';
    app.unmount();
    return line;
  });
}

describe('the status bar', () => {
  it('says how much history was read, or that the capacity cut it', async () => {
    assert.match(await statusLine({ history: { count: 600, loading: false, complete: true, capacity: 10_000, window: '2h' } }), /history: 600 traces in the last 2h/);
    assert.match(await statusLine({ history: { count: 10_000, loading: false, complete: false, capacity: 10_000, window: null } }), /history cut at 10,000 traces \(capacity\)/);
  });

  it('says how long a request waits for the rate limit', async () => {
    const line = await statusLine({ rateLimit: { bucket: 'public-api', untilMs: Date.now() + 25_000, reason: 'retry-after' } });
    assert.match(line, /waiting 2[45]s for the rate limit \(public-api, 429\)/);
  });
});
