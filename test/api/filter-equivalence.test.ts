// One filter language, two places it runs: the server-side query (Langfuse parameters plus
// the scores/observations endpoints) and the client-side check on the stream. On a generated
// corpus both must pick exactly the same traces, for both Langfuse API generations.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LangfuseClient } from '../../src/api/client.js';
import { matchesTrace, parseFilter, toServerQuery } from '../../src/domain/filter-language.js';
import type { TraceSummary } from '../../src/domain/types.js';
import { seededRng } from '../../src/demo/scenario.js';
import { startTestServer, TEST_KEYS, type TestServer } from '../helpers/server.js';

const FILTERS = [
  'tag:production',
  'tag:production tag:rag',
  'user:u_2',
  'session:s_3',
  'name:support_chat',
  'name:support*',
  'env:staging',
  'level:error',
  'level:warning',
  'score:helpfulness<0.5',
  'score:helpfulness>=0.5 tag:production',
  'score:user_feedback=negative',
  'score:resolved=false',
  // "Has the score and it differs": v1's `none of` also admits traces without it.
  'score:user_feedback!=negative',
  // Past four alternatives the numeric `!=` are finished on the client.
  'score:helpfulness!=0.5 score:helpfulness!=0.7 score:helpfulness!=0.9',
  'release:r2',
  'version:v1',
  'user:u_1 level:error',
  'tag:rag score:helpfulness<0.3 env:production',
  'from:2026-11-24T10:00:30Z to:2026-11-24T10:01:00Z',
];

function corpus() {
  const rng = seededRng(7);
  const pick = <T>(items: T[]) => items[Math.floor(rng() * items.length)]!;
  const batch: unknown[] = [];
  const base = Date.parse('2026-11-24T10:00:00Z');
  for (let i = 0; i < 60; i++) {
    const id = `eq-${String(i).padStart(2, '0')}`;
    const at = new Date(base + i * 1000).toISOString();
    const environment = pick(['production', 'staging']);
    const tags = [environment, ...(rng() < 0.5 ? ['rag'] : [])];
    const level = rng() < 0.15 ? 'ERROR' : rng() < 0.2 ? 'WARNING' : 'DEFAULT';
    batch.push(
      { id: `e-${id}`, type: 'trace-create', timestamp: at, body: { id, timestamp: at, name: pick(['rag_pipeline', 'support_chat', 'support_email']), userId: pick(['u_1', 'u_2', 'u_3']), sessionId: `s_${i % 5}`, tags, environment, release: pick(['r1', 'r2']), version: pick(['v1', 'v2']) } },
      // One root observation per trace (as SDKs that wrap the pipeline in a span do).
      { id: `e-${id}-root`, type: 'span-create', timestamp: at, body: { id: `${id}-root`, traceId: id, name: 'pipeline', startTime: at, endTime: new Date(base + i * 1000 + 500).toISOString(), environment } },
      { id: `e-${id}-gen`, type: 'generation-create', timestamp: at, body: { id: `${id}-gen`, traceId: id, parentObservationId: `${id}-root`, name: 'generate', startTime: at, endTime: at, level, environment } },
    );
    if (rng() < 0.7) batch.push({ id: `e-${id}-s1`, type: 'score-create', timestamp: at, body: { id: `${id}-s1`, traceId: id, name: 'helpfulness', value: Math.round(rng() * 100) / 100 } });
    if (rng() < 0.4) batch.push({ id: `e-${id}-s2`, type: 'score-create', timestamp: at, body: { id: `${id}-s2`, traceId: id, name: 'user_feedback', value: pick(['positive', 'negative']), dataType: 'CATEGORICAL' } });
    if (rng() < 0.4) batch.push({ id: `e-${id}-s3`, type: 'score-create', timestamp: at, body: { id: `${id}-s3`, traceId: id, name: 'resolved', value: pick([0, 1]), dataType: 'BOOLEAN' } });
  }
  return batch;
}

describe('server-side and client-side filtering agree', () => {
  const servers: TestServer[] = [];
  let everything: TraceSummary[] = [];

  before(async () => {
    const reference = await startTestServer();
    servers.push(reference);
    await reference.post('/api/public/ingestion', { batch: corpus() });
    // The full summaries (aggregates and scores) of every trace, for the client-side side.
    const client = new LangfuseClient({ host: reference.url, ...TEST_KEYS });
    everything = await client.listTraces({ limit: 1000 });
    await client.close();
    assert.equal(everything.length, 60);
  });
  after(async () => {
    for (const server of servers) await server.close();
  });

  for (const readApi of ['v1', 'v2'] as const) {
    it(`over the ${readApi} generation (stock Langfuse, no stream)`, async () => {
      const server = await startTestServer({ readApi, streamEnabled: false });
      servers.push(server);
      await server.post('/api/public/ingestion', { batch: corpus() });
      const client = new LangfuseClient({ host: server.url, ...TEST_KEYS });
      for (const text of FILTERS) {
        const parsed = parseFilter(text);
        assert.ok(parsed.ok, text);
        if (!parsed.ok) continue;
        const now = new Date('2026-11-24T12:00:00Z');
        const expected = everything.filter((trace) => matchesTrace(parsed.filter, trace, now)).map((trace) => trace.id).sort();
        const { query, needsClientSide } = toServerQuery(parsed.filter, now);
        let fromServer = await client.listTraces({ ...query, limit: 100 });
        // What the server cannot do (a glob name) the client finishes on the server's answer.
        if (needsClientSide) fromServer = fromServer.filter((trace) => matchesTrace({ ...parsed.filter, scores: [], level: null }, trace, now));
        assert.deepEqual(fromServer.map((trace) => trace.id).sort(), expected, `${readApi}: ${text}`);
        assert.ok(expected.length > 0 || text.includes('from:'), `the corpus exercises ${text}`);
      }
      await client.close();
    });
  }
});
