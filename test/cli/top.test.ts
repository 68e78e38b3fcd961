// `tracetop top --json` through the real binary against a hand-counted fixture: counts, errors
// (traces with an ERROR observation; generations at level ERROR), percentiles (linear
// interpolation), tokens, cost and score means, by trace name, model, prompt@version and tag.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.js';
import { backendEnv, startTestServer, tempDir, type TestServer } from '../helpers/server.js';

interface Gen { id: string; model: string; prompt?: number; error?: boolean; start: number; end: number; input: number; output: number; cost: [number, number] }
interface T { id: string; name: string; tags: string[]; end: number; gens: Gen[]; scores: Record<string, number> }

const TRACES: T[] = [
  { id: 'top-t1', name: 'support', tags: ['a'], end: 1000, scores: { groundedness: 0.2, helpfulness: 1 }, gens: [{ id: 'g1', model: 'gpt-4o', prompt: 1, error: true, start: 100, end: 600, input: 100, output: 10, cost: [0.01, 0.02] }] },
  { id: 'top-t2', name: 'support', tags: ['a', 'b'], end: 2000, scores: { groundedness: 0.9 }, gens: [{ id: 'g2', model: 'gpt-4o', prompt: 2, start: 100, end: 300, input: 200, output: 20, cost: [0.02, 0.02] }] },
  {
    id: 'top-t3', name: 'search', tags: [], end: 3000, scores: { groundedness: 0.6 },
    gens: [
      { id: 'g3', model: 'claude', error: true, start: 0, end: 1000, input: 300, output: 30, cost: [0.1, 0.2] },
      { id: 'g4', model: 'gpt-4o', prompt: 2, start: 0, end: 500, input: 50, output: 5, cost: [0.005, 0.005] },
    ],
  },
  { id: 'top-t4', name: 'support', tags: ['b'], end: 4000, scores: {}, gens: [{ id: 'g5', model: 'claude', prompt: 2, start: 0, end: 700, input: 400, output: 40, cost: [0.05, 0.05] }] },
];

function events(at: number): unknown[] {
  const iso = (offset: number) => new Date(at + offset).toISOString();
  const batch: unknown[] = [];
  for (const t of TRACES) {
    batch.push({ id: `e-${t.id}`, type: 'trace-create', timestamp: iso(0), body: { id: t.id, name: t.name, tags: t.tags, timestamp: iso(0) } });
    batch.push({ id: `e-${t.id}-r`, type: 'span-create', timestamp: iso(0), body: { id: `${t.id}-root`, traceId: t.id, name: 'root', startTime: iso(0), endTime: iso(t.end) } });
    for (const g of t.gens) {
      batch.push({
        id: `e-${g.id}`, type: 'generation-create', timestamp: iso(g.start),
        body: {
          id: g.id, traceId: t.id, parentObservationId: `${t.id}-root`, name: 'answer', model: g.model, startTime: iso(g.start), endTime: iso(g.end),
          level: g.error ? 'ERROR' : 'DEFAULT', usageDetails: { input: g.input, output: g.output }, costDetails: { input: g.cost[0], output: g.cost[1] },
          ...(g.prompt ? { promptName: 'support-agent', promptVersion: g.prompt } : {}),
        },
      });
    }
    for (const [name, value] of Object.entries(t.scores)) {
      batch.push({ id: `e-${t.id}-${name}`, type: 'score-create', timestamp: iso(5), body: { id: `${t.id}-${name}`, traceId: t.id, name, value, dataType: 'NUMERIC' } });
    }
  }
  return batch;
}

type Line = { by: string; key: string | null; count: number; errorCount: number; errorRate: number; latencyP50: number | null; latencyP95: number | null; totalTokens: number; totalCost: number; scores: Record<string, number> };

function check(actual: Line, expected: Omit<Line, 'by'>, by: string): void {
  const label = `${by}=${expected.key}`;
  assert.equal(actual.by, by);
  assert.equal(actual.key, expected.key);
  for (const field of ['count', 'errorCount'] as const) assert.equal(actual[field], expected[field], `${label} ${field}`);
  for (const field of ['errorRate', 'latencyP50', 'latencyP95', 'totalTokens', 'totalCost'] as const) {
    assert.ok(Math.abs((actual[field] as number) - (expected[field] as number)) < 1e-9, `${label} ${field}: ${actual[field]} != ${expected[field]}`);
  }
  assert.deepEqual(Object.keys(actual.scores), Object.keys(expected.scores), `${label} score names`);
  for (const [name, mean] of Object.entries(expected.scores)) assert.ok(Math.abs(actual.scores[name]! - mean) < 1e-9, `${label} ${name}`);
  assert.deepEqual(Object.keys(actual), ['by', 'key', 'count', 'errorCount', 'errorRate', 'latencyP50', 'latencyP95', 'totalTokens', 'totalCost', 'scores']);
}

// tracetop's own server, and the same server playing stock Langfuse v3 (v1 reads) and v4 /
// Cloud (v2 reads) without its stream: the same numbers from every read path.
const MODES = [
  { readApi: 'both', streamEnabled: true },
  { readApi: 'v1', streamEnabled: false },
  { readApi: 'v2', streamEnabled: false },
] as const;

for (const { readApi, streamEnabled } of MODES) describe(`tracetop top --json (the real binary), --read-api ${readApi}${streamEnabled ? '' : ' --no-stream'}`, () => {
  let server: TestServer;
  const home = tempDir('tracetop-top-');
  const top = async (...args: string[]) => {
    const result = await runCli(['top', '--json', ...args], backendEnv(home.path, server.url));
    assert.equal(result.code, 0, result.stderr);
    return result.stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Line);
  };

  before(async () => {
    server = await startTestServer({ readApi, streamEnabled });
    const reply = await server.post('/api/public/ingestion', { batch: events(Date.now() - 120_000) });
    assert.deepEqual(reply.body.errors, []);
  });
  after(async () => {
    await server.close();
    home.remove();
  });

  it('by trace name (the default): traces, most traffic first', async () => {
    const lines = await top();
    assert.equal(lines.length, 2);
    check(lines[0]!, { key: 'support', count: 3, errorCount: 1, errorRate: 1 / 3, latencyP50: 2000, latencyP95: 3800, totalTokens: 770, totalCost: 0.17, scores: { groundedness: 0.55, helpfulness: 1 } }, 'name');
    check(lines[1]!, { key: 'search', count: 1, errorCount: 1, errorRate: 1, latencyP50: 3000, latencyP95: 3000, totalTokens: 385, totalCost: 0.31, scores: { groundedness: 0.6 } }, 'name');
  });

  it('by model: generations, errors at level ERROR, their trace scores', async () => {
    const lines = await top('--by', 'model');
    assert.deepEqual(lines.map((line) => line.key), ['gpt-4o', 'claude']);
    check(lines[0]!, { key: 'gpt-4o', count: 3, errorCount: 1, errorRate: 1 / 3, latencyP50: 500, latencyP95: 500, totalTokens: 385, totalCost: 0.08, scores: { groundedness: (0.2 + 0.9 + 0.6) / 3, helpfulness: 1 } }, 'model');
    check(lines[1]!, { key: 'claude', count: 2, errorCount: 1, errorRate: 0.5, latencyP50: 850, latencyP95: 985, totalTokens: 770, totalCost: 0.4, scores: { groundedness: 0.6 } }, 'model');
  });

  it('by prompt: NAME@VERSION keys; generations without a prompt are left out', async () => {
    const lines = await top('--by', 'prompt');
    assert.deepEqual(lines.map((line) => line.key), ['support-agent@2', 'support-agent@1']);
    check(lines[0]!, { key: 'support-agent@2', count: 3, errorCount: 0, errorRate: 0, latencyP50: 500, latencyP95: 680, totalTokens: 715, totalCost: 0.15, scores: { groundedness: 0.75 } }, 'prompt');
    check(lines[1]!, { key: 'support-agent@1', count: 1, errorCount: 1, errorRate: 1, latencyP50: 500, latencyP95: 500, totalTokens: 110, totalCost: 0.03, scores: { groundedness: 0.2, helpfulness: 1 } }, 'prompt');
  });

  it('by tag: a trace counts once in each of its tags; untagged traces group under null', async () => {
    const lines = await top('--by', 'tag');
    assert.deepEqual(lines.map((line) => [line.key, line.count]), [['a', 2], ['b', 2], [null, 1]]);
    check(lines[0]!, { key: 'a', count: 2, errorCount: 1, errorRate: 0.5, latencyP50: 1500, latencyP95: 1950, totalTokens: 330, totalCost: 0.07, scores: { groundedness: 0.55, helpfulness: 1 } }, 'tag');
    check(lines[1]!, { key: 'b', count: 2, errorCount: 0, errorRate: 0, latencyP50: 3000, latencyP95: 3900, totalTokens: 660, totalCost: 0.14, scores: { groundedness: 0.9 } }, 'tag');
  });

  it('filters narrow the rows: --prompt support-agent@2 by model, --tag b by name', async () => {
    const byModel = await top('--by', 'model', '--prompt', 'support-agent@2');
    // Traces t2, t3, t4 link to v2: every generation of theirs counts (g2, g3, g4, g5).
    assert.deepEqual(byModel.map((line) => [line.key, line.count]), [['claude', 2], ['gpt-4o', 2]]);
    const byName = await top('--tag', 'b');
    assert.deepEqual(byName.map((line) => [line.key, line.count]), [['support', 2]]);
  });

  it('usage errors: an unknown --by, a malformed --since', async () => {
    const env = backendEnv(home.path, server.url);
    const bad = await runCli(['top', '--by', 'color'], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--by takes one of name, model, prompt, release, env, user, tag/);
    const since = await runCli(['top', '--since', 'yesterday'], env);
    assert.equal(since.code, 2);
  });
});
