// Seeds a running tracetop server through the official SDKs and the HTTP API for the slice
// screens' end-to-end tests: a `capital-cities` dataset with two experiment runs (the v5
// runner: `capitals-baseline` wrong on two items, `capitals-v2` right on those and wrong on one
// the baseline had right), two versions of the prompt `support-agent`, and traces whose
// generations link to those versions on two models, one of them failing.

import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { LangfuseSpanProcessor } from '@langfuse/otel';
import { LangfuseClient as LangfuseV5 } from '@langfuse/client';
import { setLangfuseTracerProvider } from '@langfuse/tracing';

export interface SeedTarget {
  url: string;
  publicKey: string;
  secretKey: string;
}

export const CAPITALS: [string, string][] = [
  ['France', 'Paris'],
  ['Germany', 'Berlin'],
  ['Australia', 'Canberra'],
  ['Canada', 'Ottawa'],
  ['Japan', 'Tokyo'],
  ['Brazil', 'Brasilia'],
];
const BASELINE_WRONG: Record<string, string> = { Australia: 'Sydney', Canada: 'Toronto' };
const V2_WRONG: Record<string, string> = { Japan: 'Kyoto' };

async function call(target: SeedTarget, method: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`${target.url}${path}`, {
    method,
    headers: { authorization: `Basic ${Buffer.from(`${target.publicKey}:${target.secretKey}`).toString('base64')}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

export async function seedDataset(target: SeedTarget): Promise<void> {
  await call(target, 'POST', '/api/public/v2/datasets', { name: 'capital-cities', description: 'country -> capital' });
  for (const [country, capital] of CAPITALS) {
    await call(target, 'POST', '/api/public/dataset-items', { datasetName: 'capital-cities', id: `item-${country.toLowerCase()}`, input: { country }, expectedOutput: capital });
    await new Promise((resolve) => setTimeout(resolve, 3));
  }
}

export async function runExperiment(target: SeedTarget, runName: string, wrong: Record<string, string>): Promise<void> {
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  const provider = new BasicTracerProvider({ spanProcessors: [new LangfuseSpanProcessor({ ...target, baseUrl: target.url, exportMode: 'immediate' })] });
  setLangfuseTracerProvider(provider);
  const langfuse = new LangfuseV5({ publicKey: target.publicKey, secretKey: target.secretKey, baseUrl: target.url });
  try {
    const dataset = await langfuse.dataset.get('capital-cities');
    await dataset.runExperiment({
      name: 'capitals',
      runName,
      maxConcurrency: 2,
      task: async ({ input }) => {
        const country = (input as { country: string }).country;
        return wrong[country] ?? CAPITALS.find(([c]) => c === country)![1];
      },
      evaluators: [async ({ output, expectedOutput }) => ({ name: 'exact_match', value: output === expectedOutput ? 1 : 0 })],
      runEvaluators: [async ({ itemResults }) => ({ name: 'mean_accuracy', value: itemResults.filter((item) => item.output === item.item.expectedOutput).length / itemResults.length })],
    });
    await provider.forceFlush();
    await langfuse.flush();
  } finally {
    await provider.shutdown();
    await langfuse.shutdown();
    setLangfuseTracerProvider(null);
    context.disable();
  }
}

export async function seedExperiments(target: SeedTarget): Promise<void> {
  await seedDataset(target);
  await runExperiment(target, 'capitals-baseline', BASELINE_WRONG);
  // Run creation times must differ: newest first is the order of the runs screen.
  await new Promise((resolve) => setTimeout(resolve, 20));
  await runExperiment(target, 'capitals-v2', V2_WRONG);
}

export async function seedPrompts(target: SeedTarget): Promise<void> {
  const langfuse = new LangfuseV5({ publicKey: target.publicKey, secretKey: target.secretKey, baseUrl: target.url });
  try {
    await langfuse.prompt.create({ name: 'support-agent', prompt: 'Answer {{question}} for {{company}}.\nBe brief.', labels: ['production'], commitMessage: 'terse first draft' });
    await langfuse.prompt.create({
      name: 'support-agent',
      prompt: 'Answer {{question}} politely for {{company}}.\nBe brief.\nCite the documents.',
      labels: ['production'],
      commitMessage: 'polite and grounded',
    });
  } finally {
    await langfuse.shutdown();
  }
}

/** `count` traces named `name`, each with one generation on `model` linked to `support-agent@version`; `errors` of them fail. */
export async function seedTraffic(target: SeedTarget, options: { name: string; model: string; version: number; count: number; errors: number; prefix: string }): Promise<void> {
  const batch: unknown[] = [];
  const now = Date.now();
  for (let i = 0; i < options.count; i++) {
    const id = `${options.prefix}-${i}`;
    const at = new Date(now - (options.count - i) * 1000);
    const iso = (offset: number) => new Date(at.getTime() + offset).toISOString();
    const error = i < options.errors;
    batch.push(
      { id: `ev-${id}`, type: 'trace-create', timestamp: iso(0), body: { id, name: options.name, userId: 'u_1', timestamp: iso(0), input: { question: `q-${id}` }, output: { answer: `a-${id}` } } },
      {
        id: `ev-${id}-g`,
        type: 'generation-create',
        timestamp: iso(0),
        body: { id: `${id}-g`, traceId: id, name: 'answer', startTime: iso(0), endTime: iso(200 + i * 10), model: options.model, promptName: 'support-agent', promptVersion: options.version, usageDetails: { input: 50, output: 10 }, level: error ? 'ERROR' : undefined, statusMessage: error ? 'upstream timeout' : undefined },
      },
    );
  }
  await call(target, 'POST', '/api/public/ingestion', { batch });
}

export async function seedAll(target: SeedTarget): Promise<void> {
  await seedExperiments(target);
  await seedPrompts(target);
  await seedTraffic(target, { name: 'support_chat', model: 'gpt-4o-mini', version: 1, count: 6, errors: 0, prefix: 'chat' });
  await seedTraffic(target, { name: 'checkout_help', model: 'claude-haiku', version: 2, count: 4, errors: 2, prefix: 'checkout' });
}

// Run directly: seeds the server at TRACETOP_SEED_URL with LANGFUSE_PUBLIC_KEY / LANGFUSE_SECRET_KEY.
if (process.argv[1]?.endsWith('screens-seed.ts')) {
  await seedAll({ url: process.env.TRACETOP_SEED_URL!, publicKey: process.env.LANGFUSE_PUBLIC_KEY!, secretKey: process.env.LANGFUSE_SECRET_KEY! });
  console.log('seeded');
}
