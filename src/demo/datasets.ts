// The demo's experiments: a `capital-cities` dataset (10 items) and two runs of it through the
// mock model, `capitals-baseline` (wrong on two items) and `capitals-v2` (right on all), with
// `exact_match` and `char_length` item scores and a `mean_accuracy` run score. Sent through the
// public API as an SDK does it (dataset, items, a trace per item, the run-item link, scores), and
// deterministic: the same ids, outputs and scores every time.

import { Agent, request } from 'undici';
import { mockLlm } from './mock-llm.js';

export const DEMO_DATASET = 'capital-cities';
const COUNTRIES = ['France', 'Germany', 'Italy', 'Spain', 'Japan', 'Canada', 'Australia', 'Brazil', 'Egypt', 'Norway'];
/** The baseline prompt's mistakes (shorter than the right answers, so v2 improves every score). */
const BASELINE_MISTAKES: Record<string, string> = { Australia: 'Sydney', Brazil: 'Rio' };

export interface DemoDatasetOptions {
  baseUrl: string;
  publicKey: string;
  secretKey: string;
  /** The clock the runs are dated by (tests pin it). */
  now?: number;
}

interface Run {
  name: string;
  description: string;
  model: string;
  /** How long before `now` the run happened. */
  agoMs: number;
  answer(country: string): string;
}

const capitalOf = (country: string): string => /is (.+)\.$/.exec(mockLlm(`What is the capital of ${country}?`).text)?.[1] ?? '';

const RUNS: Run[] = [
  {
    name: 'capitals-baseline',
    description: 'prompt v1: "Capital of {country}?"',
    model: 'mock-llm-v1',
    agoMs: 60 * 60_000,
    answer: (country) => BASELINE_MISTAKES[country] ?? capitalOf(country),
  },
  {
    name: 'capitals-v2',
    description: 'prompt v2: "Answer with the official capital city of {country}."',
    model: 'mock-llm-v1',
    agoMs: 15 * 60_000,
    answer: capitalOf,
  },
];

export async function seedDemoDatasets(options: DemoDatasetOptions): Promise<void> {
  const agent = new Agent({ connections: 2 });
  const authorization = `Basic ${Buffer.from(`${options.publicKey}:${options.secretKey}`).toString('base64')}`;
  const call = async (method: 'GET' | 'POST', path: string, body?: unknown): Promise<any> => {
    const response = await request(`${options.baseUrl}${path}`, {
      method,
      dispatcher: agent,
      headers: { authorization, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.body.text();
    if (response.statusCode >= 300 && response.statusCode !== 207) throw new Error(`${method} ${path} answered ${response.statusCode}`);
    return text ? JSON.parse(text) : null;
  };
  const now = options.now ?? Date.now();
  try {
    await call('POST', '/api/public/v2/datasets', { name: DEMO_DATASET, description: 'Capital cities of ten countries (France → Paris)', metadata: { source: 'tracetop demo' } });
    for (const [index, country] of COUNTRIES.entries()) {
      await call('POST', '/api/public/dataset-items', {
        datasetName: DEMO_DATASET,
        id: `capital-${country.toLowerCase()}`,
        input: { country },
        expectedOutput: capitalOf(country),
        metadata: { index },
      });
    }
    for (const run of RUNS) {
      let runId = '';
      let right = 0;
      for (const [index, country] of COUNTRIES.entries()) {
        const prompt = `What is the capital of ${country}?`;
        const completion = mockLlm(prompt);
        const output = run.answer(country);
        const start = now - run.agoMs + index * 2_000;
        const at = (ms: number) => new Date(start + ms).toISOString();
        const traceId = `demo-${run.name}-${country.toLowerCase()}`;
        const generationId = `${traceId}-llm`;
        const expected = capitalOf(country);
        const exact = output === expected ? 1 : 0;
        right += exact;
        await call('POST', '/api/public/ingestion', {
          batch: [
            { id: `${traceId}-t`, type: 'trace-create', timestamp: at(0), body: { id: traceId, timestamp: at(0), name: 'capital-experiment', input: { country }, output, tags: ['experiment'], metadata: { run: run.name } } },
            {
              id: `${traceId}-g`,
              type: 'generation-create',
              timestamp: at(0),
              body: {
                id: generationId,
                traceId,
                name: 'answer',
                startTime: at(0),
                completionStartTime: at(completion.ttftMs),
                endTime: at(completion.latencyMs),
                model: run.model,
                input: [{ role: 'user', content: prompt }],
                output,
                usageDetails: completion.usage,
                costDetails: { input: completion.usage.input * 1.5e-7, output: completion.usage.output * 6e-7 },
              },
            },
            { id: `${traceId}-s1`, type: 'score-create', timestamp: at(completion.latencyMs), body: { id: `${traceId}-exact`, traceId, name: 'exact_match', value: exact } },
            { id: `${traceId}-s2`, type: 'score-create', timestamp: at(completion.latencyMs), body: { id: `${traceId}-length`, traceId, name: 'char_length', value: output.length } },
          ],
        });
        const linked = await call('POST', '/api/public/dataset-run-items', {
          runName: run.name,
          runDescription: run.description,
          metadata: { model: run.model },
          datasetItemId: `capital-${country.toLowerCase()}`,
          traceId,
          observationId: generationId,
          createdAt: at(completion.latencyMs),
        });
        runId = linked.datasetRunId;
      }
      await call('POST', '/api/public/ingestion', {
        batch: [
          {
            id: `demo-${run.name}-mean`,
            type: 'score-create',
            timestamp: new Date(now - run.agoMs + COUNTRIES.length * 2_000).toISOString(),
            body: { id: `demo-${run.name}-mean_accuracy`, datasetRunId: runId, name: 'mean_accuracy', value: right / COUNTRIES.length },
          },
        ],
      });
    }
  } finally {
    await agent.close();
  }
}
