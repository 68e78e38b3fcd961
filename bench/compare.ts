// Comparing two runs of 10,000 items: the time the client takes to load the comparison over
// real HTTP on loopback (both read generations: the v3 dataset-run reads and the v4
// experiments reads), and the time to format the first screen's worth (40 rows) of it.
//   npm run bench:compare            (BENCH_ITEMS=… to change the size)

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LangfuseClient } from '../src/api/client.js';
import { DatasetClient } from '../src/api/datasets.js';
import { formatComparison } from '../src/cli/format-experiments.js';
import { sortByDelta } from '../src/domain/experiments.js';
import { inTransaction } from '../src/server/db.js';
import { DatasetStore, stableRunId } from '../src/server/datasets/repository.js';
import { recordExperimentSpans } from '../src/server/datasets/experiments.js';
import { startServer, type RunningServer } from '../src/server/index.js';
import { applyIngestionBatch } from '../src/server/ingest/apply.js';
import { Repository } from '../src/server/repository.js';
import { PROJECT_ID } from '../src/server/views.js';
import type { ReadApi } from '../src/server/routes/context.js';
import { machine } from './common.js';

const keys = { publicKey: 'pk-lf-bench', secretKey: 'sk-lf-bench' };
const items = Number(process.env.BENCH_ITEMS ?? 10_000);
const RUNS = ['bench-base', 'bench-new'] as const;

/** The dataset, two runs' traces, spans, item scores, run items, experiment spans and run scores. */
function seed(server: RunningServer): void {
  const repo = new Repository(server.db);
  const store = DatasetStore.of(server.db);
  const start = Date.now() - 3_600_000;
  const iso = (ms: number) => new Date(ms).toISOString();
  const dataset = { id: 'bench-dataset', projectId: PROJECT_ID, name: 'bench', description: null, metadata: null, inputSchema: null, expectedOutputSchema: null, createdAt: iso(start), updatedAt: iso(start) };
  inTransaction(server.db, () => {
    store.putDataset(dataset);
    for (let i = 0; i < items; i++) {
      const at = iso(start + i);
      store.putItem(
        { id: `item-${i}`, datasetId: dataset.id, datasetName: 'bench', status: 'ACTIVE', input: { question: `question ${i}` }, expectedOutput: `answer ${i}`, metadata: null, sourceTraceId: null, sourceObservationId: null, createdAt: at, updatedAt: at, mediaReferences: [] },
        start + i,
      );
    }
  });
  RUNS.forEach((runName, r) => {
    const runStart = start + 600_000 * (r + 1);
    const runId = stableRunId(dataset.id, runName);
    let right = 0;
    const spans: { traceId: string; spanId: string; attributes: Record<string, string> }[] = [];
    for (let i = 0; i < items; i += 500) {
      const batch: unknown[] = [];
      for (let j = i; j < Math.min(items, i + 500); j++) {
        const traceId = `${runName}-${j}`;
        const spanId = `${traceId}-root`;
        // The base run is wrong on every 7th item, the new one on every 11th.
        const correct = j % (r === 0 ? 7 : 11) !== 0;
        right += correct ? 1 : 0;
        const output = correct ? `answer ${j}` : `wrong ${j}`;
        const at = iso(runStart + j * 5);
        batch.push(
          { id: `${traceId}-t`, type: 'trace-create', timestamp: at, body: { id: traceId, name: 'experiment-item-run', timestamp: at, input: { question: `question ${j}` }, output } },
          { id: `${traceId}-s`, type: 'span-create', timestamp: at, body: { id: spanId, traceId, name: 'experiment-item-run', startTime: at, endTime: iso(runStart + j * 5 + 120), input: { question: `question ${j}` }, output } },
          { id: `${traceId}-g`, type: 'generation-create', timestamp: at, body: { id: `${traceId}-gen`, traceId, parentObservationId: spanId, name: 'llm', startTime: at, endTime: iso(runStart + j * 5 + 100), model: 'gpt-4o-mini', usageDetails: { input: 40, output: 8 } } },
          { id: `${traceId}-e`, type: 'score-create', timestamp: at, body: { id: `${traceId}-exact`, traceId, observationId: spanId, name: 'exact_match', value: correct ? 1 : 0 } },
          { id: `${traceId}-l`, type: 'score-create', timestamp: at, body: { id: `${traceId}-length`, traceId, observationId: spanId, name: 'char_length', value: output.length } },
        );
        spans.push({
          traceId,
          spanId,
          attributes: {
            'langfuse.experiment.id': runId,
            'langfuse.experiment.name': runName,
            'langfuse.experiment.dataset.id': dataset.id,
            'langfuse.experiment.item.id': `item-${j}`,
            'langfuse.experiment.item.root_observation_id': spanId,
            'langfuse.experiment.item.expected_output': JSON.stringify(`answer ${j}`),
          },
        });
      }
      applyIngestionBatch(repo, batch);
    }
    inTransaction(server.db, () => {
      const run = store.createOrFetchRun(dataset, runName, null, undefined, iso(runStart));
      for (let j = 0; j < items; j++) {
        const at = iso(runStart + j * 5);
        store.putRunItem({ id: `${runName}-ri-${j}`, datasetRunId: run.id, datasetRunName: runName, datasetItemId: `item-${j}`, traceId: `${runName}-${j}`, observationId: `${runName}-${j}-root`, createdAt: at, updatedAt: at });
      }
    });
    recordExperimentSpans(server.db, {
      resourceSpans: [
        {
          resourceAttributes: {},
          scopeSpans: [
            {
              scope: { name: 'langfuse-sdk', version: null, attributes: {} },
              spans: spans.map((span) => ({ ...span, parentSpanId: null, name: 'experiment-item-run', kind: 1, startTimeUnixNano: null, endTimeUnixNano: null, events: [], links: [], status: { code: 0, message: null } })),
            },
          ],
        },
      ],
    });
    applyIngestionBatch(repo, [{ id: `${runName}-mean`, type: 'score-create', timestamp: iso(runStart), body: { id: `${runName}-mean_accuracy`, datasetRunId: runId, name: 'mean_accuracy', value: right / items } }]);
  });
  server.db.exec('ANALYZE');
}

console.log(`machine: ${machine()}`);
const dir = mkdtempSync(join(tmpdir(), 'tracetop-bench-compare-'));
try {
  for (const readApi of ['v1', 'v2'] as ReadApi[]) {
    const server = await startServer({ dbPath: join(dir, `bench-${readApi}.db`), port: 0, readApi, ...keys });
    const seedStart = performance.now();
    seed(server);
    const seedSeconds = (performance.now() - seedStart) / 1000;
    const client = new LangfuseClient({ host: server.url, ...keys });
    const datasets = new DatasetClient(client);
    await client.backend();
    const loadStart = performance.now();
    const comparison = await datasets.loadComparison('bench', RUNS[0], RUNS[1]);
    const loadMs = performance.now() - loadStart;
    if (comparison.items.length !== items || comparison.base.items !== items || comparison.new.items !== items) {
      throw new Error(`loaded ${comparison.items.length} rows (${comparison.base.items} / ${comparison.new.items} run items), expected ${items}`);
    }
    const frames: number[] = [];
    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      // What the first screen needs: the rows sorted by a delta (worst first), 40 of them drawn.
      const sorted = sortByDelta(comparison.items, 'exact_match');
      formatComparison({ ...comparison, items: sorted }, { width: 160, maxItems: 40 });
      frames.push(performance.now() - started);
    }
    frames.sort((a, b) => a - b);
    const generation = readApi === 'v1' ? 'v3 dataset-run reads' : 'v4 experiments reads';
    console.log(`${items.toLocaleString()} items × 2 runs (${generation}): seeded in ${seedSeconds.toFixed(1)} s; loadComparison ${(loadMs / 1000).toFixed(2)} s; sort + format the first screen (40 rows) median ${frames[10]!.toFixed(1)} ms, max ${frames[19]!.toFixed(1)} ms; summary ${JSON.stringify(comparison.summary)}`);
    await client.close();
    await server.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
