// The detail pane's text: status messages in full, JSON strings wrapped at word boundaries,
// the Langfuse link only where a page exists and never cut, one way to show a boolean.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { booleanText, detailLines, wrapWords } from '../../src/ui/detail-lines.js';
import { formatJson } from '../../src/domain/json-view.js';
import { stringWidth } from '../../src/domain/sanitize.js';
import { fullTrace, observation } from '../helpers/fixtures.js';

const text = (lines: { text: string }[][]) => lines.map((line) => line.map((token) => token.text).join(''));

describe('wrapping', () => {
  it('wraps at spaces, keeps spacing inside a line, splits only words wider than a line', () => {
    assert.deepEqual(wrapWords('vector index unavailable: connection refused', 20), ['vector index', 'unavailable:', 'connection refused']);
    assert.deepEqual(wrapWords('input 1000  output 200', 40), ['input 1000  output 200']);
    assert.deepEqual(wrapWords('abcdefghij', 4), ['abcd', 'efgh', 'ij']);
    assert.deepEqual(wrapWords('one\ntwo', 10), ['one', 'two']);
  });

  it('loses no character and fits every line (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.integer({ min: 1, max: 60 }), (input, width) => {
        const clean = input.replace(/[\u0000-\u001f\u007f-\u009f\ud800-\udfff]/g, 'x');
        const lines = wrapWords(clean, width);
        for (const line of lines) assert.ok(stringWidth(line) <= Math.max(width, 2), `${JSON.stringify(line)} > ${width}`);
        assert.equal(lines.join('').replace(/[ \n]/g, ''), clean.replace(/[ \n]/g, ''));
      }),
    );
  });

  it('JSON strings break between words where they can ("France", not "Fr"/"ance")', () => {
    const lines = formatJson({ content: 'What is the capital of France? And of the generation after?' }, { width: 30 }).map((line) => line.map((token) => token.text).join(''));
    const joined = lines.join('\n');
    for (const word of ['capital', 'France?', 'generation']) assert.ok(lines.some((line) => line.includes(word)), `${word} split:\n${joined}`);
    for (const line of lines) assert.ok(stringWidth(line) <= 30);
  });
});

describe('detail pane', () => {
  const message = 'vector index unavailable: connection refused by 10.0.0.12:6333 after 3 retries (deadline exceeded while waiting for the shard leader)';
  const failing = observation('search', { level: 'ERROR', statusMessage: message });
  const trace = fullTrace('trace-with-a-long-id-0123456789', [failing], { htmlPath: '/project/p/traces/trace-with-a-long-id-0123456789' });

  it('shows a status message in full, wrapped under its label, at any width', () => {
    for (const width of [40, 50, 80]) {
      const lines = text(detailLines(trace, failing, width));
      const start = lines.findIndex((line) => line.startsWith('status'));
      assert.ok(start >= 0);
      const status = [lines[start]!.slice(12)];
      for (let at = start + 1; lines[at]!.startsWith(' '.repeat(12)) && lines[at]!.trim(); at++) status.push(lines[at]!.trim());
      assert.equal(status.join(' '), message);
      for (const line of lines.slice(0, start + status.length)) assert.ok(stringWidth(line) <= width, `${line} wider than ${width}`);
    }
  });

  it('links to the Langfuse web UI only when there is one, whole, on its own lines', () => {
    assert.ok(!text(detailLines(trace, null, 60)).some((line) => line.includes('/traces/')), 'no link without a web UI (tracetop serve)');
    const base = 'https://cloud.langfuse.com';
    const lines = text(detailLines(trace, null, 40, 2000, { webBase: base }));
    const at = lines.findIndex((line) => line.startsWith('link'));
    assert.ok(at >= 0, lines.join('\n'));
    const url = lines.slice(at + 1, lines.indexOf('', at));
    assert.equal(url.map((line) => line.slice(2)).join(''), `${base}${trace.htmlPath}`);
    for (const line of url) assert.ok(stringWidth(line) <= 40);
  });

  it('a boolean score reads true/false, as in the list', () => {
    assert.equal(booleanText(0, 'False'), 'false');
    assert.equal(booleanText(1, 'True'), 'true');
    const scored = fullTrace('t', [], { scores: [{ id: 's', traceId: 't', observationId: null, name: 'resolved', value: 0, stringValue: 'False', dataType: 'BOOLEAN', source: 'API', comment: null, timestamp: '2026-11-24T10:00:00.000Z' } as never] });
    const lines = text(detailLines(scored, null, 80));
    assert.ok(lines.some((line) => /resolved false \(api\)/.test(line)), lines.join('\n'));
  });
});
