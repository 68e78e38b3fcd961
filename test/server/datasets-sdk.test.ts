// The official experiment runners against `tracetop serve`, read back through tracetop's own
// client in both read generations: the v5 runner (@langfuse/client's dataset.runExperiment,
// task spans through @langfuse/otel) on a v3-playing server (dataset-run reads) and on a
// v4 events_only one (experiments reads); the v3 SDK's getDataset + item.link. `tracetop compare
// --json` (the real binary: build dist first) prints the same object, and its gates pass and fail.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { LangfuseSpanProcessor } from '@langfuse/otel';
import { LangfuseClient as LangfuseV5 } from '@langfuse/client';
import { setLangfuseTracerProvider } from '@langfuse/tracing';
import { Langfuse as LangfuseV3 } from 'langfuse';
import { LangfuseClient } from '../../src/api/client.js';
import { DatasetClient } from '../../src/api/datasets.js';
import { comparisonJson } from '../../src/domain/experiments.js';
import type { ReadApi } from '../../src/server/routes/context.js';
import { backendEnv, startTestServer, tempDir, TEST_KEYS, type TestServer } from '../helpers/server.js';
import { runCli } from '../helpers/cli.js';
import { assertMatchesSchema } from '../helpers/openapi.js';

const CAPITALS: [string, string][] = [
  ['France', 'Paris'],
  ['Germany', 'Berlin'],
  ['Australia', 'Canberra'],
  ['Canada', 'Ottawa'],
];
/** The baseline model's mistakes. */
const WRONG: Record<string, string> = { Australia: 'Sydney', Canada: 'Toronto' };

async function seedDataset(server: TestServer, name: string): Promise<string[]> {
  assert.equal((await server.post('/api/public/v2/datasets', { name, description: 'capitals' })).status, 200);
  const ids: string[] = [];
  for (const [country, capital] of CAPITALS) {
    const created = await server.post('/api/public/dataset-items', {
      datasetName: name,
      id: `item-${country.toLowerCase()}`,
      input: { country },
      expectedOutput: capital,
    });
    assert.equal(created.status, 200);
    ids.push(created.body.id);
    // Distinct creation times: the dataset's order is its items' creation order.
    await new Promise((resolve) => setTimeout(resolve, 3));
  }
  return ids;
}

async function runV5(server: TestServer, dataset: string, runName: string, answer: (country: string) => string) {
  const provider = new BasicTracerProvider({
    spanProcessors: [new LangfuseSpanProcessor({ ...TEST_KEYS, baseUrl: server.url, exportMode: 'immediate' })],
  });
  setLangfuseTracerProvider(provider);
  const langfuse = new LangfuseV5({ ...TEST_KEYS, baseUrl: server.url });
  try {
    const remote = await langfuse.dataset.get(dataset);
    const result = await remote.runExperiment({
      name: 'capitals',
      runName,
      description: `run ${runName}`,
      maxConcurrency: 2,
      task: async ({ input }) => answer((input as { country: string }).country),
      evaluators: [
        async ({ output, expectedOutput }) => ({ name: 'exact_match', value: output === expectedOutput ? 1 : 0 }),
        async ({ output }) => ({ name: 'char_length', value: String(output).length }),
      ],
      runEvaluators: [
        async ({ itemResults }) => ({
          name: 'mean_accuracy',
          value: itemResults.filter((item) => item.output === item.item.expectedOutput).length / itemResults.length,
        }),
      ],
    });
    await provider.forceFlush();
    await langfuse.flush();
    return result;
  } finally {
    await provider.shutdown();
    await langfuse.shutdown();
    setLangfuseTracerProvider(null);
  }
}

const baseline = (country: string) => WRONG[country] ?? CAPITALS.find(([c]) => c === country)![1];
const improved = (country: string) => CAPITALS.find(([c]) => c === country)![1];

function expectComparison(json: ReturnType<typeof comparisonJson>, ids: string[]) {
  assert.equal(json.dataset, 'capital-cities');
  assert.equal(json.base.name, 'capitals-baseline');
  assert.equal(json.new.name, 'capitals-v2');
  assert.equal(json.base.items, 4);
  assert.equal(json.new.items, 4);
  assert.deepEqual(json.base.itemMeans, { char_length: (5 + 6 + 6 + 7) / 4, exact_match: 0.5 });
  assert.deepEqual(json.new.itemMeans, { char_length: (5 + 6 + 8 + 6) / 4, exact_match: 1 });
  assert.deepEqual(json.base.runScores, { mean_accuracy: 0.5 });
  assert.deepEqual(json.new.runScores, { mean_accuracy: 1 });
  // Dataset order: the items as they were created.
  assert.deepEqual(
    json.items.map((item) => item.datasetItemId),
    ids,
  );
  const australia = json.items.find((item) => item.datasetItemId === 'item-australia')!;
  assert.deepEqual(australia.input, { country: 'Australia' });
  assert.equal(australia.expectedOutput, 'Canberra');
  assert.equal(australia.base!.output, 'Sydney');
  assert.equal(australia.new!.output, 'Canberra');
  assert.ok(australia.base!.traceId.length > 0 && australia.base!.traceId !== australia.new!.traceId);
  assert.deepEqual(australia.base!.scores, { char_length: 6, exact_match: 0 });
  assert.deepEqual(australia.new!.scores, { char_length: 8, exact_match: 1 });
  assert.deepEqual(australia.delta, { char_length: 2, exact_match: 1 });
  const canada = json.items.find((item) => item.datasetItemId === 'item-canada')!;
  // Toronto → Ottawa: right now, but shorter: char_length got "worse", so not improved.
  assert.deepEqual(canada.delta, { char_length: -1, exact_match: 1 });
  const france = json.items.find((item) => item.datasetItemId === 'item-france')!;
  assert.deepEqual(france.delta, { char_length: 0, exact_match: 0 });
  assert.deepEqual(json.summary, { improved: 1, regressed: 1, unchanged: 2 });
}

for (const readApi of ['both', 'v2'] as ReadApi[]) {
  describe(`the v5 experiment runner against --read-api ${readApi}`, () => {
    let server: TestServer;
    let client: LangfuseClient;
    let datasets: DatasetClient;
    let ids: string[];
    const contextManager = new AsyncLocalStorageContextManager().enable();

    before(async () => {
      context.setGlobalContextManager(contextManager);
      server = await startTestServer({ readApi });
      client = new LangfuseClient({ host: server.url, ...TEST_KEYS });
      datasets = new DatasetClient(client);
      ids = await seedDataset(server, 'capital-cities');
    });
    after(async () => {
      context.disable();
      await client.close();
      await server.close();
    });

    it('runs both experiments; the runner gets a run id and a run URL', async () => {
      const first = await runV5(server, 'capital-cities', 'capitals-baseline', baseline);
      assert.equal(first.itemResults.length, 4);
      assert.ok(first.datasetRunId, 'a dataset run id came back');
      assert.ok(first.datasetRunUrl?.includes(`/datasets/`), first.datasetRunUrl);
      const second = await runV5(server, 'capital-cities', 'capitals-v2', improved);
      assert.ok(second.datasetRunId);
      assert.notEqual(second.datasetRunId, first.datasetRunId);
    });

    it('reads datasets and runs back through the client', async () => {
      const list = await datasets.listDatasets();
      assert.equal(list.length, 1);
      assert.equal(list[0]!.name, 'capital-cities');
      assert.equal(list[0]!.itemCount, 4);
      assert.equal(list[0]!.runCount, 2);
      assert.equal(list[0]!.lastRun?.name, 'capitals-v2');
      const runs = await datasets.listRuns('capital-cities');
      assert.deepEqual(
        runs.map((run) => run.name),
        ['capitals-v2', 'capitals-baseline'],
      );
      const [v2, base] = runs as [(typeof runs)[0], (typeof runs)[0]];
      assert.equal(base.itemCount, 4);
      assert.deepEqual(base.itemMeans, { char_length: 6, exact_match: 0.5 });
      assert.deepEqual(base.runScores, { mean_accuracy: 0.5 });
      assert.equal(base.errorCount, 0);
      assert.ok(base.meanLatency !== null && base.meanLatency >= 0);
      assert.deepEqual(v2.runScores, { mean_accuracy: 1 });
    });

    it('compares the two runs item by item; the binary prints the same object and gates on it', async () => {
      const comparison = await datasets.loadComparison('capital-cities', 'capitals-baseline', 'capitals-v2');
      expectComparison(comparisonJson(comparison), ids);
      const home = tempDir();
      try {
        const env = backendEnv(home.path, server.url);
        const cli = await runCli(['compare', 'capital-cities', 'capitals-baseline', 'capitals-v2', '--json', '--gate', 'mean_accuracy>=+0.5'], env);
        assert.equal(cli.code, 0, cli.stderr);
        assert.deepEqual(JSON.parse(cli.stdout), comparisonJson(comparison));
        assert.match(cli.stderr, /PASS mean_accuracy>=\+0\.5  run score: base 0\.500, new 1, delta \+0\.500/);
        const failing = await runCli(['compare', 'capital-cities', 'capitals-baseline', 'capitals-v2', '--gate', 'char_length>=+1'], env);
        assert.equal(failing.code, 1);
        assert.match(failing.stdout, /FAIL char_length>=\+1  item mean: base 6, new 6\.250, delta \+0\.250/);
      } finally {
        home.remove();
      }
    });

    it('a task that throws: the item is linked, its run counts the error', async () => {
      await runV5(server, 'capital-cities', 'capitals-broken', (country) => {
        if (country === 'Canada') throw new Error('model timed out');
        return improved(country);
      });
      const broken = (await datasets.listRuns('capital-cities')).find((run) => run.name === 'capitals-broken')!;
      assert.equal(broken.itemCount, 4);
      assert.equal(broken.errorCount, 1);
      const run = await datasets.loadRun('capital-cities', 'capitals-broken');
      const canada = run.items.find((item) => item.datasetItemId === 'item-canada')!;
      assert.equal(canada.error, true);
      assert.deepEqual(canada.scores, {}, 'no evaluator ran on it');
    });

    it('answers the dataset reads as the spec says', async () => {
      assertMatchesSchema('PaginatedDatasets', (await server.get('/api/public/v2/datasets')).body);
      assertMatchesSchema('Dataset', (await server.get('/api/public/v2/datasets/capital-cities')).body);
      assertMatchesSchema('PaginatedDatasetItems', (await server.get('/api/public/dataset-items?datasetName=capital-cities')).body);
      const runs = await server.get('/api/public/datasets/capital-cities/runs');
      if (readApi === 'v2') {
        assert.equal(runs.status, 404);
        assert.match(runs.body.message, /events_only/);
        const experiments = await server.get(`/api/public/experiments?fromStartTime=2000-01-01T00:00:00Z&fields=core,metadata,scores`);
        assert.equal(experiments.status, 200);
        assertMatchesSchema('ExperimentsResponse', experiments.body);
        assert.equal(experiments.body.data.length, 3);
        const items = await server.get(
          `/api/public/experiment-items?fromStartTime=2000-01-01T00:00:00Z&fields=core,dataset,io,metadata,itemMetadata,experimentMetadata,scores`,
        );
        assertMatchesSchema('ExperimentItemsResponse', items.body);
        assert.equal(items.body.data.length, 12);
      } else {
        assert.equal(runs.status, 200);
        assertMatchesSchema('PaginatedDatasetRuns', runs.body);
        const run = await server.get('/api/public/datasets/capital-cities/runs/capitals-v2');
        assertMatchesSchema('DatasetRunWithItems', run.body);
        assert.equal(run.body.datasetRunItems.length, 4);
      }
    });
  });
}

describe('the v3 SDK: getDataset + item.link', () => {
  let server: TestServer;
  let client: LangfuseClient;
  let ids: string[];

  before(async () => {
    server = await startTestServer({ readApi: 'v1' });
    client = new LangfuseClient({ host: server.url, ...TEST_KEYS });
    ids = await seedDataset(server, 'capital-cities');
  });
  after(async () => {
    await client.close();
    await server.close();
  });

  it('links traces to runs; the comparison reads them back through the dataset-run reads', async () => {
    const langfuse = new LangfuseV3({ ...TEST_KEYS, baseUrl: server.url, flushAt: 1 });
    const dataset = await langfuse.getDataset('capital-cities');
    assert.equal(dataset.items.length, 4);
    for (const [runName, answer] of [
      ['capitals-baseline', baseline],
      ['capitals-v2', improved],
    ] as const) {
      let runId = '';
      let right = 0;
      for (const item of dataset.items) {
        const country = (item.input as { country: string }).country;
        const output = answer(country);
        const trace = langfuse.trace({ name: 'capital', input: item.input, output });
        const linked = await item.link(trace, runName, { description: `run ${runName}` });
        runId = (linked as unknown as { datasetRunId: string }).datasetRunId;
        const match = output === item.expectedOutput ? 1 : 0;
        right += match;
        langfuse.score({ traceId: trace.id, name: 'exact_match', value: match });
        langfuse.score({ traceId: trace.id, name: 'char_length', value: output.length });
      }
      await langfuse.flushAsync();
      const runScore = await server.post('/api/public/scores', { datasetRunId: runId, name: 'mean_accuracy', value: right / 4 });
      assert.equal(runScore.status, 200);
    }
    await langfuse.shutdownAsync();
    const comparison = await new DatasetClient(client).loadComparison('capital-cities', 'capitals-baseline', 'capitals-v2');
    expectComparison(comparisonJson(comparison), ids);
  });
});
