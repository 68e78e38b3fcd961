// The rest of the client against the strict twin: every page of score configs, annotation
// queues and queue items (not the first 100), an OBSERVATION queue item opened on the v2
// generation (through `filter` by id on /v2/observations, no trace id needed), prompt: and
// model: filters, and score reads bounded by `fromTimestamp`.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LangfuseClient } from '../../src/api/client.js';
import { startTestServer, TEST_KEYS, type TestServer } from '../helpers/server.js';
import { startCountingProxy, type CountingProxy } from '../helpers/counting-proxy.js';
import { ragTrace } from '../helpers/ingest.js';

for (const readApi of ['v1', 'v2'] as const) {
  describe(`the rest of the client over ${readApi}`, () => {
    let server: TestServer;
    let proxy: CountingProxy;
    let client: LangfuseClient;
    let queueId = '';
    const old = new Date(Date.now() - 3 * 3_600_000);
    before(async () => {
      server = await startTestServer({ readApi, streamEnabled: false });
      const batch: unknown[] = [...ragTrace('r-1', { at: old }), ...ragTrace('r-2')];
      batch.push({ id: 'ev-old-score', type: 'score-create', timestamp: old.toISOString(), body: { id: 'old-score', traceId: 'r-1', name: 'quality', value: 0.2, timestamp: old.toISOString() } });
      // r-3: a generation of another model, linked to version 2 of the prompt "support".
      const at = new Date().toISOString();
      batch.push(
        { id: 'ev-r3', type: 'trace-create', timestamp: at, body: { id: 'r-3', name: 'prompted', timestamp: at } },
        { id: 'ev-r3-g', type: 'generation-create', timestamp: at, body: { id: 'r-3-g', traceId: 'r-3', name: 'answer', startTime: at, endTime: at, model: 'claude-x', promptName: 'support', promptVersion: 2 } },
      );
      batch.push({ id: 'ev-new-score', type: 'score-create', timestamp: new Date().toISOString(), body: { id: 'new-score', traceId: 'r-2', name: 'quality', value: 0.3 } });
      assert.equal((await server.post('/api/public/ingestion', { batch })).status, 207);
      let configId = '';
      for (let i = 0; i < 120; i++) {
        const config = await server.post('/api/public/score-configs', { name: `config-${i}`, dataType: 'NUMERIC' });
        assert.equal(config.status, 200);
        configId = config.body.id;
      }
      for (let i = 0; i < 105; i++) {
        const queue = await server.post('/api/public/annotation-queues', { name: `queue-${i}`, scoreConfigIds: [configId] });
        assert.equal(queue.status, 200);
        queueId = queue.body.id;
      }
      for (let i = 0; i < 130; i++) await server.post(`/api/public/annotation-queues/${queueId}/items`, { objectId: i === 0 ? 'r-2-g' : 'r-1', objectType: i === 0 ? 'OBSERVATION' : 'TRACE' });
      proxy = await startCountingProxy(server.url);
      client = new LangfuseClient({ host: proxy.url, ...TEST_KEYS });
    });
    after(async () => {
      await client.close();
      await proxy.close();
      await server.close();
    });

    it('reads every page of score configs, queues and queue items', async () => {
      assert.equal((await client.listScoreConfigs()).length, 120);
      assert.equal((await client.listQueues()).length, 105);
      assert.equal((await client.listQueueItems(queueId, 'PENDING')).length, 130);
      // The strict queue endpoints took every parameter we sent.
      assert.deepEqual(proxy.log.filter((entry) => entry.status >= 400), []);
    });

    it('opens an OBSERVATION queue item by its id alone', async () => {
      const [item] = (await client.listQueueItems(queueId)).filter((entry) => entry.objectType === 'OBSERVATION');
      const observation = await client.getObservation(item!.objectId);
      assert.equal(observation.id, 'r-2-g');
      assert.equal(observation.traceId, 'r-2');
      assert.equal(observation.type, 'GENERATION');
      assert.equal(observation.usageDetails.input, 100);
      await assert.rejects(client.getObservation('no-such-observation'), (error: unknown) => (error as { kind?: string }).kind === 'not-found');
    });

    it('filters by prompt and model (conditions on any generation of the trace)', async () => {
      assert.deepEqual((await client.listTraces({ model: 'claude-x' })).map((trace) => trace.id), ['r-3']);
      assert.deepEqual((await client.listTraces({ model: 'gpt-4o-mini' })).map((trace) => trace.id).sort(), ['r-1', 'r-2']);
      assert.deepEqual((await client.listTraces({ prompt: { name: 'support', version: 2 } })).map((trace) => trace.id), ['r-3']);
      assert.deepEqual((await client.listTraces({ prompt: { name: 'support', version: null } })).map((trace) => trace.id), ['r-3']);
      assert.deepEqual(await client.listTraces({ prompt: { name: 'support', version: 1 } }), []);
    });

    it('bounds score reads with fromTimestamp', async () => {
      const all = await client.listScores({ name: 'quality' });
      assert.deepEqual(all.map((score) => score.id).sort(), ['new-score', 'old-score']);
      const recent = await client.listScores({ name: 'quality', fromTimestamp: new Date(Date.now() - 3_600_000).toISOString() });
      assert.deepEqual(recent.map((score) => score.id), ['new-score']);
    });
  });
}
