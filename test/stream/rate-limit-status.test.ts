// What the status bar and `tail` say about history and the rate limit: the words (pure), and a
// live source whose budget is spent saying "waiting Ns for the rate limit" while it waits.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LangfuseClient } from '../../src/api/client.js';
import { RequestBudget } from '../../src/api/budget.js';
import { createLiveSource } from '../../src/stream/live-source.js';
import { describeHistory, describeRateLimit } from '../../src/stream/status-text.js';
import type { RateLimitStatus } from '../../src/stream/types.js';
import { startTestServer, TEST_KEYS } from '../helpers/server.js';

describe('status words', () => {
  it('history: whole, cut at the capacity, still reading', () => {
    assert.equal(describeHistory({ count: 600, loading: false, complete: true, capacity: 10_000, window: '2h' }), 'history: 600 traces in the last 2h');
    assert.equal(describeHistory({ count: 1, loading: false, complete: true, capacity: 10_000, window: null }), 'history: 1 trace');
    assert.equal(describeHistory({ count: 10_000, loading: false, complete: false, capacity: 10_000, window: '7d' }), 'history cut at 10,000 traces (capacity)');
    assert.equal(describeHistory({ count: 1_200, loading: true, complete: false, capacity: 10_000, window: '2h' }), 'history: reading… 1,200 traces of the last 2h');
  });

  it('rate limit: seconds left, the bucket, and whether the server said 429', () => {
    const now = 1_000_000;
    assert.equal(describeRateLimit({ bucket: 'public-api', untilMs: now + 11_200, reason: 'budget' }, now), 'waiting 12s for the rate limit (public-api)');
    assert.equal(describeRateLimit({ bucket: 'public-api-legacy', untilMs: now + 60_000, reason: 'retry-after' }, now), 'waiting 60s for the rate limit (public-api-legacy, 429)');
  });
});

describe('a live source whose budget is spent', () => {
  it('says it is waiting for the rate limit, then carries on', async () => {
    const server = await startTestServer({ readApi: 'v1', streamEnabled: false });
    // One legacy request per 1.5 s: the detection probe spends it, so the history waits.
    const budget = new RequestBudget({ plan: 'none', limits: { 'public-api-legacy': { limit: 1, windowMs: 1_500 } } });
    const client = new LangfuseClient({ host: server.url, ...TEST_KEYS }, { budget });
    const source = await createLiveSource({ client, mode: 'poll', pollIntervalMs: 10 });
    const seen: RateLimitStatus[] = [];
    source.onStatus((status) => {
      if (status.rateLimit) seen.push(status.rateLimit);
    });
    source.start();
    const deadline = Date.now() + 20_000;
    while (source.status().history?.loading !== false && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await source.stop();
    await client.close();
    await server.close();
    assert.ok(seen.length > 0, 'a wait was announced');
    assert.equal(seen[0]!.bucket, 'public-api-legacy');
    assert.equal(seen[0]!.reason, 'budget');
    assert.match(describeRateLimit(seen[0]!), /^waiting \d+s for the rate limit \(public-api-legacy\)$/);
    assert.equal(source.status().rateLimit, null, 'the wait is over');
    assert.equal(source.status().history?.complete, true);
  });
});
