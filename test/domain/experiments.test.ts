// The experiments domain without a network: run aggregates, the item-by-item comparison and its
// verdicts, and the gate language — against figures computed by hand.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  aggregateRun,
  compareRuns,
  comparisonJson,
  evaluateGate,
  GateSyntaxError,
  parseGate,
  regressionsOnly,
  sortByDelta,
  verdictOf,
  type DatasetItemView,
  type RunItemResult,
  type RunResults,
  type ScoreValue,
} from '../../src/domain/experiments.js';

const item = (id: string, output: string, scores: Record<string, ScoreValue>, extra: Partial<RunItemResult> = {}): RunItemResult => ({
  datasetItemId: id,
  traceId: `t-${id}-${output}`,
  observationId: null,
  output,
  scores,
  latency: 1,
  totalCost: 0.001,
  error: false,
  createdAt: '2026-01-01T00:00:00.000Z',
  ...extra,
});

const run = (name: string, items: RunItemResult[], runScores: Record<string, ScoreValue> = {}): RunResults => ({
  run: {
    id: `id-${name}`,
    name,
    description: null,
    datasetId: 'd1',
    datasetName: 'capitals',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    runScores,
    ...aggregateRun(items),
  },
  items,
});

const datasetItems: DatasetItemView[] = [
  { id: 'fr', input: 'France', expectedOutput: 'Paris', createdAt: '2026-01-01T00:00:01.000Z' },
  { id: 'au', input: 'Australia', expectedOutput: 'Canberra', createdAt: '2026-01-01T00:00:02.000Z' },
  { id: 'ca', input: 'Canada', expectedOutput: 'Ottawa', createdAt: '2026-01-01T00:00:03.000Z' },
  { id: 'jp', input: 'Japan', expectedOutput: 'Tokyo', createdAt: '2026-01-01T00:00:04.000Z' },
];

const base = run(
  'baseline',
  [
    item('fr', 'Paris', { exact_match: 1, char_length: 5, polite: true }, { latency: 0.5 }),
    item('au', 'Sydney', { exact_match: 0, char_length: 6, polite: true }, { latency: 1.5 }),
    item('ca', 'Ottawa', { exact_match: 1, char_length: 6, tone: 'dry' }, { error: true, totalCost: null, latency: null }),
    item('jp', 'Tokyo', { exact_match: 1, char_length: 5 }, { latency: 1 }),
  ],
  { mean_accuracy: 0.75 },
);
const next = run(
  'v2',
  [
    item('fr', 'Paris', { exact_match: 1, char_length: 5, polite: true }),
    item('au', 'Canberra', { exact_match: 1, char_length: 8, polite: true }),
    item('ca', 'Toronto', { exact_match: 0, char_length: 7, tone: 'warm' }),
    // Japan not run in v2; an item no longer in the dataset was.
    item('xx', 'Atlantis', { exact_match: 0 }, { createdAt: '2026-01-02T00:00:00.000Z' }),
  ],
  { mean_accuracy: 0.8, grade: 'B' },
);

describe('run aggregates', () => {
  it('means, errors, latency and cost by hand', () => {
    const aggregates = aggregateRun(base.items);
    assert.equal(aggregates.itemCount, 4);
    // exact_match: (1+0+1+1)/4; char_length: (5+6+6+5)/4; polite: booleans as 1/0 over 2 items; tone: categorical, no mean.
    assert.deepEqual(aggregates.itemMeans, { char_length: 5.5, exact_match: 0.75, polite: 1 });
    assert.equal(aggregates.errorCount, 1);
    assert.equal(aggregates.meanLatency, (0.5 + 1.5 + 1) / 3);
    assert.ok(Math.abs(aggregates.totalCost! - 0.003) < 1e-12);
  });

  it('an empty run has no means and no latency', () => {
    assert.deepEqual(aggregateRun([]), { itemCount: 0, itemMeans: {}, errorCount: 0, meanLatency: null, totalCost: null });
  });
});

describe('verdicts', () => {
  it('improved needs one better and none worse; any worse is a regression', () => {
    assert.equal(verdictOf({ a: 1, b: 0 }), 'improved');
    assert.equal(verdictOf({ a: 1, b: -0.5 }), 'regressed');
    assert.equal(verdictOf({ a: 0 }), 'unchanged');
    assert.equal(verdictOf({}), 'unchanged');
    // Float noise is no change.
    assert.equal(verdictOf({ a: 0.1 + 0.2 - 0.3 }), 'unchanged');
    // A score where lower is better turns round.
    assert.equal(verdictOf({ latency: -2 }, { lowerIsBetter: ['latency'] }), 'improved');
  });
});

describe('compareRuns', () => {
  const comparison = compareRuns('capitals', datasetItems, base, next);

  it('one row per dataset item in dataset order, then items only a run covered', () => {
    assert.deepEqual(
      comparison.items.map((row) => row.datasetItemId),
      ['fr', 'au', 'ca', 'jp', 'xx'],
    );
    const jp = comparison.items[3]!;
    assert.equal(jp.new, null);
    assert.deepEqual(jp.delta, {});
    const xx = comparison.items[4]!;
    assert.equal(xx.base, null);
    assert.equal(xx.input, null);
  });

  it('deltas are new − base for numeric and boolean scores both sides have', () => {
    const [fr, au, ca] = comparison.items as [any, any, any];
    assert.deepEqual(fr.delta, { char_length: 0, exact_match: 0, polite: 0 });
    assert.equal(fr.verdict, 'unchanged');
    assert.deepEqual(au.delta, { char_length: 2, exact_match: 1, polite: 0 });
    assert.equal(au.verdict, 'improved');
    // tone is categorical: no delta.
    assert.deepEqual(ca.delta, { char_length: 1, exact_match: -1 });
    assert.equal(ca.verdict, 'regressed');
    assert.deepEqual(comparison.summary, { improved: 1, regressed: 1, unchanged: 3 });
  });

  it('aggregates and their deltas', () => {
    assert.equal(comparison.base.items, 4);
    assert.equal(comparison.new.items, 4);
    assert.deepEqual(comparison.base.itemMeans, { char_length: 5.5, exact_match: 0.75, polite: 1 });
    // v2: exact_match (1+1+0+0)/4 = 0.5; char_length (5+8+7)/3; polite 1.
    assert.deepEqual(comparison.new.itemMeans, { char_length: 20 / 3, exact_match: 0.5, polite: 1 });
    assert.deepEqual(comparison.aggregateDelta.itemMeans, { char_length: 20 / 3 - 5.5, exact_match: -0.25, polite: 0 });
    assert.ok(Math.abs(comparison.aggregateDelta.runScores.mean_accuracy! - 0.05) < 1e-12);
    assert.equal('grade' in comparison.aggregateDelta.runScores, false);
    assert.equal(comparison.aggregateDelta.errorCount, -1);
    assert.deepEqual(comparison.scoreNames, ['char_length', 'exact_match', 'polite', 'tone']);
  });

  it('a run that linked an item twice counts its newest link', () => {
    const twice = run('twice', [
      item('fr', 'Lyon', { exact_match: 0 }, { createdAt: '2026-01-01T00:00:00.000Z' }),
      item('fr', 'Paris', { exact_match: 1 }, { createdAt: '2026-01-01T00:01:00.000Z' }),
    ]);
    const result = compareRuns('capitals', datasetItems.slice(0, 1), twice, twice);
    assert.equal(result.base.items, 1);
    assert.equal(result.items[0]!.base!.output, 'Paris');
    assert.deepEqual(result.base.itemMeans, { exact_match: 1 });
  });

  it('sorts by a delta (worst first) and filters to regressions', () => {
    assert.deepEqual(
      sortByDelta(comparison.items, 'exact_match').map((row) => row.datasetItemId),
      ['ca', 'fr', 'au', 'jp', 'xx'],
    );
    assert.deepEqual(
      regressionsOnly(comparison.items).map((row) => row.datasetItemId),
      ['ca'],
    );
  });

  it('the --json shape, field by field', () => {
    const json = comparisonJson(comparison);
    assert.deepEqual(Object.keys(json), ['dataset', 'base', 'new', 'items', 'summary']);
    assert.deepEqual(json.base, {
      name: 'baseline',
      id: 'id-baseline',
      items: 4,
      itemMeans: { char_length: 5.5, exact_match: 0.75, polite: 1 },
      runScores: { mean_accuracy: 0.75 },
    });
    assert.deepEqual(json.items[1], {
      datasetItemId: 'au',
      input: 'Australia',
      expectedOutput: 'Canberra',
      base: { traceId: 't-au-Sydney', output: 'Sydney', scores: { exact_match: 0, char_length: 6, polite: true } },
      new: { traceId: 't-au-Canberra', output: 'Canberra', scores: { exact_match: 1, char_length: 8, polite: true } },
      delta: { char_length: 2, exact_match: 1, polite: 0 },
    });
    assert.equal(json.items[3]!.new, null);
    assert.deepEqual(json.summary, { improved: 1, regressed: 1, unchanged: 3 });
  });
});

describe('gates', () => {
  const comparison = compareRuns('capitals', datasetItems, base, next);

  it('parses signed deltas and absolute bounds', () => {
    assert.deepEqual(parseGate('mean_accuracy>=+0.05'), { expr: 'mean_accuracy>=+0.05', name: 'mean_accuracy', operator: '>=', mode: 'delta', threshold: 0.05 });
    assert.deepEqual(parseGate('exact_match > -0.1'), { expr: 'exact_match > -0.1', name: 'exact_match', operator: '>', mode: 'delta', threshold: -0.1 });
    assert.deepEqual(parseGate('exact_match>=0.9'), { expr: 'exact_match>=0.9', name: 'exact_match', operator: '>=', mode: 'absolute', threshold: 0.9 });
    assert.equal(parseGate('char_length<=12').operator, '<=');
    assert.equal(parseGate('char_length<.5').threshold, 0.5);
    assert.equal(parseGate('a b<1e-3').name, 'a b');
  });

  it('refuses what it cannot read, saying why', () => {
    for (const bad of ['mean_accuracy', 'mean_accuracy>=', '>=0.1', 'x=0.1', 'x==1', 'x!=1', 'x>=5%', 'x>=abc', 'x>=+-1']) {
      assert.throws(() => parseGate(bad), GateSyntaxError, bad);
    }
    assert.throws(() => parseGate('x>=5%'), /fraction/);
  });

  it('a run score delta: 0.75 → 0.8 is +0.05, which meets >=+0.05 (float noise aside) but not >+0.05', () => {
    const pass = evaluateGate(parseGate('mean_accuracy>=+0.05'), comparison);
    assert.equal(pass.source, 'run score');
    assert.equal(pass.base, 0.75);
    assert.equal(pass.new, 0.8);
    assert.equal(pass.pass, true);
    assert.equal(evaluateGate(parseGate('mean_accuracy>+0.05'), comparison).pass, false);
    assert.equal(evaluateGate(parseGate('mean_accuracy>=+0.1'), comparison).pass, false);
  });

  it('an item mean, absolute and delta', () => {
    const absolute = evaluateGate(parseGate('exact_match>=0.5'), comparison);
    assert.equal(absolute.source, 'item mean');
    assert.equal(absolute.actual, 0.5);
    assert.equal(absolute.pass, true);
    const drop = evaluateGate(parseGate('exact_match>=-0.2'), comparison);
    assert.equal(drop.delta, -0.25);
    assert.equal(drop.pass, false);
    assert.equal(evaluateGate(parseGate('exact_match<0.6'), comparison).pass, true);
    assert.equal(evaluateGate(parseGate('char_length<=+1.2'), comparison).pass, true);
  });

  it('fails with a reason when the score is unknown, missing on a side, or not numeric', () => {
    const unknown = evaluateGate(parseGate('recall>=0.5'), comparison);
    assert.equal(unknown.pass, false);
    assert.match(unknown.reason!, /no run score or item score named "recall"/);
    const categorical = evaluateGate(parseGate('grade>=0.5'), comparison);
    assert.equal(categorical.pass, false);
    assert.match(categorical.reason!, /new run has no numeric run score/);
    const oneSided = compareRuns('c', datasetItems, run('a', []), run('b', [], { mean_accuracy: 1 }));
    const missingBase = evaluateGate(parseGate('mean_accuracy>=+0.1'), oneSided);
    assert.match(missingBase.reason!, /base run has no numeric/);
    // An absolute bound needs only the new run.
    assert.equal(evaluateGate(parseGate('mean_accuracy>=0.9'), oneSided).pass, true);
  });
});

describe('properties (fast-check)', async () => {
  const fc = await import('fast-check');
  const scoreRecord = fc.dictionary(fc.constantFrom('a', 'b', 'c'), fc.oneof(fc.integer({ min: -5, max: 5 }), fc.boolean()), { maxKeys: 3 });
  const runOf = (name: string, scores: Record<string, ScoreValue>[]) => run(name, scores.map((s, i) => item(`i${i}`, `o${i}`, s)));
  const views = (n: number): DatasetItemView[] => Array.from({ length: n }, (_, i) => ({ id: `i${i}`, input: i, expectedOutput: i, createdAt: `2026-01-01T00:00:${String(i).padStart(2, '0')}.000Z` }));

  it('swapping base and new negates every delta, counts every item once, and turns each improvement into a regression', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(scoreRecord, scoreRecord), { minLength: 1, maxLength: 20 }), (pairs) => {
        const a = runOf('a', pairs.map(([x]) => x));
        const b = runOf('b', pairs.map(([, y]) => y));
        const forward = compareRuns('d', views(pairs.length), a, b);
        const backward = compareRuns('d', views(pairs.length), b, a);
        const { improved, regressed, unchanged } = forward.summary;
        assert.equal(improved + regressed + unchanged, pairs.length);
        forward.items.forEach((row, i) => {
          const back = backward.items[i]!;
          for (const [name, value] of Object.entries(row.delta)) assert.equal(back.delta[name], value === 0 ? 0 : -value);
          if (row.verdict === 'improved') assert.equal(back.verdict, 'regressed');
          if (row.verdict === 'unchanged') assert.equal(back.verdict, 'unchanged');
        });
      }),
    );
  });

  it('a signed gate passes exactly when the delta meets it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 }), fc.integer({ min: -100, max: 100 }), (x, y, t) => {
        const comparison = compareRuns('d', [], run('a', [], { m: x / 100 }), run('b', [], { m: y / 100 }));
        const threshold = t / 100;
        const result = evaluateGate(parseGate(`m>=${threshold < 0 ? '-' : '+'}${Math.abs(threshold)}`), comparison);
        const delta = y / 100 - x / 100;
        assert.equal(result.pass, delta >= threshold - 1e-9);
      }),
    );
  });
});
