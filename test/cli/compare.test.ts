// `tracetop datasets`, `runs` and `compare` through the real binary against a real server:
// the JSON shapes field by field, the text a person reads, gates passing and failing (exit 0 / 1),
// bad gates and arguments (exit 2), unknown names, and hostile content made inert.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.js';
import { backendEnv, startTestServer, tempDir, type TestServer } from '../helpers/server.js';

const COUNTRIES: [string, string, string][] = [
  // country, right answer, the baseline's answer
  ['France', 'Paris', 'Paris'],
  ['Australia', 'Canberra', 'Sydney'],
  ['Japan', 'Tokyo', 'Tokyo'],
];

async function seed(server: TestServer) {
  await server.post('/api/public/v2/datasets', { name: 'capital-cities', description: 'capitals' });
  for (const [country, capital] of COUNTRIES) {
    await server.post('/api/public/dataset-items', { datasetName: 'capital-cities', id: `item-${country}`, input: { country }, expectedOutput: capital });
    await new Promise((resolve) => setTimeout(resolve, 3));
  }
  const now = Date.now();
  for (const [runName, pick, accuracy] of [
    ['capitals-baseline', (row: [string, string, string]) => row[2], 2 / 3],
    ['capitals-v2', (row: [string, string, string]) => row[1], 1],
  ] as const) {
    let runId = '';
    for (const row of COUNTRIES) {
      const traceId = `${runName}-${row[0]}`;
      const output = row[0] === 'Japan' && runName === 'capitals-v2' ? 'Tokyo\u001b]0;pwned\u0007' : pick(row);
      const at = new Date(now).toISOString();
      const ingested = await server.post('/api/public/ingestion', {
        batch: [
          { id: `${traceId}-t`, type: 'trace-create', timestamp: at, body: { id: traceId, name: 'capital', input: { country: row[0] }, output } },
          {
            id: `${traceId}-g`,
            type: 'generation-create',
            timestamp: at,
            body: { id: `${traceId}-gen`, traceId, name: 'llm', startTime: at, endTime: new Date(now + 200).toISOString(), costDetails: { total: 0.001 } },
          },
        ],
      });
      assert.equal(ingested.status, 207);
      const linked = await server.post('/api/public/dataset-run-items', { runName, datasetItemId: `item-${row[0]}`, traceId });
      runId = linked.body.datasetRunId;
      await server.post('/api/public/scores', { traceId, name: 'exact_match', value: pick(row) === row[1] ? 1 : 0 });
    }
    await server.post('/api/public/scores', { datasetRunId: runId, name: 'mean_accuracy', value: accuracy });
  }
}

describe('tracetop datasets / runs / compare', () => {
  let server: TestServer;
  let home: ReturnType<typeof tempDir>;
  let env: Record<string, string>;
  before(async () => {
    server = await startTestServer();
    home = tempDir();
    env = backendEnv(home.path, server.url);
    await seed(server);
  });
  after(async () => {
    await server.close();
    home.remove();
  });

  it('datasets --json and the table', async () => {
    const json = await runCli(['datasets', '--json'], env);
    assert.equal(json.code, 0, json.stderr);
    const [dataset] = JSON.parse(json.stdout);
    assert.equal(dataset.name, 'capital-cities');
    assert.equal(dataset.itemCount, 3);
    assert.equal(dataset.runCount, 2);
    assert.equal(dataset.lastRun.name, 'capitals-v2');
    const text = await runCli(['datasets'], { ...env, COLUMNS: '100' });
    assert.match(text.stdout, /DATASET\s+ITEMS\s+RUNS\s+LAST RUN/);
    assert.match(text.stdout, /capital-cities\s+3\s+2\s+capitals-v2/);
  });

  it('runs DATASET --json: aggregates per run, newest first', async () => {
    const result = await runCli(['runs', 'capital-cities', '--json'], env);
    assert.equal(result.code, 0, result.stderr);
    const runs = JSON.parse(result.stdout);
    assert.deepEqual(
      runs.map((run: any) => run.name),
      ['capitals-v2', 'capitals-baseline'],
    );
    const base = runs[1];
    assert.equal(base.itemCount, 3);
    assert.deepEqual(base.itemMeans, { exact_match: 2 / 3 });
    assert.deepEqual(base.runScores, { mean_accuracy: 2 / 3 });
    assert.equal(base.errorCount, 0);
    assert.ok(Math.abs(base.meanLatency - 0.2) < 1e-9);
    assert.ok(Math.abs(base.totalCost - 0.003) < 1e-9);
    const text = await runCli(['runs', 'capital-cities'], { ...env, COLUMNS: '160' });
    assert.match(text.stdout, /capitals-baseline .*exact_match 0\.667/);
  });

  it('compare --json: the object, field by field', async () => {
    const result = await runCli(['compare', 'capital-cities', 'capitals-baseline', 'capitals-v2', '--json'], env);
    assert.equal(result.code, 0, result.stderr);
    const json = JSON.parse(result.stdout);
    assert.deepEqual(Object.keys(json), ['dataset', 'base', 'new', 'items', 'summary']);
    assert.equal(json.dataset, 'capital-cities');
    assert.deepEqual(Object.keys(json.base), ['name', 'id', 'items', 'itemMeans', 'runScores']);
    assert.equal(json.base.name, 'capitals-baseline');
    assert.match(json.base.id, /^[0-9a-f]{16}$/);
    assert.equal(json.base.items, 3);
    assert.deepEqual(json.base.itemMeans, { exact_match: 2 / 3 });
    assert.deepEqual(json.base.runScores, { mean_accuracy: 2 / 3 });
    assert.deepEqual(json.new.itemMeans, { exact_match: 1 });
    assert.deepEqual(json.new.runScores, { mean_accuracy: 1 });
    assert.deepEqual(
      json.items.map((item: any) => item.datasetItemId),
      ['item-France', 'item-Australia', 'item-Japan'],
    );
    assert.deepEqual(json.items[1], {
      datasetItemId: 'item-Australia',
      input: { country: 'Australia' },
      expectedOutput: 'Canberra',
      base: { traceId: 'capitals-baseline-Australia', output: 'Sydney', scores: { exact_match: 0 } },
      new: { traceId: 'capitals-v2-Australia', output: 'Canberra', scores: { exact_match: 1 } },
      delta: { exact_match: 1 },
    });
    // The hostile output is in the JSON, escaped (valid JSON, no live escape sequence).
    assert.equal(json.items[2].new.output, 'Tokyo\u001b]0;pwned\u0007');
    assert.equal(result.stdout.includes('\u001b'), false);
    assert.deepEqual(json.summary, { improved: 1, regressed: 0, unchanged: 2 });
  });

  it('compare (text): aggregates with deltas, rows marked without colour, hostile text inert', async () => {
    const result = await runCli(['compare', 'capital-cities', 'capitals-baseline', 'capitals-v2'], { ...env, COLUMNS: '140' });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /capital-cities: capitals-baseline \(base\) vs capitals-v2 \(new\)/);
    assert.match(result.stdout, /exact_match \(item mean\)\s+0\.667\s+1\s+\+0\.333/);
    assert.match(result.stdout, /mean_accuracy \(run\)\s+0\.667\s+1\s+\+0\.333/);
    assert.match(result.stdout, /^\+ item-Au\S* +\{"country":"Australia"\} +Canberra +Sydney +Canberra +0>1 \+1$/m);
    assert.match(result.stdout, /1 improved \(\+\), 0 regressed \(-\), 2 unchanged/);
    assert.equal(result.stdout.includes('\u001b'), false);
    assert.equal(result.stdout.includes('\u0007'), false);
  });

  it('gates: all pass → 0, each printed with its figures', async () => {
    const result = await runCli(
      ['compare', 'capital-cities', 'capitals-baseline', 'capitals-v2', '--gate', 'mean_accuracy>=+0.05', '--gate', 'exact_match>=0.9'],
      env,
    );
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /PASS mean_accuracy>=\+0\.05  run score: base 0\.667, new 1, delta \+0\.333 \(needs delta >= \+0\.05\)/);
    assert.match(result.stdout, /PASS exact_match>=0\.9  item mean: base 0\.667, new 1, delta \+0\.333 \(needs new >= 0\.9\)/);
  });

  it('gates: one fails → 1; with --json the gates go to stderr and stdout stays the object', async () => {
    const result = await runCli(
      ['compare', 'capital-cities', 'capitals-baseline', 'capitals-v2', '--json', '--gate', 'mean_accuracy>=+0.05', '--gate', 'mean_accuracy>=+0.5', '--gate', 'recall>0'],
      env,
    );
    assert.equal(result.code, 1);
    assert.equal(JSON.parse(result.stdout).dataset, 'capital-cities');
    assert.match(result.stderr, /PASS mean_accuracy>=\+0\.05/);
    assert.match(result.stderr, /FAIL mean_accuracy>=\+0\.5  run score: base 0\.667, new 1, delta \+0\.333 \(needs delta >= \+0\.5\)/);
    assert.match(result.stderr, /FAIL recall>0  no run score or item score named "recall"/);
  });

  it('a regression in the other direction fails its gate', async () => {
    const result = await runCli(['compare', 'capital-cities', 'capitals-v2', 'capitals-baseline', '--gate', 'exact_match>=-0.1'], env);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /FAIL exact_match>=-0\.1  item mean: base 1, new 0\.667, delta -0\.333/);
    assert.match(result.stdout, /^- item-Au\S* .*Canberra +Sydney +1>0 -1$/m);
  });

  it('usage mistakes exit 2 before anything is fetched; unknown names exit 1 saying which', async () => {
    const badGate = await runCli(['compare', 'capital-cities', 'a', 'b', '--gate', 'mean_accuracy=1'], env);
    assert.equal(badGate.code, 2);
    assert.match(badGate.stderr, /bad gate "mean_accuracy=1": the operator must be one of <, <=, >, >=/);
    const missingArg = await runCli(['compare', 'capital-cities', 'a'], env);
    assert.equal(missingArg.code, 2);
    const noRun = await runCli(['compare', 'capital-cities', 'capitals-baseline', 'nope'], env);
    assert.equal(noRun.code, 1);
    assert.match(noRun.stderr, /no run named "nope"/);
    const noDataset = await runCli(['runs', 'nope\u001b[31m'], env);
    assert.equal(noDataset.code, 1);
    assert.match(noDataset.stderr, /no dataset named/);
    assert.equal(noDataset.stderr.includes('\u001b'), false);
  });
});
