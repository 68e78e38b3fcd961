// `:top`'s pure formatting and the ASCII sparklines.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { aggregateTop, type TopRow } from '../../src/domain/top.js';
import { formatPercent, formatPercentile, formatRate, sortMark, summaryLine, topColumns, topFlag, topHeader } from '../../src/ui/format-top.js';
import { foldBuckets, SPARK_LEVELS, sparkCells, sparkline, sparkRuns } from '../../src/ui/sparkline.js';

const now = Date.parse('2026-01-01T12:15:00Z');
const row = (id: string, key: string, minutesAgo: number, latencyMs: number, error = false): TopRow => ({ id, atMs: now - minutesAgo * 60_000, keys: [key], latencyMs, error, totalTokens: 10, totalCost: 0.001, scores: { helpfulness: error ? 0 : 1 } });

describe('sparkline', () => {
  it('is ASCII, eight levels, blank for an empty bucket, scaled to the peak', () => {
    assert.ok(/^[\x20-\x7e]+$/.test(SPARK_LEVELS));
    assert.equal(sparkline([0, 1, 2, 4, 8]), ' ._=@');
    assert.equal(sparkline([1, 2, 3, 4, 5, 6, 7, 8]), SPARK_LEVELS);
    assert.equal(sparkline([0, 0]), '  ');
  });
  it('folds buckets into the width and marks buckets with errors', () => {
    assert.deepEqual(foldBuckets([1, 1, 1, 1, 2, 2], 3), [2, 2, 4]);
    assert.equal(sparkline([1, 1, 1, 1], [0, 1, 0, 0]), '@!@@');
    assert.equal(sparkline([1, 1, 1, 1], [0, 1, 0, 0], 4, false), '@@@@');
    assert.deepEqual(sparkRuns(sparkCells([1, 1, 1], [0, 1, 1])), [{ text: '@', error: false }, { text: '@@', error: true }]);
  });
});

describe('format-top', () => {
  const result = aggregateTop(
    [row('a', 'chat', 14, 100), row('b', 'chat', 10, 300), row('c', 'chat', 1, 200, true), row('d', 'checkout', 1, 1500, true)],
    { by: 'name', windowMs: 15 * 60_000, now },
  );

  it('numbers are short and fixed; percentiles from few rows are marked ~', () => {
    assert.equal(formatPercent(0), '0%');
    assert.equal(formatPercent(0.0123), '1.2%');
    assert.equal(formatPercent(0.5), '50%');
    assert.equal(formatRate(0.2667), '0.3');
    assert.equal(formatPercentile(1500, 3), '~1.50s');
    assert.equal(formatPercentile(1500, 500), '1.50s');
    assert.equal(formatPercentile(null, 0), '');
  });

  it('a row: flag in text (NEW, ERR!, GONE), group, figures, score means, sparkline', () => {
    const columns = topColumns(['helpfulness'], 8, {});
    const chat = result.groups.find((group) => group.key === 'chat')!;
    const cells = Object.fromEntries(columns.map((column) => [column.id, column.cell({ group: chat, gone: false })]));
    assert.equal(cells.group, 'chat');
    assert.equal(cells.count, '3');
    assert.equal(cells.err, '33%');
    assert.equal(cells['score:helpfulness'], '0.67');
    assert.match(cells.spark!, /^[ ._\-=+*#@!]{8}$/);
    assert.ok(cells.spark!.endsWith('!'), 'the last bucket had the error');
    assert.equal(topFlag({ group: chat, gone: true }), 'GONE');
    const checkout = result.groups.find((group) => group.key === 'checkout')!;
    assert.equal(topFlag({ group: checkout, gone: false }), checkout.turnedBad ? 'ERR!' : 'NEW');
  });

  it('the header says the grouping, window, totals and freshness; the sort column is marked', () => {
    const header = topHeader({ by: 'name', window: '15m', result, source: 'stream', asOf: now, bufferedSince: null, rowsAre: 'traces', groups: 2 });
    assert.match(header, /^top by name \| last 15m \| 4 traces \| 0\.3\/min \| err 50% \| p95 ~1\.\d+s \| 2 groups \| as of \d\d:\d\d:\d\d \(live\)$/);
    assert.equal(sortMark('count', 'count', true), 'v');
    assert.equal(sortMark('p95', 'p95', false), '^');
    assert.equal(sortMark('group', 'count', true), '');
  });

  it("the trace list's summary line", () => {
    const line = summaryLine(result, 10)!;
    assert.match(line.text, /^15m: 4 traces {2}0\.3\/min {2}err 50% {2}p95 ~1\.\d+s$/);
    assert.equal(line.spark.length, 10);
    assert.equal(line.errors, true);
    assert.equal(summaryLine(null, 10), null);
  });
});
