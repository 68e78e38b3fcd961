// The comparison's pure formatting: what a user reads, with and without colour.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compareRuns } from '../../src/domain/experiments.js';
import type { DatasetItemView, RunResults } from '../../src/ports/datasets.js';
import { compareColumns, compareDetail, compareHeader, deltaDirection, formatDelta, formatScoreMove, oneLine, verdictMark } from '../../src/ui/format-datasets.js';

const items: DatasetItemView[] = [
  { id: 'fr', input: { country: 'France' }, expectedOutput: 'Paris', createdAt: '2026-01-01T00:00:00Z' },
  { id: 'au', input: { country: 'Australia' }, expectedOutput: 'Canberra', createdAt: '2026-01-01T00:00:01Z' },
  { id: 'jp', input: { country: 'Japan' }, expectedOutput: 'Tokyo', createdAt: '2026-01-01T00:00:02Z' },
  { id: 'br', input: { country: 'Brazil' }, expectedOutput: 'Brasilia', createdAt: '2026-01-01T00:00:03Z' },
];

function run(name: string, outputs: Record<string, string>, runScore: number): RunResults {
  const results = Object.entries(outputs).map(([id, output]) => ({
    datasetItemId: id,
    traceId: `${name}-${id}`,
    observationId: null,
    output,
    scores: { exact_match: output === items.find((item) => item.id === id)!.expectedOutput ? 1 : 0 },
    latency: name === 'base' ? 2 : 1,
    totalCost: 0.01,
    error: false,
    createdAt: '2026-01-02T00:00:00Z',
  }));
  return {
    run: { id: name, name, description: null, datasetId: 'd', datasetName: 'capitals', createdAt: '', updatedAt: '', itemCount: results.length, itemMeans: {}, runScores: { mean_accuracy: runScore }, errorCount: 0, meanLatency: null, totalCost: null },
    items: results,
  };
}

const comparison = compareRuns('capitals', items, run('base', { fr: 'Paris', au: 'Sydney', jp: 'Tokyo' }, 0.5), run('new', { fr: 'Paris', au: 'Canberra', jp: 'Kyoto', br: 'Brasilia' }, 0.75));

describe('format-datasets', () => {
  it('marks each row without colour: + improved, - regressed, ? a run lacks it, blank unchanged', () => {
    const marks = Object.fromEntries(comparison.items.map((item) => [item.datasetItemId, verdictMark(item)]));
    assert.deepEqual(marks, { fr: ' ', au: '+', jp: '-', br: '?' });
  });

  it("writes a score's move and its signed delta; a missing side is -, never 0", () => {
    const cell = (id: string) => {
      const item = comparison.items.find((entry) => entry.datasetItemId === id)!;
      return formatScoreMove(item.base?.scores.exact_match, item.new?.scores.exact_match, item.delta.exact_match);
    };
    assert.equal(cell('au'), '0>1 +1');
    assert.equal(cell('jp'), '1>0 -1');
    assert.equal(cell('fr'), '1');
    assert.equal(cell('br'), '->1');
    assert.equal(formatDelta(0.2), '+0.20');
    assert.equal(formatDelta(-0.05), '-0.05');
    assert.equal(formatDelta(undefined), '');
  });

  it('lower is better for latency, cost and the scores named so', () => {
    assert.equal(deltaDirection(0.2), 'better');
    assert.equal(deltaDirection(0.2, true), 'worse');
    assert.equal(deltaDirection(-1, true), 'better');
    assert.equal(deltaDirection(0), 'same');
    assert.equal(deltaDirection(undefined), null);
  });

  it('names both sides once and shows each aggregate base > new with its delta', () => {
    const [first, aggregates] = compareHeader(comparison).map((parts) => parts.map((part) => part.text).join(''));
    assert.equal(first, 'capitals: base base (3) -> new new (4)  improved 1 | regressed 1 | unchanged 2 | missing 1');
    assert.match(aggregates!, /^avg exact_match 0\.67>0\.75 \+0\.08 \| mean_accuracy 0\.50>0\.75 \+0\.25 \| errors 0>0 \| avg latency 2\.00s>1\.00s -1\.00s/);
    const latency = compareHeader(comparison)[1]!.find((part) => part.text.includes('latency'))!;
    assert.equal(latency.tone, 'better', 'faster is better');
  });

  it('cells are one line; the detail shows everything in full, wrapped', () => {
    assert.equal(oneLine({ country: 'France' }), '{"country":"France"}');
    assert.equal(oneLine('two\nlines'), 'two lines');
    assert.equal(oneLine('{"a":1}'), '{"a":1}', 'a JSON string reads as its JSON');
    const columns = compareColumns({ scoreNames: comparison.scoreNames });
    assert.deepEqual(columns.map((column) => column.id), ['mark', 'input', 'expected', 'base', 'new', 'score:exact_match']);
    const jp = comparison.items.find((item) => item.datasetItemId === 'jp')!;
    assert.equal(columns.find((column) => column.id === 'score:exact_match')!.tone!(jp), 'worse');
    const detail = compareDetail({ ...jp, new: { ...jp.new!, output: 'x '.repeat(50) } }, comparison, 40).map((line) => line.text);
    assert.ok(detail.every((line) => line.length <= 40), 'wrapped to the width');
    assert.ok(detail.includes('expected output') && detail.includes('  Tokyo'));
    assert.ok(detail.includes('  {') && detail.includes('    "country": "Japan"'), 'JSON keeps its indentation');
    assert.ok(detail.filter((line) => line.startsWith('  x x')).length >= 3);
  });

  it('hostile text stays inert: control characters are made visible', () => {
    const detail = compareDetail({ ...comparison.items[0]!, input: 'evil\u001b[2Jclear' }, comparison, 60).map((line) => line.text).join('\n');
    assert.ok(!detail.includes('\u001b'));
  });
});
