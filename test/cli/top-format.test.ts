// The `top` formatters without a network: the stable JSON line, and the text table with
// hostile group keys made inert and every row fitted to the width.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { aggregateTop, topRowFromTrace } from '../../src/domain/top.js';
import { stringWidth } from '../../src/domain/sanitize.js';
import { topJsonLine, topTextLines } from '../../src/cli/top.js';
import type { TopSnapshot } from '../../src/ports/metrics.js';
import { summary } from '../helpers/fixtures.js';

const NOW = Date.parse('2026-11-24T10:15:00.000Z');

function snapshot(): TopSnapshot {
  const traces = [
    summary('a', { timestamp: new Date(NOW - 1000).toISOString(), name: 'checkout\u001b[2J\u001b]0;pwned\u0007', scores: { groundedness: 0.5 } }),
    summary('b', { timestamp: new Date(NOW - 2000).toISOString(), name: 'x'.repeat(300), errorCount: 1, latency: 4 }),
    summary('c', { timestamp: new Date(NOW - 3000).toISOString(), name: null }),
  ];
  const result = aggregateTop(traces.map((trace) => topRowFromTrace(trace, 'name')!), { by: 'name', windowMs: 15 * 60_000, now: NOW });
  return { ...result, source: 'rows', fetchedAt: new Date(NOW).toISOString(), truncated: false };
}

describe('top formatters', () => {
  it('one JSON line per group with the documented keys, escapes kept as JSON escapes', () => {
    const line = topJsonLine('name', snapshot().groups[0]!);
    assert.doesNotMatch(line, /[\u001b\u0007]/);
    const parsed = JSON.parse(line);
    assert.deepEqual(Object.keys(parsed), ['by', 'key', 'count', 'errorCount', 'errorRate', 'latencyP50', 'latencyP95', 'totalTokens', 'totalCost', 'scores']);
  });

  it('a table whose rows fit the width and carry no control characters', () => {
    for (const width of [60, 120, 200]) {
      const lines = topTextLines(snapshot(), width, '15m');
      assert.equal(lines.length, 2 + 3);
      assert.match(lines[0]!, /^top by name, last 15m: 3 traces/);
      for (const line of lines) {
        assert.doesNotMatch(line, /[\u0000-\u001f\u007f]/);
        assert.ok(stringWidth(line) <= width, `${stringWidth(line)} > ${width}`);
      }
      assert.ok(lines.some((line) => line.startsWith('(none)')));
    }
  });
});
