// A score filter over 300 matching traces, on both generations against the strict twin: exactly
// the right traces, every one; requests counted at a proxy — the history costs a few pages, and
// a poll a bounded handful whatever the number of matches (no request per candidate trace).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LangfuseClient } from '../../src/api/client.js';
import { RequestBudget } from '../../src/api/budget.js';
import { parseFilter } from '../../src/domain/filter-language.js';
import type { TraceSummary } from '../../src/domain/types.js';
import { sourceFor } from '../../src/cli/live.js';
import { startTestServer, TEST_KEYS, type TestServer } from '../helpers/server.js';
import { startCountingProxy, type CountingProxy } from '../helpers/counting-proxy.js';
import { hobbyPerSecond } from '../helpers/rate-limit.js';
import { ragTrace } from '../helpers/ingest.js';

const TOTAL = 600;
const LOW = (i: number) => i % 2 === 0; // 300 traces score below 0.5
const id = (i: number) => `sf-${String(i).padStart(3, '0')}`;
const CONDITION = { name: 'helpfulness', operator: '<' as const, value: 0.5 };

async function seed(server: TestServer, start: number) {
  const batch: unknown[] = [];
  for (let i = 0; i < TOTAL; i++) {
    const at = new Date(start + i * 2_000);
    batch.push(...ragTrace(id(i), { at, tags: ['production'] }));
    const value = LOW(i) ? (i % 50) / 100 : 0.5 + (i % 50) / 100;
    batch.push({ id: `ev-s-${i}`, type: 'score-create', timestamp: at.toISOString(), body: { id: `s-${i}`, traceId: id(i), name: 'helpfulness', value, timestamp: new Date(at.getTime() + 1_000).toISOString() } });
  }
  const response = await server.post('/api/public/ingestion', { batch });
  assert.equal(response.status, 207);
  assert.equal(response.body.errors.length, 0);
}

for (const readApi of ['v1', 'v2'] as const) {
  for (const limited of [false, true]) {
    describe(`score:helpfulness<0.5 over 300 matches on ${readApi}${limited ? ' with the hobby rate limit' : ''}`, () => {
      let server: TestServer;
      let proxy: CountingProxy;
      let client: LangfuseClient;
      const start = Date.now() - 40 * 60_000;
      const window = new Date(Date.now() - 2 * 3_600_000).toISOString();
      const expected = Array.from({ length: TOTAL }, (_, i) => i).filter(LOW).map(id);
      before(async () => {
        server = await startTestServer({ readApi, streamEnabled: false, rateLimit: limited ? hobbyPerSecond.server : undefined });
        await seed(server, start);
        proxy = await startCountingProxy(server.url);
        const budget = limited ? new RequestBudget({ plan: 'hobby', limits: hobbyPerSecond.client }) : undefined;
        client = new LangfuseClient({ host: proxy.url, ...TEST_KEYS }, { budget });
        await client.backend();
      });
      after(async () => {
        await client.close();
        await proxy.close();
        await server.close();
      });

      it('the history is exactly the 300 matching traces, in a few pages', async () => {
        const mark = proxy.log.length;
        const result = await client.history({ scores: [CONDITION], fromTimestamp: window }, { capacity: 10_000 });
        assert.equal(result.complete, true);
        assert.deepEqual(result.traces.map((trace) => trace.id).sort(), expected);
        // Each row shows the value it matched on (a v1 list row carries score ids only).
        assert.ok(result.traces.every((trace) => (trace.scores.helpfulness as number) < 0.5));
        const spent = proxy.since(mark);
        // v1: the trace list with a scores_avg condition (3 pages) and the window's helpfulness
        // scores for the rows' values (6 pages); v2: the matching scores (3 pages of /v3/scores)
        // and their root observations by traceId any of (3 batches).
        assert.ok(spent.length <= 10, `${spent.length} requests for the history`);
        assert.equal(spent.filter((entry) => /\/traces\/|\/observations\//.test(entry.path)).length, 0, 'no request per trace');
      });

      it('a poll costs the same handful of requests with 300 matches in the window', async () => {
        const from = new Date().toISOString();
        for (let poll = 0; poll < 3; poll++) {
          const mark = proxy.log.length;
          const page = await client.pollTraces({ scores: [CONDITION], fromTimestamp: window }, from, 5_000);
          assert.deepEqual(page.traces, []);
          const spent = proxy.since(mark).length;
          assert.ok(spent <= 2, `poll ${poll}: ${spent} requests`);
        }
      });

      it('a poll finds new matching traces and an old trace whose new score matches', async () => {
        const from = new Date(Date.now() - 1_000).toISOString();
        const at = new Date();
        const batch: unknown[] = [];
        for (let i = 0; i < 5; i++) {
          batch.push(...ragTrace(`sf-new-${i}`, { at, tags: ['production'] }));
          batch.push({ id: `ev-sn-${i}`, type: 'score-create', timestamp: at.toISOString(), body: { id: `sn-${i}`, traceId: `sf-new-${i}`, name: 'helpfulness', value: 0.1 } });
        }
        // sf-001 scored 0.51; now 0.2.
        batch.push({ id: 'ev-rescore', type: 'score-create', timestamp: at.toISOString(), body: { id: 'rescore', traceId: id(1), name: 'helpfulness', value: 0.2 } });
        assert.equal((await server.post('/api/public/ingestion', { batch })).status, 207);
        const mark = proxy.log.length;
        const page = await client.pollTraces({ scores: [CONDITION], fromTimestamp: window }, from, 5_000);
        assert.deepEqual(page.traces.map((trace) => trace.id).sort(), [id(1), 'sf-new-0', 'sf-new-1', 'sf-new-2', 'sf-new-3', 'sf-new-4']);
        const spent = proxy.since(mark).length;
        assert.ok(spent <= 4, `${spent} requests for the poll`);
      });

      it('the live source delivers every match (the server filtered; nothing is dropped client-side)', async () => {
        const parsed = parseFilter('score:helpfulness<0.5 since:2h tag:production');
        assert.ok(parsed.ok);
        if (!parsed.ok) return;
        const source = await sourceFor(client, parsed.filter);
        const delivered = new Set<string>();
        source.onTraces((traces: TraceSummary[]) => traces.forEach((trace) => delivered.add(trace.id)));
        source.start();
        const deadline = Date.now() + 30_000;
        while (source.status().history?.loading !== false && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
        await source.stop();
        assert.equal(delivered.size, 306);
        assert.deepEqual(proxy.log.filter((entry) => entry.status === 429), []);
      });
    });
  }
}
