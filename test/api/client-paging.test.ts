// Client gaps from review, each against a real embedded server: score/level filters and polling
// page through every result (not the first 100), a host's path prefix is kept (Langfuse behind
// a proxy), and the v2 read generation finds a session's traces without /sessions/{id}.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LangfuseClient } from '../../src/api/client.js';
import { buildUrl } from '../../src/api/http.js';
import { createLiveSource } from '../../src/stream/live-source.js';
import type { TraceSummary } from '../../src/domain/types.js';
import { startTestServer, TEST_KEYS, type TestServer } from '../helpers/server.js';
import { ragTrace } from '../helpers/ingest.js';

const BASE = Date.UTC(2026, 10, 24, 8, 0, 0);
const SCORED = 250;
const ERRORS = 130;

const waitFor = async (predicate: () => boolean, what: string, timeoutMs = 15_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

/** 250 traces scored quality = i/250 (130 of them with an ERROR generation), in session s-big. */
async function seedMany(server: TestServer) {
  const batch: unknown[] = [];
  for (let i = 0; i < SCORED; i++) {
    batch.push(...ragTrace(`p-${i}`, { at: new Date(BASE + i * 1000), error: i < ERRORS, sessionId: i % 50 === 0 ? 's-big' : undefined }));
    batch.push({ id: `ev-sc-${i}`, type: 'score-create', timestamp: new Date(BASE + i * 1000).toISOString(), body: { id: `sc-${i}`, traceId: `p-${i}`, name: 'quality', value: i / SCORED } });
  }
  const response = await server.post('/api/public/ingestion', { batch });
  assert.equal(response.status, 207);
  assert.equal(response.body.errors.length, 0);
}

for (const readApi of ['v1', 'v2'] as const) {
  describe(`LangfuseClient paging over the ${readApi} read generation`, () => {
    let server: TestServer;
    let client: LangfuseClient;
    before(async () => {
      server = await startTestServer({ readApi, streamEnabled: false });
      await seedMany(server);
      client = new LangfuseClient({ host: server.url, ...TEST_KEYS });
    });
    after(async () => {
      await client.close();
      await server.close();
    });

    it('a score filter finds every matching trace, past the first 100 scores', async () => {
      const low = await client.listTraces({ scores: [{ name: 'quality', operator: '<', value: 0.9 }], limit: 1000 });
      assert.equal(low.length, 225);
      assert.equal(new Set(low.map((trace) => trace.id)).size, 225);
      assert.equal(low[0]!.id, 'p-224', 'newest first');
      assert.equal((await client.listScores({ name: 'quality', limit: 1000 })).length, SCORED);
      assert.equal((await client.listScores({ name: 'quality' })).length, 100, 'the default stays one page');
    });

    it('a level filter finds every trace with an error, past the first 100 observations', async () => {
      const errors = await client.listTraces({ level: 'error', limit: 1000 });
      assert.equal(errors.length, ERRORS);
      assert.ok(errors.every((trace) => Number(trace.id.split('-')[1]) < ERRORS));
      // Each row says how many errors it has (a v1 list row carries observation ids only).
      assert.ok(errors.every((trace) => trace.errorCount === 1), 'error counts on the rows');
    });

    it('a poll reads every trace since its cursor, oldest first, in pages', async () => {
      const from = new Date(BASE + 10_000).toISOString();
      const page = await client.pollTraces({}, from, 5_000);
      assert.equal(page.traces.length, SCORED - 10);
      assert.equal(page.truncated, false);
      const ids = page.traces.map((trace) => trace.id);
      assert.equal(new Set(ids).size, ids.length);
      assert.deepEqual(ids.slice(0, 2), ['p-10', 'p-11'], 'oldest first');
      // A cap counts traces, in both generations (v2 lists two root observations a trace here).
      const capped = await client.pollTraces({}, from, 120);
      assert.equal(capped.traces.length, 120);
      assert.equal(capped.truncated, true);
    });

    it('a PollSource delivers a burst of 300 new traces between two polls, each once', async () => {
      const source = await createLiveSource({ client, mode: 'poll', pollIntervalMs: 300, flushIntervalMs: 10, historyLimit: 10 });
      const deliveries = new Map<string, number>();
      source.onTraces((traces: TraceSummary[]) => {
        for (const trace of traces) deliveries.set(trace.id, (deliveries.get(trace.id) ?? 0) + 1);
      });
      source.start();
      await waitFor(() => source.status().state === 'polling', 'polling');
      const now = Date.now();
      const batch = [];
      for (let i = 0; i < 300; i++) batch.push(...ragTrace(`burst-${readApi}-${i}`, { at: new Date(now + i) }));
      assert.equal((await server.post('/api/public/ingestion', { batch })).status, 207);
      await waitFor(() => [...deliveries.keys()].filter((id) => id.startsWith('burst-')).length === 300, 'all 300 of the burst');
      await new Promise((resolve) => setTimeout(resolve, 700));
      await source.stop();
      assert.equal(JSON.stringify([...deliveries].filter(([, count]) => count > 1)), "[]", "no trace delivered twice");
    });

    it("reads a session's traces", async () => {
      const traces = await client.getSessionTraces('s-big');
      assert.deepEqual(traces.map((trace) => trace.id).sort(), ['p-0', 'p-100', 'p-150', 'p-200', 'p-50']);
      assert.ok(traces.every((trace) => trace.observations.length === 2));
    });
  });
}

describe('a host with a path prefix (Langfuse behind a proxy)', () => {
  let server: TestServer;
  let proxy: Server;
  let proxyUrl: string;
  const seenPaths: string[] = [];
  before(async () => {
    server = await startTestServer();
    // A reverse proxy that serves the backend only under /langfuse, streaming included.
    proxy = createServer((req, res) => {
      seenPaths.push(req.url ?? '');
      if (!req.url?.startsWith('/langfuse/')) {
        req.resume();
        res.writeHead(404).end('not here');
        return;
      }
      const upstream = httpRequest(
        { host: '127.0.0.1', port: server.port, method: req.method, path: req.url.slice('/langfuse'.length), headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });
  after(async () => {
    proxy.closeAllConnections();
    proxy.close();
    await server.close();
  });

  it('buildUrl keeps the prefix, with or without a trailing slash', () => {
    assert.equal(buildUrl('https://x/langfuse', '/api/public/traces'), 'https://x/langfuse/api/public/traces');
    assert.equal(buildUrl('https://x/langfuse/', '/api/public/traces', { limit: 5 }), 'https://x/langfuse/api/public/traces?limit=5');
    assert.equal(buildUrl('https://x', '/api/public/health'), 'https://x/api/public/health');
    assert.equal(buildUrl('https://x/', 'api/public/health'), 'https://x/api/public/health');
  });

  it('reads and streams through the prefix', async () => {
    const client = new LangfuseClient({ host: `${proxyUrl}/langfuse`, ...TEST_KEYS }, { attempts: 1 });
    assert.equal((await client.backend()).streams, true);
    await server.post('/api/public/ingestion', { batch: ragTrace('proxied-1') });
    assert.deepEqual((await client.listTraces({})).map((trace) => trace.id), ['proxied-1']);
    const source = await createLiveSource({ client, flushIntervalMs: 10 });
    const seen = new Set<string>();
    source.onTraces((traces) => traces.forEach((trace) => seen.add(trace.id)));
    source.start();
    await waitFor(() => source.status().state === 'live', 'live through the proxy');
    await server.post('/api/public/ingestion', { batch: ragTrace('proxied-2') });
    await waitFor(() => seen.has('proxied-2'), 'a streamed trace through the proxy');
    await source.stop();
    await client.close();
    assert.ok(seenPaths.length > 0 && seenPaths.every((path) => path.startsWith('/langfuse/api/public/')), seenPaths.join(' '));
  });
});
