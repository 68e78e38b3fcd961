// The dataset client on the demo's experiments: the capital-cities dataset and its two runs as
// `tracetop --demo` seeds them (through the public API), read back over the v3 generation; unknown
// names; and runs filling in live (the stream against tracetop, polling against a server without).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LangfuseClient } from '../../src/api/client.js';
import { boundedValue, DatasetClient } from '../../src/api/datasets.js';
import { ExperimentNotFoundError } from '../../src/domain/experiments.js';
import { DEMO_DATASET, seedDemoDatasets } from '../../src/demo/datasets.js';
import { startTestServer, TEST_KEYS, type TestServer } from '../helpers/server.js';

describe('the demo experiments through the dataset client', () => {
  let server: TestServer;
  let client: LangfuseClient;
  let datasets: DatasetClient;
  before(async () => {
    server = await startTestServer();
    client = new LangfuseClient({ host: server.url, ...TEST_KEYS });
    datasets = new DatasetClient(client);
    await seedDemoDatasets({ baseUrl: server.url, ...TEST_KEYS, now: Date.parse('2026-11-24T10:00:00Z') });
  });
  after(async () => {
    await client.close();
    await server.close();
  });

  it('capital-cities: 10 items, two runs, the baseline wrong on Australia and Brazil', async () => {
    const [dataset] = await datasets.listDatasets();
    assert.equal(dataset!.name, DEMO_DATASET);
    assert.equal(dataset!.itemCount, 10);
    assert.equal(dataset!.runCount, 2);
    assert.deepEqual(dataset!.lastRun, { name: 'capitals-v2', createdAt: dataset!.lastRun!.createdAt });
    const runs = await datasets.listRuns(DEMO_DATASET);
    assert.deepEqual(
      runs.map((run) => [run.name, run.itemCount, run.itemMeans.exact_match, run.runScores.mean_accuracy, run.errorCount]),
      [
        ['capitals-v2', 10, 1, 1, 0],
        ['capitals-baseline', 10, 0.8, 0.8, 0],
      ],
    );
    assert.ok(runs.every((run) => run.meanLatency! > 0 && run.totalCost! > 0));
    const comparison = await datasets.loadComparison(DEMO_DATASET, 'capitals-baseline', 'capitals-v2');
    const improved = comparison.items.filter((item) => item.verdict === 'improved');
    assert.deepEqual(
      improved.map((item) => [item.datasetItemId, item.base!.output, item.new!.output]),
      [
        ['capital-australia', 'Sydney', 'Canberra'],
        ['capital-brazil', 'Rio', 'Brasília'],
      ],
    );
    assert.deepEqual(comparison.summary, { improved: 2, regressed: 0, unchanged: 8 });
    assert.deepEqual(comparison.items[0]!.input, { country: 'France' });
  });

  it('seeding again changes nothing (deterministic ids)', async () => {
    await seedDemoDatasets({ baseUrl: server.url, ...TEST_KEYS, now: Date.parse('2026-11-24T10:00:00Z') });
    const [dataset] = await datasets.listDatasets();
    assert.equal(dataset!.itemCount, 10);
    const baseline = await datasets.loadRun(DEMO_DATASET, 'capitals-baseline');
    assert.equal(baseline.run.itemCount, 10, 'a repeated link counts once per item');
  });

  it('a huge output is kept as its start, marked as cut (memory bounded by bytes)', async () => {
    const huge = 'x'.repeat(200_000);
    await server.post('/api/public/ingestion', {
      batch: [{ id: 'huge-t', type: 'trace-create', timestamp: new Date().toISOString(), body: { id: 'huge-trace', output: { text: huge } } }],
    });
    await server.post('/api/public/dataset-run-items', { runName: 'huge-run', datasetItemId: 'capital-france', traceId: 'huge-trace' });
    const run = await datasets.loadRun(DEMO_DATASET, 'huge-run');
    const output = run.items[0]!.output as string;
    assert.equal(typeof output, 'string');
    assert.equal(output.length < 40_000, true);
    assert.match(output, /^\{"text":"xxx.*… \[cut: 200011 characters of JSON\]$/);
    assert.deepEqual(boundedValue({ a: 1 }, 100), { a: 1 });
    assert.equal(boundedValue('abcdef', 3), 'abc… [cut: 6 characters]');
  });

  it('unknown dataset or run: ExperimentNotFoundError naming it', async () => {
    await assert.rejects(datasets.listRuns('nope'), (error: unknown) => error instanceof ExperimentNotFoundError && error.what === 'dataset');
    await assert.rejects(
      datasets.loadComparison(DEMO_DATASET, 'capitals-baseline', 'nope'),
      (error: unknown) => error instanceof ExperimentNotFoundError && error.what === 'run' && error.target === 'nope',
    );
  });
});

/** An OTLP span the v5 runner would send for one experiment item (its root span). */
function experimentSpan(server: TestServer, datasetId: string, index: number) {
  const traceId = index.toString(16).padStart(32, '0');
  const spanId = index.toString(16).padStart(16, '0');
  const now = BigInt(Date.now()) * 1_000_000n;
  const attribute = (key: string, value: string) => ({ key, value: { stringValue: value } });
  return fetch(`${server.url}/api/public/otel/v1/traces`, {
    method: 'POST',
    headers: { authorization: server.auth, 'content-type': 'application/json' },
    body: JSON.stringify({
      resourceSpans: [
        {
          resource: { attributes: [] },
          scopeSpans: [
            {
              scope: { name: 'langfuse-sdk', version: '5.0.0' },
              spans: [
                {
                  traceId,
                  spanId,
                  name: 'experiment-item-run',
                  kind: 1,
                  startTimeUnixNano: String(now),
                  endTimeUnixNano: String(now + 1_000_000n),
                  attributes: [
                    attribute('langfuse.experiment.id', 'exp-1'),
                    attribute('langfuse.experiment.name', 'r'),
                    attribute('langfuse.experiment.dataset.id', datasetId),
                    attribute('langfuse.experiment.item.id', 'a'),
                    attribute('langfuse.experiment.item.root_observation_id', spanId),
                  ],
                  status: { code: 0 },
                },
              ],
            },
          ],
        },
      ],
    }),
  });
}

for (const mode of ['stream', 'polling', 'events_only'] as const) {
  describe(`watch: a running run fills in (${mode})`, () => {
    let server: TestServer;
    let client: LangfuseClient;
    let datasetId: string;
    before(async () => {
      server = await startTestServer(mode === 'events_only' ? { readApi: 'v2' } : { streamEnabled: mode === 'stream' });
      client = new LangfuseClient({ host: server.url, ...TEST_KEYS });
      datasetId = (await server.post('/api/public/v2/datasets', { name: 'live' })).body.id;
      await server.post('/api/public/v2/datasets', { name: 'other' });
      await server.post('/api/public/dataset-items', { datasetName: 'live', id: 'a', input: 1 });
      await server.post('/api/public/dataset-items', { datasetName: 'other', id: 'b', input: 1 });
      if (mode === 'events_only') assert.equal((await experimentSpan(server, datasetId, 1)).status, 200);
      else await server.post('/api/public/dataset-run-items', { runName: 'r', datasetItemId: 'a', traceId: 't0' });
    });
    after(async () => {
      await client.close();
      await server.close();
    });

    it('calls back when a run item arrives', async () => {
      const datasets = new DatasetClient(client);
      let calls = 0;
      const changed = new Promise<void>((resolve) => {
        const stop = datasets.watch('live', () => {
          calls += 1;
          stop();
          resolve();
        });
      });
      // The watcher takes its baseline (the stream's hello, or a first poll) in its own time: keep
      // adding items (another dataset's first, which must not count) until it reports one.
      let done = false;
      void changed.then(() => (done = true));
      for (let i = 2; !done; i++) {
        if (mode === 'events_only') {
          await experimentSpan(server, datasetId, i);
        } else {
          await server.post('/api/public/dataset-run-items', { runName: 'r', datasetItemId: 'b', traceId: `o${i}` });
          await server.post('/api/public/dataset-run-items', { runName: 'r', datasetItemId: 'a', traceId: `t${i}` });
        }
        await Promise.race([changed, new Promise((resolve) => setTimeout(resolve, 400))]);
      }
      assert.equal(calls, 1);
    });
  });
}
