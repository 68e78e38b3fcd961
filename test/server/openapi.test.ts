// Every read endpoint's body checked against Langfuse's OpenAPI schemas, over a corpus with
// every observation type, levels, usage, and scores of each data type: in each read mode, the
// endpoints that mode serves, against the spec of the release it plays (v1: v3.225.4).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertMatchesSchema, type SpecVersion } from '../helpers/openapi.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { ragTrace } from '../helpers/ingest.js';

const TYPES = ['span', 'generation', 'event', 'agent', 'tool', 'chain', 'retriever', 'evaluator', 'embedding', 'guardrail'];

const MODES: { readApi: 'both' | 'v1' | 'v2'; spec: SpecVersion }[] = [
  { readApi: 'both', spec: 'current' },
  { readApi: 'v1', spec: 'v3.225.4' },
  { readApi: 'v2', spec: 'current' },
];
/** Endpoints a mode does not serve (v1 reads in events_only; v4 reads on v3.225.4). */
const V1_ONLY = /^\/api\/public\/(traces|observations|sessions|v2\/scores)/;
const V4_ONLY = /^\/api\/public\/v2\/observations/;

for (const { readApi, spec } of MODES) {
  describe(`responses match the Langfuse OpenAPI schemas (--read-api ${readApi}, spec ${spec})`, () => {
    let server: TestServer;
    const ids: Record<string, string> = {};

    before(async () => {
      server = await startTestServer({ readApi });
      const at = new Date('2026-11-24T10:00:00Z');
      const batch: unknown[] = [...ragTrace('oa-1', { userId: 'u_1', sessionId: 'sess-1', tags: ['production'], at, error: true })];
      TYPES.forEach((type, index) => {
        batch.push({
          id: `ev-all-${type}`,
          type: `${type}-create`,
          timestamp: at.toISOString(),
          body: { id: `all-${type}`, traceId: 'oa-1', name: `${type}_step`, startTime: new Date(at.getTime() + index).toISOString(), level: index % 3 === 0 ? 'WARNING' : 'DEFAULT', metadata: { index } },
        });
      });
      assert.equal((await server.post('/api/public/ingestion', { batch })).status, 207);
      const numeric = await server.post('/api/public/score-configs', { name: 'groundedness', dataType: 'NUMERIC', minValue: 0, maxValue: 1 });
      const categorical = await server.post('/api/public/score-configs', { name: 'user_feedback', dataType: 'CATEGORICAL', categories: [{ label: 'positive', value: 1 }, { label: 'negative', value: 0 }] });
      const boolean = await server.post('/api/public/score-configs', { name: 'resolved', dataType: 'BOOLEAN' });
      ids.config = numeric.body.id;
      await server.post('/api/public/scores', { traceId: 'oa-1', name: 'groundedness', value: 0.8, configId: numeric.body.id, source: 'ANNOTATION', comment: 'ok' });
      await server.post('/api/public/scores', { traceId: 'oa-1', name: 'user_feedback', value: 'negative', configId: categorical.body.id });
      await server.post('/api/public/scores', { traceId: 'oa-1', name: 'resolved', value: 1, configId: boolean.body.id, dataType: 'BOOLEAN' });
      const text = await server.post('/api/public/scores', { traceId: 'oa-1', observationId: 'oa-1-g', name: 'note', value: 'cites nothing', dataType: 'TEXT' });
      ids.score = text.body.id;
      assertMatchesSchema('CreateScoreResponse', text.body);
      const queue = await server.post('/api/public/annotation-queues', { name: 'triage', scoreConfigIds: [numeric.body.id] });
      ids.queue = queue.body.id;
      const item = await server.post(`/api/public/annotation-queues/${queue.body.id}/items`, { objectId: 'oa-1', objectType: 'TRACE' });
      ids.item = item.body.id;
    });
    after(() => server.close());

    const cases: [string, () => string][] = [
      ['Traces', () => '/api/public/traces'],
      ['TraceWithFullDetails', () => '/api/public/traces/oa-1'],
      ['legacyObservationsViews', () => '/api/public/observations'],
      ['ObservationsView', () => '/api/public/observations/oa-1-g'],
      ['PaginatedSessions', () => '/api/public/sessions'],
      ['SessionWithTraces', () => '/api/public/sessions/sess-1'],
      ['GetScoresResponse', () => '/api/public/v2/scores'],
      ['Score', () => `/api/public/v2/scores/${ids.score}`],
      ['ObservationsV2Response', () => '/api/public/v2/observations?fields=core,basic,time,io,metadata,model,usage,prompt,metrics,trace_context'],
      ['ObservationsV2Response', () => '/api/public/v2/observations'],
      ['GetScoresV3Response', () => '/api/public/v3/scores?fields=details,subject,annotation'],
      ['ScoreConfigs', () => '/api/public/score-configs'],
      ['ScoreConfig', () => `/api/public/score-configs/${ids.config}`],
      ['PaginatedAnnotationQueues', () => '/api/public/annotation-queues'],
      ['AnnotationQueue', () => `/api/public/annotation-queues/${ids.queue}`],
      ['PaginatedAnnotationQueueItems', () => `/api/public/annotation-queues/${ids.queue}/items`],
      ['AnnotationQueueItem', () => `/api/public/annotation-queues/${ids.queue}/items/${ids.item}`],
      ['HealthResponse', () => '/api/public/health'],
    ];
    for (const [schema, path] of cases) {
      const served = readApi === 'both' || !(readApi === 'v2' ? V1_ONLY : V4_ONLY).test(path());
      it(`${schema} ← GET ${path().replace(/[0-9a-f-]{36}/g, '{id}')}${served ? '' : ' (404 in this mode)'}`, async () => {
        const response = await server.get(path());
        if (!served) {
          assert.equal(response.status, 404, JSON.stringify(response.body));
          return;
        }
        assert.equal(response.status, 200, JSON.stringify(response.body));
        assertMatchesSchema(schema, response.body, spec);
      });
    }

    it('IngestionResponse for a 207 with a bad event', async () => {
      const response = await server.post('/api/public/ingestion', { batch: [{ id: 'x', type: 'span-create', timestamp: '2026-11-24T10:00:00Z', body: { id: 'ok-span', traceId: 'oa-1' } }, { id: 'y', type: 'nope', body: {} }] });
      assert.equal(response.status, 207);
      assert.equal(response.body.errors.length, 1);
      assertMatchesSchema('IngestionResponse', response.body, spec);
    });
  });
}
