// The window's history, read to the end over both Langfuse generations against the strict twin,
// with and without Cloud's hobby rate limit: a 600-trace backlog where the 50 asked for are the
// oldest (`--tag production --since 2h` → all 50), every page past 100, the capacity cut said
// as such, and not one 429. The hobby plan runs with one-second windows on both sides (the
// budget waits seconds, not minutes; the counts per window are Cloud's).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LangfuseClient } from '../../src/api/client.js';
import { parseFilter } from '../../src/domain/filter-language.js';
import type { TraceSummary } from '../../src/domain/types.js';
import { sourceFor } from '../../src/cli/live.js';
import type { LiveSource, LiveStatus } from '../../src/stream/types.js';
import { describeHistory } from '../../src/stream/status-text.js';
import { startTestServer, TEST_KEYS, type TestServer } from '../helpers/server.js';
import { startCountingProxy, type CountingProxy } from '../helpers/counting-proxy.js';
import { ragTrace } from '../helpers/ingest.js';
import { RequestBudget } from '../../src/api/budget.js';
import { hobbyPerSecond } from '../helpers/rate-limit.js';

const PRODUCTION = 50;
const STAGING = 550;

/** 50 production traces, then 550 newer staging ones, all within the last 30 minutes. */
async function seedBacklog(server: TestServer) {
  const start = Date.now() - 30 * 60_000;
  const batch: unknown[] = [];
  for (let i = 0; i < PRODUCTION + STAGING; i++) {
    const production = i < PRODUCTION;
    batch.push(...ragTrace(`bk-${String(i).padStart(3, '0')}`, { at: new Date(start + i * 2_000), tags: [production ? 'production' : 'staging'] }));
  }
  const response = await server.post('/api/public/ingestion', { batch });
  assert.equal(response.status, 207);
  assert.equal(response.body.errors.length, 0);
}

const waitFor = async (predicate: () => boolean, what: string, timeoutMs = 30_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

/** Runs a live source for a filter until its history is read; what it delivered, and its status. */
async function history(client: LangfuseClient, text: string, historyLimit?: number): Promise<{ ids: string[]; status: LiveStatus }> {
  const parsed = parseFilter(text);
  assert.ok(parsed.ok);
  if (!parsed.ok) throw new Error(text);
  const source: LiveSource = await sourceFor(client, parsed.filter);
  if (historyLimit !== undefined) (source as unknown as { options: { historyLimit: number } }).options.historyLimit = historyLimit;
  const delivered = new Map<string, TraceSummary>();
  source.onTraces((traces) => {
    for (const trace of traces) delivered.set(trace.id, trace);
  });
  source.start();
  await waitFor(() => source.status().history?.loading === false, `the history of ${text}`);
  const status = source.status();
  await source.stop();
  return { ids: [...delivered.keys()].sort(), status };
}

for (const readApi of ['v1', 'v2'] as const) {
  for (const rateLimit of [undefined, 'hobby'] as const) {
    describe(`history over ${readApi}${rateLimit ? ' with the hobby rate limit' : ''}`, () => {
      let server: TestServer;
      let proxy: CountingProxy;
      let client: LangfuseClient;
      before(async () => {
        server = await startTestServer({ readApi, streamEnabled: false, rateLimit: rateLimit ? hobbyPerSecond.server : undefined });
        await seedBacklog(server);
        proxy = await startCountingProxy(server.url);
        const budget = rateLimit ? new RequestBudget({ plan: 'hobby', limits: hobbyPerSecond.client }) : undefined;
        client = new LangfuseClient({ host: proxy.url, ...TEST_KEYS }, { budget });
      });
      after(async () => {
        await client.close();
        await proxy.close();
        await server.close();
      });

      it('tag:production since:2h finds all 50, though 550 newer traces come first', async () => {
        const { ids, status } = await history(client, 'tag:production since:2h');
        assert.equal(ids.length, PRODUCTION);
        assert.deepEqual(ids, Array.from({ length: PRODUCTION }, (_, i) => `bk-${String(i).padStart(3, '0')}`));
        assert.equal(describeHistory(status.history!), 'history: 50 traces in the last 2h');
        // The server filtered: no staging trace was read to be thrown away.
        const reads = proxy.log.filter((entry) => /\/(traces|v2\/observations)$/.test(entry.path) && entry.query.get('limit') !== '1');
        assert.ok(reads.every((entry) => entry.query.get('tags') === 'production' || (entry.query.get('filter') ?? '').includes('"production"')), 'the tag travels to the server');
      });

      it('since:2h reads every page past 100: all 600', async () => {
        const { ids, status } = await history(client, 'since:2h');
        assert.equal(ids.length, PRODUCTION + STAGING);
        assert.equal(describeHistory(status.history!), 'history: 600 traces in the last 2h');
      });

      it('a capacity below the window cuts it, keeps the newest, and says so', async () => {
        const { ids, status } = await history(client, 'since:2h', 250);
        assert.equal(ids.length, 250);
        assert.equal(ids[0], 'bk-350', 'the newest 250');
        assert.equal(describeHistory(status.history!), 'history cut at 250 traces (capacity)');
      });

      it('not one request was answered 429', () => {
        assert.deepEqual(proxy.log.filter((entry) => entry.status === 429), []);
        assert.equal(client.http.counters.rateLimited, 0);
      });
    });
  }
}
