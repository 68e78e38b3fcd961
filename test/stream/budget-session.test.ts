// A ten-minute session against the strict twin with Cloud's hobby rate limit, simulated with
// one-second windows on both sides (a minute takes a second): the live list polling, a trace
// opened every "30 s", a score written every "minute", traffic arriving throughout. Not one
// request is answered 429, no bucket ever takes more than its limit in a window, the polls keep
// coming and new traces keep reaching the list.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LangfuseClient } from '../../src/api/client.js';
import { bucketFor, RequestBudget } from '../../src/api/budget.js';
import { createLiveSource } from '../../src/stream/live-source.js';
import type { TraceSummary } from '../../src/domain/types.js';
import { startTestServer, TEST_KEYS, type TestServer } from '../helpers/server.js';
import { startCountingProxy, type CountingProxy } from '../helpers/counting-proxy.js';
import { hobbyPerSecond } from '../helpers/rate-limit.js';
import { ragTrace } from '../helpers/ingest.js';

/** One simulated minute, in real milliseconds. */
const MINUTE = 1_000;
const SESSION_MINUTES = 10;

for (const readApi of ['v1', 'v2'] as const) {
  describe(`a simulated ten-minute session on ${readApi} under the hobby plan`, () => {
    let server: TestServer;
    let proxy: CountingProxy;
    let client: LangfuseClient;
    before(async () => {
      server = await startTestServer({ readApi, streamEnabled: false, rateLimit: hobbyPerSecond.server });
      const start = Date.now() - 10 * 60_000;
      const batch: unknown[] = [];
      for (let i = 0; i < 200; i++) batch.push(...ragTrace(`old-${i}`, { at: new Date(start + i * 1_000) }));
      assert.equal((await server.post('/api/public/ingestion', { batch })).status, 207);
      proxy = await startCountingProxy(server.url);
      client = new LangfuseClient({ host: proxy.url, ...TEST_KEYS }, { budget: new RequestBudget({ plan: 'hobby', limits: hobbyPerSecond.client }) });
    });
    after(async () => {
      await client.close();
      await proxy.close();
      await server.close();
    });

    it('polls, opens traces and scores without a single 429', async () => {
      const source = await createLiveSource({
        client,
        mode: 'poll',
        // Cloud's default poll of 5 s, in simulated time; the budget spaces polls further when it must.
        pollIntervalMs: (5_000 * MINUTE) / 60_000,
        filter: { fromTimestamp: new Date(Date.now() - 3_600_000).toISOString() },
        flushIntervalMs: 10,
      });
      const delivered = new Map<string, TraceSummary>();
      source.onTraces((traces) => traces.forEach((trace) => delivered.set(trace.id, trace)));
      source.start();
      let opened = 0;
      let scored = 0;
      let arrived = 0;
      let lastId = '';
      const work: Promise<unknown>[] = [];
      // One tick is a simulated 5 s: 12 a minute, 120 in the session.
      for (let tick = 0; tick < SESSION_MINUTES * 12; tick++) {
        lastId = `live-${readApi}-${arrived++}`;
        await server.post('/api/public/ingestion', { batch: ragTrace(lastId) });
        const newest = [...delivered.values()].sort((a, b) => b.timestamp.localeCompare(a.timestamp))[0]?.id ?? 'old-199';
        // Every "30 s" someone opens the newest trace (interactive: ahead of the polls).
        if (tick % 6 === 0) work.push(client.getTrace(newest).then(() => opened++));
        if (tick % 12 === 0) work.push(client.createScore({ id: `session-score-${readApi}-${tick}`, traceId: newest, name: 'reviewed', value: 1, dataType: 'BOOLEAN' }).then(() => scored++));
        await new Promise((resolve) => setTimeout(resolve, MINUTE / 12));
      }
      await Promise.all(work);
      // The newest traffic reaches the list (the budget allows it within a few polls).
      const deadline = Date.now() + 5 * MINUTE;
      while (!delivered.has(lastId) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      await source.stop();
      assert.ok(delivered.has(lastId), `the last arrival (${lastId}) reached the list`);

      assert.deepEqual(proxy.log.filter((entry) => entry.status === 429).map((entry) => entry.path), [], 'no 429');
      assert.equal(client.http.counters.rateLimited, 0);
      assert.equal(opened, SESSION_MINUTES * 2);
      assert.equal(scored, SESSION_MINUTES);
      // The polls kept coming (at least one a simulated 10 s; the list saw the traffic as it came).
      const polls = proxy.log.filter((entry) => entry.path.endsWith(readApi === 'v1' ? '/traces' : '/v2/observations') && !entry.query.has('traceId') && entry.query.get('limit') !== '1');
      assert.ok(polls.length >= SESSION_MINUTES * 3, `${polls.length} polls in ${SESSION_MINUTES} minutes`);
      assert.ok(delivered.size >= 200 + SESSION_MINUTES * 12, 'every trace reached the list');
      // No one-minute window of any bucket holds more than the plan's limit.
      const byBucket = new Map<string, number[]>();
      for (const entry of proxy.log) {
        const bucket = bucketFor(entry.method, entry.path);
        byBucket.set(bucket, [...(byBucket.get(bucket) ?? []), entry.at]);
      }
      for (const [bucket, times] of byBucket) {
        const limit = hobbyPerSecond.client[bucket as keyof typeof hobbyPerSecond.client]?.limit;
        if (!limit) continue;
        const busiest = Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + MINUTE).length));
        assert.ok(busiest < limit, `${bucket}: ${busiest} requests in one window (limit ${limit})`);
      }
    });
  });
}
