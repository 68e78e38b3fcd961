import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sanitizeLine, sanitizeText, stringWidth } from '../../src/domain/sanitize.js';
import { formatJson, jsonLinesToPlain } from '../../src/domain/json-view.js';

const HOSTILE = [
  '\x1b[2J\x1b[H', // clear screen, home
  '\x1b]0;pwned\x07', // set title
  '\x1b]52;c;cm0gLXJmIH4=\x07', // OSC 52 clipboard write
  '\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\', // OSC 8 link
  '\x1bP+q544e\x1b\\', // DCS
  '\x1b_apc\x1b\\', // APC
  '\u009b31m', // C1 CSI
  'abc\u202Eevil\u202C', // bidi override
  'zero\u200Bwidth\uFEFF',
  '\uD800lone', // lone surrogate
  'bell\x07del\x7F',
];

// Anything that could move the cursor or change terminal state.
const DANGEROUS = /[\x00-\x09\x0B-\x1F\x7F\u0080-\u009F\u202A-\u202E\u2066-\u2069\u200B\u200E\u200F\uFEFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])/;

describe('sanitizer', () => {
  it('makes every escape and control visible and inert', () => {
    for (const sample of HOSTILE) {
      const clean = sanitizeText(sample);
      assert.ok(!DANGEROUS.test(clean), `${JSON.stringify(sample)} → ${JSON.stringify(clean)}`);
    }
    assert.equal(sanitizeText('\x1b[2J'), '␛[2J');
    assert.equal(sanitizeText('a\u202Eb'), 'a<U+202E>b');
    assert.equal(sanitizeText('plain text'), 'plain text');
  });

  it('keeps CJK, emoji and combining marks and fits them to a width', () => {
    assert.equal(sanitizeText('東京 👩‍💻 é'), '東京 👩‍💻 é');
    const line = sanitizeLine('東京東京東京東京', 7);
    assert.ok(stringWidth(line) <= 7);
    assert.ok(line.endsWith('…'));
    assert.equal(sanitizeLine('a\nb', 10), 'a⏎b');
  });

  it('formats hostile, huge and deep JSON quickly and inertly', () => {
    const deep = JSON.parse('['.repeat(1000) + ']'.repeat(1000));
    const huge = { text: 'x'.repeat(10 * 1024 * 1024), items: Array.from({ length: 100_000 }, (_, i) => i), __proto__key: 1 };
    const hostile = JSON.parse('{"__proto__": {"polluted": true}, "constructor": "\\u001b[2J", "bidi": "\\u202e"}');
    const started = performance.now();
    for (const value of [deep, huge, hostile, HOSTILE]) {
      const lines = jsonLinesToPlain(formatJson(value, { width: 60, maxLines: 200 }));
      for (const line of lines) {
        assert.ok(!DANGEROUS.test(line), line);
        assert.ok(stringWidth(line) <= 60, `wider than 60: ${line}`);
      }
    }
    assert.ok(performance.now() - started < 5_000);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    const text = jsonLinesToPlain(formatJson(huge, { width: 80, maxLines: 50 })).join('\n');
    assert.match(text, /\+10,483,760 chars/);
    assert.ok(jsonLinesToPlain(formatJson(hostile, { width: 80 })).join('\n').includes('"__proto__"'));
  });

  it('shows JSON inside a string as JSON', () => {
    assert.deepEqual(jsonLinesToPlain(formatJson('{"a":1}', { width: 40 })), ['{', '  "a": 1', '}']);
  });
});
