// Property: ingestion merges are order-independent. Random create/update events for one trace,
// its observations and its scores, delivered in any permutation, split into any batches and
// with some events resent, end in the same stored trace — and no sequence is ever a 500.
//
// Which fields are order-independent (and so compared) under Langfuse's semantics:
//   - Every scalar field (name, userId, level, model, startTime, endTime, …) is
//     last-writer-wins in Langfuse, so it is order-independent only when every event that sets
//     it sets the same value. The generator gives each field of each entity one value, carried
//     by any subset of that entity's events; the result must be that value whatever the order.
//   - metadata merges key by key (again last-writer-wins per key): each event adds its own key,
//     so the union is compared.
//   - tags are a set union (under the 250-tag cap).
//   - usageDetails / costDetails merge key by key; `total` is the sender's when one was sent,
//     otherwise the sum of the other keys after all merges. Costs inferred from the pricing
//     table follow the merged usage and model.
//   - The trace's aggregates (observation count, token and cost totals, error and warning
//     counts, latency) follow from the observations, so they must match too. Costs are compared
//     to 12 significant digits: float sums in a different order may differ in the last bit.
//   - An observation's traceId is the latest one sent (an update may come first and omit it);
//     every generated observation has at least one event carrying the real traceId, and no
//     placeholder trace may survive.
//   - NOT compared: the trace's `timestamp` when no trace-create carries one (an implicit trace
//     is stamped by whatever arrived first), and event-arrival bookkeeping (createdAt/updatedAt
//     are pinned by applying every batch with the same `now`).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { openDatabase } from '../../src/server/db.js';
import { Repository } from '../../src/server/repository.js';
import { applyIngestionBatch } from '../../src/server/ingest/apply.js';
import { fullTrace } from '../../src/server/routes/reads-v1.js';
import { traceSummary } from '../../src/server/views.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const AT = '2026-11-24T10:00:00.000Z';
const BASE_MS = Date.parse(AT);
const NOW = new Date('2026-11-24T12:00:00.000Z');
const iso = (offset: number) => new Date(BASE_MS + offset).toISOString();

interface Event {
  id: string;
  type: string;
  timestamp: string;
  body: Record<string, unknown>;
}

/** Which of n events carry something: a non-empty bitmask. */
const mask = (n: number) => fc.integer({ min: 1, max: (1 << n) - 1 });
const carries = (bits: number, index: number) => (bits & (1 << index)) !== 0;

const USAGE_KEYS = ['input', 'output', 'input_cached_tokens', 'total'] as const;
const COST_KEYS = ['input', 'output', 'total'] as const;

const observationArb = fc
  .integer({ min: 1, max: 3 })
  .chain((n) =>
    fc.record({
      n: fc.constant(n),
      kind: fc.constantFrom('span', 'generation'),
      // Event 0 is the create; later ones are updates (generations) or repeated creates (spans,
      // which Langfuse also merges by id).
      name: fc.option(fc.tuple(fc.constantFrom('retrieve', 'answer', 'tool'), mask(n)), { nil: undefined }),
      start: fc.option(fc.tuple(fc.integer({ min: 0, max: 10_000 }), mask(n)), { nil: undefined }),
      duration: fc.option(fc.tuple(fc.integer({ min: 0, max: 5_000 }), mask(n)), { nil: undefined }),
      level: fc.option(fc.tuple(fc.constantFrom('DEBUG', 'DEFAULT', 'WARNING', 'ERROR'), mask(n)), { nil: undefined }),
      model: fc.option(fc.tuple(fc.constantFrom('gpt-4o-mini', 'house-model'), mask(n)), { nil: undefined }),
      usage: fc.array(fc.tuple(fc.constantFrom(...USAGE_KEYS), fc.nat(2000), mask(n)), { maxLength: 4 }),
      cost: fc.array(fc.tuple(fc.constantFrom(...COST_KEYS), fc.integer({ min: 0, max: 10_000 }).map((v) => v / 7000), mask(n)), { maxLength: 3 }),
      traceIdOn: mask(n),
      metadataOn: fc.integer({ min: 0, max: (1 << n) - 1 }),
    }),
  );

const worldArb = fc.record({
  traceCreates: fc.integer({ min: 0, max: 2 }).chain((n) =>
    fc.record({
      n: fc.constant(n),
      name: fc.option(fc.constantFrom('rag', 'chat'), { nil: undefined }),
      userId: fc.option(fc.constantFrom('u1', 'u2'), { nil: undefined }),
      timestamp: fc.boolean(),
      tags: fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', 'prod'), fc.nat(3)), { maxLength: 4 }),
      metadataOn: fc.nat(3),
    }),
  ),
  observations: fc.array(observationArb, { minLength: 1, maxLength: 3 }),
  scores: fc.array(fc.tuple(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 1, max: 2 })), { maxLength: 2 }),
});

type World = typeof worldArb extends fc.Arbitrary<infer W> ? W : never;

function unique<T>(pairs: [string, T, number][]): [string, T, number][] {
  const seen = new Set<string>();
  return pairs.filter(([key]) => !seen.has(key) && seen.add(key) !== undefined);
}

/** The events a world describes, in generation order, for trace `traceId`. */
function eventsOf(world: World, traceId: string): Event[] {
  const events: Event[] = [];
  const tc = world.traceCreates;
  for (let i = 0; i < tc.n; i++) {
    const body: Record<string, unknown> = { id: traceId };
    if (tc.name) body.name = tc.name;
    if (tc.userId) body.userId = tc.userId;
    if (tc.timestamp) body.timestamp = iso(-1000);
    const tags = tc.tags.filter(([, on]) => on % tc.n === i).map(([tag]) => tag);
    if (tags.length) body.tags = tags;
    if (carries(tc.metadataOn, i)) body.metadata = { [`trace${i}`]: i };
    events.push({ id: `${traceId}-tc${i}`, type: 'trace-create', timestamp: AT, body });
  }
  world.observations.forEach((o, index) => {
    const id = `${traceId}-o${index}`;
    for (let i = 0; i < o.n; i++) {
      const body: Record<string, unknown> = { id };
      if (carries(o.traceIdOn, i)) body.traceId = traceId;
      if (o.name && carries(o.name[1], i)) body.name = o.name[0];
      if (o.start && carries(o.start[1], i)) body.startTime = iso(o.start[0]);
      if (o.duration && carries(o.duration[1], i)) body.endTime = iso((o.start?.[0] ?? 0) + o.duration[0]);
      if (o.level && carries(o.level[1], i)) body.level = o.level[0];
      if (o.model && carries(o.model[1], i)) body.model = o.model[0];
      const usage = Object.fromEntries(unique(o.usage).filter(([, , on]) => carries(on, i)).map(([key, value]) => [key, value]));
      if (Object.keys(usage).length) body.usageDetails = usage;
      const cost = Object.fromEntries(unique(o.cost).filter(([, , on]) => carries(on, i)).map(([key, value]) => [key, value]));
      if (Object.keys(cost).length) body.costDetails = cost;
      if (carries(o.metadataOn, i)) body.metadata = { [`event${i}`]: `v${i}` };
      const type = o.kind === 'span' ? 'span-create' : i === 0 ? 'generation-create' : 'generation-update';
      events.push({ id: `${id}-e${i}`, type, timestamp: AT, body });
    }
  });
  world.scores.forEach(([value, copies], index) => {
    for (let i = 0; i < copies; i++) {
      events.push({
        id: `${traceId}-s${index}-e${i}`,
        type: 'score-create',
        timestamp: AT,
        body: { id: `${traceId}-s${index}`, traceId, name: `score${index}`, value, timestamp: AT },
      });
    }
  });
  return events;
}

/** A delivery: a permutation, cut into batches, with some events resent at the end. */
const deliveryArb = (count: number) =>
  fc.record({
    order: fc.shuffledSubarray([...Array(count).keys()], { minLength: count, maxLength: count }),
    cuts: fc.array(fc.boolean(), { minLength: count, maxLength: count }),
    resend: fc.subarray([...Array(count).keys()], { maxLength: Math.min(3, count) }),
  });

type Delivery = typeof deliveryArb extends (n: number) => fc.Arbitrary<infer D> ? D : never;

function batchesOf(events: Event[], delivery: Delivery): Event[][] {
  const batches: Event[][] = [[]];
  delivery.order.forEach((index, position) => {
    batches[batches.length - 1]!.push(events[index]!);
    if (delivery.cuts[position]) batches.push([]);
  });
  if (delivery.resend.length) batches.push(delivery.resend.map((index) => events[index]!));
  return batches.filter((batch) => batch.length > 0);
}

/** Numbers to 12 significant digits, so float summation order does not count. */
function canonical(value: unknown): unknown {
  if (typeof value === 'number') return Number.isInteger(value) ? value : Number(value.toPrecision(12));
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, canonical(inner)]));
  }
  return value;
}

function snapshot(repo: Repository, traceId: string, world: World) {
  const stored = repo.getTrace(traceId);
  assert.ok(stored, 'the trace exists');
  const full = fullTrace(repo, traceId) as Record<string, unknown>;
  const summary = traceSummary(stored, repo.scoresOfTraces([traceId]).get(traceId) ?? []) as unknown as Record<string, unknown>;
  if (!(world.traceCreates.n > 0 && world.traceCreates.timestamp)) {
    delete full.timestamp;
    delete summary.timestamp;
  }
  const traceIds = (repo.db.prepare('SELECT id FROM traces ORDER BY id').all() as { id: string }[]).map((row) => row.id);
  return canonical({ traceIds, full, summary });
}

function applyAll(batches: Event[][]): Repository {
  const repo = new Repository(openDatabase(':memory:'));
  for (const batch of batches) {
    const { response } = applyIngestionBatch(repo, batch, NOW);
    assert.deepEqual(response.errors, [], 'every generated event is valid');
  }
  return repo;
}

describe('ingestion merge is order-independent', () => {
  it('any permutation, batching and resend of the same events stores the same trace', () => {
    fc.assert(
      fc.property(
        worldArb.chain((world) => {
          const events = eventsOf(world, 'pt');
          return fc.tuple(fc.constant(world), fc.constant(events), deliveryArb(events.length));
        }),
        ([world, events, delivery]) => {
          const reference = applyAll([events]);
          const shuffled = applyAll(batchesOf(events, delivery));
          try {
            assert.deepEqual(snapshot(shuffled, 'pt', world), snapshot(reference, 'pt', world));
          } finally {
            reference.db.close();
            shuffled.db.close();
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('update-only observations, later given a traceId, leave no placeholder trace', () => {
    const repo = new Repository(openDatabase(':memory:'));
    applyIngestionBatch(repo, [{ id: 'u1', type: 'generation-update', timestamp: AT, body: { id: 'g', usageDetails: { input: 5 }, costDetails: { total: 0.5 } } }], NOW);
    assert.equal((repo.db.prepare('SELECT count(*) AS n FROM traces').get() as { n: number }).n, 1);
    applyIngestionBatch(repo, [{ id: 'c1', type: 'generation-create', timestamp: AT, body: { id: 'g', traceId: 't', usageDetails: { output: 2 } } }], NOW);
    const rows = repo.db.prepare('SELECT id, total_cost, input_tokens, output_tokens, total_tokens, obs_count FROM traces').all();
    assert.deepEqual(rows.map((row) => ({ ...row })), [{ id: 't', total_cost: 0.5, input_tokens: 5, output_tokens: 2, total_tokens: 7, obs_count: 1 }]);
    repo.db.close();
  });

  it('random, mostly malformed events never make a batch throw or an event a 500', () => {
    const types = ['trace-create', 'span-create', 'span-update', 'generation-create', 'generation-update', 'event-create', 'score-create', 'observation-create', 'sdk-log', 'nope'];
    const fields = ['id', 'traceId', 'name', 'startTime', 'endTime', 'timestamp', 'usage', 'usageDetails', 'costDetails', 'tags', 'metadata', 'level', 'value', 'dataType', 'model', 'promptVersion', 'public'];
    const value = fc.oneof(fc.anything({ maxDepth: 3 }), fc.constantFrom('t1', 'o1', AT, 'ERROR', 'NUMERIC', 1, -1, 0.5, 1e308, '__proto__'));
    const eventArb = fc.record({
      id: fc.oneof(fc.constantFrom('e1', 'e2', 'e3', 'e4'), fc.anything({ maxDepth: 1 })),
      type: fc.constantFrom(...types),
      timestamp: fc.oneof(fc.constant(AT), value),
      body: fc.oneof(fc.dictionary(fc.constantFrom(...fields), value, { maxKeys: 6 }), value),
    });
    const repo = new Repository(openDatabase(':memory:'));
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 8 }), (batch) => {
        const { response } = applyIngestionBatch(repo, batch, NOW);
        assert.equal(response.successes.length + response.errors.length, batch.length);
        for (const error of response.errors) assert.equal(error.status, 400, JSON.stringify(error));
      }),
      { numRuns: 300 },
    );
    repo.db.close();
  });

  describe('over HTTP', () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer();
    });
    after(() => server.close());

    it('a permuted delivery reads back the same GET /traces/{id} as the in-order one', async () => {
      let run = 0;
      await fc.assert(
        fc.asyncProperty(
          worldArb.chain((world) => fc.tuple(fc.constant(world), deliveryArb(eventsOf(world, 'x').length))),
          async ([world, delivery]) => {
            run += 1;
            const read = async (traceId: string, batches: Event[][]) => {
              for (const batch of batches) {
                const response = await server.post('/api/public/ingestion', { batch });
                assert.equal(response.status, 207);
                assert.deepEqual(response.body.errors, []);
              }
              const trace = await server.get(`/api/public/traces/${traceId}`);
              assert.equal(trace.status, 200);
              const body = trace.body as Record<string, unknown>;
              delete body.createdAt;
              delete body.updatedAt;
              if (!(world.traceCreates.n > 0 && world.traceCreates.timestamp)) delete body.timestamp;
              for (const list of [body.observations, body.scores] as Record<string, unknown>[][]) {
                for (const item of list) {
                  delete item.createdAt;
                  delete item.updatedAt;
                }
              }
              return JSON.parse(JSON.stringify(canonical(body)).replaceAll(traceId, 'T')) as unknown;
            };
            const inOrder = `h${run}a`;
            const permuted = `h${run}b`;
            const expected = await read(inOrder, [eventsOf(world, inOrder)]);
            const actual = await read(permuted, batchesOf(eventsOf(world, permuted), delivery));
            assert.deepEqual(actual, expected);
          },
        ),
        { numRuns: 25 },
      );
      assert.equal((await server.get('/api/public/health')).status, 200);
    });
  });
});
