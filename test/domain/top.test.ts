// The `top` model: exact aggregation of a window, and the incremental aggregator the live
// screen uses (replacing rows that change, dropping rows that leave the window) agreeing with it.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { aggregateTop, sortTopGroups, topGroupFilter, topRowFromGeneration, topRowFromTrace, trendFlags, type TopRow } from '../../src/domain/top.js';
import { TopAggregator } from '../../src/domain/top-live.js';
import { summary } from '../helpers/fixtures.js';

const NOW = Date.parse('2026-11-24T10:15:00.000Z');
const WINDOW = 15 * 60_000;
const row = (id: string, key: string | null, atMs: number, latencyMs: number | null, error = false, scores: Record<string, number> = {}): TopRow => ({
  id, atMs, keys: [key], latencyMs, error, totalTokens: 10, totalCost: 0.5, scores,
});

describe('aggregateTop', () => {
  it('counts, errors, interpolated percentiles, score means, rate per minute', () => {
    const rows = [
      row('a', 'x', NOW - 60_000, 100, false, { q: 1 }),
      row('b', 'x', NOW - 50_000, 200, true, { q: 0 }),
      row('c', 'x', NOW - 40_000, 400),
      row('d', 'x', NOW - 30_000, 800, true, { q: 0.5, h: 2 }),
      row('e', 'y', NOW - 20_000, null),
      row('old', 'x', NOW - WINDOW - 1, 1),
    ];
    const result = aggregateTop(rows, { by: 'name', windowMs: WINDOW, now: NOW });
    assert.deepEqual(result.groups.map((g) => g.key), ['x', 'y']);
    const x = result.groups[0]!;
    assert.equal(x.count, 4);
    assert.equal(x.errorCount, 2);
    assert.equal(x.errorRate, 0.5);
    assert.equal(x.latencyP50, 300); // between 200 and 400
    assert.ok(Math.abs(x.latencyP95! - 740) < 1e-9); // 85% of the way from 400 to 800
    assert.deepEqual(x.scores, { h: 2, q: 0.5 });
    assert.equal(x.ratePerMin, 4 / 15);
    assert.equal(x.totalCost, 2);
    assert.equal(result.groups[1]!.latencyP50, null);
    assert.equal(result.total.count, 5);
    assert.equal(x.sparkCount.reduce((a, b) => a + b, 0), 4);
    assert.equal(x.sparkErrors.reduce((a, b) => a + b, 0), 2);
  });

  it('a trace counts once in each tag and once in the total; model/prompt rows are generations', () => {
    const trace = summary('t1', { timestamp: new Date(NOW - 1000).toISOString(), tags: ['a', 'b'], errorCount: 1, latency: 2, scores: { g: 0.5, label: 'good' } });
    const tagRow = topRowFromTrace(trace, 'tag')!;
    assert.deepEqual(tagRow.keys, ['a', 'b']);
    assert.deepEqual(tagRow.scores, { g: 0.5 });
    assert.equal(tagRow.latencyMs, 2000);
    const result = aggregateTop([tagRow], { by: 'tag', windowMs: WINDOW, now: NOW });
    assert.deepEqual(result.groups.map((g) => [g.key, g.count]), [['a', 1], ['b', 1]]);
    assert.equal(result.total.count, 1);
    assert.equal(topRowFromTrace(trace, 'model'), null);
    const generation = {
      id: 'g', type: 'GENERATION' as const, startTime: new Date(NOW - 900).toISOString(), endTime: new Date(NOW - 400).toISOString(), level: 'ERROR' as const,
      model: 'gpt-4o', promptName: 'support-agent', promptVersion: 2, usageDetails: { input: 5, output: 7 }, costDetails: { total: 0.1 },
    };
    const byPrompt = topRowFromGeneration(generation, 'prompt', { g: 1 })!;
    assert.deepEqual(byPrompt.keys, ['support-agent@2']);
    assert.equal(byPrompt.latencyMs, 500);
    assert.equal(byPrompt.error, true);
    assert.equal(byPrompt.totalTokens, 12);
    assert.equal(byPrompt.totalCost, 0.1);
    assert.equal(topRowFromGeneration({ ...generation, promptName: null }, 'prompt'), null);
    assert.equal(topRowFromGeneration({ ...generation, type: 'SPAN' }, 'model'), null);
  });

  it('sorts by any column (missing values last) and drills in with a filter', () => {
    const result = aggregateTop([row('a', 'x', NOW - 1, 100), row('b', 'y', NOW - 1, 900, true), row('c', 'y', NOW - 1, 50), row('d', 'z', NOW - 1, null)], { by: 'name', windowMs: WINDOW, now: NOW });
    assert.deepEqual(sortTopGroups(result.groups, 'p95').map((g) => g.key), ['y', 'x', 'z']);
    assert.deepEqual(sortTopGroups(result.groups, 'p95', false).map((g) => g.key), ['x', 'y', 'z']);
    assert.deepEqual(sortTopGroups(result.groups, 'errorRate').map((g) => g.key), ['y', 'x', 'z']);
    assert.equal(topGroupFilter('prompt', 'support-agent@2'), 'prompt:support-agent@2');
    assert.equal(topGroupFilter('name', 'rag pipeline'), 'name:"rag pipeline"');
    assert.equal(topGroupFilter('release', null), null);
  });

  it('flags groups that appeared or turned bad in the last quarter of the window', () => {
    assert.deepEqual(trendFlags([0, 0, 0, 2], [0, 0, 0, 0]), { appeared: true, turnedBad: false });
    assert.deepEqual(trendFlags([5, 5, 5, 5], [0, 0, 0, 4]), { appeared: false, turnedBad: true });
    assert.deepEqual(trendFlags([5, 5, 5, 5], [2, 2, 2, 1]), { appeared: false, turnedBad: false });
  });
});

describe('TopAggregator (the live path)', () => {
  const options = { by: 'name' as const, windowMs: WINDOW, buckets: 30 };

  it('agrees with the exact aggregation: counts and sums exactly, percentiles within 2%', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ key: fc.constantFrom('a', 'b', 'c', null), offset: fc.integer({ min: 0, max: WINDOW - 60_000 }), latency: fc.option(fc.integer({ min: 1, max: 60_000 }), { nil: null }), error: fc.boolean(), score: fc.double({ min: 0, max: 1, noNaN: true }) }), { minLength: 1, maxLength: 300 }),
        (items) => {
          // Bucket-aligned window: the aggregator's window is whole buckets.
          const now = Math.floor(NOW / (WINDOW / 30)) * (WINDOW / 30) + WINDOW / 30 - 1;
          const rows = items.map((item, index) => row(`r${index}`, item.key, now - item.offset, item.latency, item.error, { s: item.score }));
          const live = new TopAggregator(options);
          for (const r of rows) live.upsert(r);
          const snapshot = live.snapshot(now);
          const exact = aggregateTop(rows, { by: 'name', windowMs: WINDOW, now });
          assert.equal(snapshot.total.count, exact.total.count);
          for (const group of exact.groups) {
            const other = snapshot.groups.find((g) => g.key === group.key)!;
            assert.equal(other.count, group.count);
            assert.equal(other.errorCount, group.errorCount);
            assert.ok(Math.abs(other.totalCost - group.totalCost) < 1e-9);
            assert.ok(Math.abs(other.scores.s! - group.scores.s!) < 1e-9);
            for (const field of ['latencyP50', 'latencyP95'] as const) {
              if (group[field] === null) assert.equal(other[field], null);
              else {
                // The histogram returns a rank's bin (1% wide), not an interpolation between ranks.
                const sorted = rows.filter((r) => r.keys[0] === group.key && r.latencyMs !== null).map((r) => r.latencyMs!).sort((a, b) => a - b);
                const rank = Math.floor((field === 'latencyP50' ? 0.5 : 0.95) * (sorted.length - 1));
                assert.ok(Math.abs(other[field]! - sorted[rank]!) <= sorted[rank]! * 0.02, `${field} ${other[field]} vs ${sorted[rank]}`);
              }
            }
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('a row that changes replaces its previous version; rows leave with the window', () => {
    const live = new TopAggregator(options);
    live.upsert(row('t1', 'a', NOW - 1000, 100));
    live.upsert(row('t1', 'a', NOW - 1000, 300, true));
    live.upsert(row('t2', 'b', NOW - 2000, 100));
    let snapshot = live.snapshot(NOW);
    assert.deepEqual(snapshot.groups.map((g) => [g.key, g.count, g.errorCount]), [['a', 1, 1], ['b', 1, 0]]);
    live.upsert({ ...row('t2', 'a', NOW - 2000, 100) });
    snapshot = live.snapshot(NOW);
    assert.deepEqual(snapshot.groups.map((g) => [g.key, g.count]), [['a', 2]]);
    snapshot = live.snapshot(NOW + WINDOW + 60_000);
    assert.deepEqual(snapshot.groups, []);
    assert.equal(snapshot.total.count, 0);
  });

  it('remembers at most maxTracked rows, however often they change (memory stays bounded)', () => {
    const live = new TopAggregator({ ...options, maxTracked: 100 });
    for (let round = 0; round < 2_000; round++) for (let i = 0; i < 50; i++) live.upsert(row(`t${i}`, 'a', NOW - 1000, 100 + round));
    assert.equal(live.snapshot(NOW).groups[0]!.count, 50, 'each row replaced, never added twice');
    const internals = live as unknown as { order: string[]; tracked: Map<string, unknown> };
    assert.ok(internals.order.length <= 4 * 16_384 + 1, `eviction queue ${internals.order.length}`);
    for (let i = 50; i < 1_000; i++) live.upsert(row(`t${i}`, 'a', NOW - 1000, 100));
    assert.equal(internals.tracked.size, 100);
    assert.equal(live.snapshot(NOW).groups[0]!.count, 1_000);
  });
});
