// Property-based tests (fast-check) of the sanitiser every trace string passes through before it
// reaches a terminal: over arbitrary UTF-16 (lone surrogates included), hostile escape
// sequences, C1 controls, bidi and invisible format characters, combining marks, wide CJK and
// emoji, the output never holds anything a terminal acts on, sanitising is idempotent, and a
// line cut to a width never exceeds it.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fitWidth, sanitizeLine, sanitizeText, stringWidth } from '../../src/domain/sanitize.js';
import { formatJson, jsonLinesToPlain } from '../../src/domain/json-view.js';

const RUNS = { numRuns: 400 };

/** Whole sequences and single characters a hostile trace might carry. */
const HOSTILE_PIECES = [
  '\x1b[2J', '\x1b[H', '\x1b]0;title\x07', '\x1b]52;c;ZXZpbA==\x07', '\x1b]8;;https://e.x/\x1b\\', '\x1b\\', '\x1bP+q544e\x1b\\',
  '\x1b_Gf=100\x1b\\', '\x1b^pm\x1b\\', '\x1bc', '\x1b', '\x07', '\x00', '\x08', '\t', '\n', '\r', '\r\n', '\x0b', '\x0c', '\x7f',
  '\u0080', '\u0085', '\u0090', '\u009b', '\u009c', '\u009d', '\u009f', '\u00ad', '\u061c', '\u200b', '\u200c', '\u200d', '\u200e',
  '\u200f', '\u2028', '\u2029', '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2060', '\u2066', '\u2067', '\u2068', '\u2069',
  '\ufeff', '\ufff9', '\ufffb', '\ud800', '\udfff', '\udb40\udc41', '\udb40\udc7f', '\u0301', '\u0337', '\u20dd', '\ufe0f', '\ufe0e',
  '東', '京', '한', 'Ｆ', '👩‍💻', '👩‍👩‍👧‍👦', '🇯🇵', '👍🏽', '🏳️‍🌈', 'é', 'e\u0301', '␛', '<U+202E>', '…', '⏎', '\uFFFD',
];

const hostileUnit = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_PIECES) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 4 }) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 2 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 2 }) },
);
const hostileString = fc.array(hostileUnit, { maxLength: 60 }).map((parts) => parts.join(''));

/** What must never survive: C0 but "\n" (checked per option below), DEL, C1, bidi and invisible format characters. */
const FORBIDDEN = /[\x00-\x09\x0B-\x1F\x7F\u0080-\u009F\u00AD\u061C\u200B\u200E\u200F\u2028-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB]|\uDB40[\uDC00-\uDC7F]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function assertInert(output: string, input: string, allowNewline: boolean) {
  const forbidden = FORBIDDEN.exec(output);
  assert.equal(forbidden, null, `U+${forbidden?.[0].codePointAt(0)?.toString(16)} survived in ${JSON.stringify(output)} from ${JSON.stringify(input)}`);
  assert.ok(!LONE_SURROGATE.test(output), `lone surrogate in ${JSON.stringify(output)}`);
  if (!allowNewline) assert.ok(!output.includes('\n'), `newline in ${JSON.stringify(output)}`);
}

describe('sanitizer properties (fast-check)', () => {
  it('sanitizeText leaves no ESC, C0 (but kept \\n), C1, DEL, bidi, invisible format or lone surrogate', () => {
    fc.assert(
      fc.property(hostileString, fc.boolean(), fc.boolean(), (input, keepNewlines, expandTabs) => {
        const output = sanitizeText(input, { keepNewlines, expandTabs });
        assertInert(output, input, keepNewlines);
        assert.ok(!output.includes('\x1b'));
      }),
      RUNS,
    );
  });

  it('sanitizeText is idempotent and keeps clean text as it is', () => {
    fc.assert(
      fc.property(hostileString, fc.boolean(), fc.boolean(), (input, keepNewlines, expandTabs) => {
        const once = sanitizeText(input, { keepNewlines, expandTabs });
        assert.equal(sanitizeText(once, { keepNewlines, expandTabs }), once, `not idempotent on ${JSON.stringify(input)}`);
        assert.equal(sanitizeText(once), sanitizeText(once, { keepNewlines: false }), 'default options are the plain ones');
      }),
      RUNS,
    );
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-ascii' }), (input) => {
        const printable = input.replace(/[\x00-\x1f\x7f]/g, '');
        assert.equal(sanitizeText(printable), printable);
      }),
      RUNS,
    );
  });

  it('sanitizeLine never exceeds the requested width, holds one line, and is inert', () => {
    fc.assert(
      fc.property(hostileString, fc.integer({ min: -2, max: 120 }), (input, width) => {
        const line = sanitizeLine(input, width);
        assert.ok(stringWidth(line) <= Math.max(0, width), `width ${stringWidth(line)} > ${width}: ${JSON.stringify(line)} from ${JSON.stringify(input)}`);
        assertInert(line, input, false);
        if (width <= 0) assert.equal(line, '');
      }),
      RUNS,
    );
  });

  it('sanitizeLine keeps long input within the width too (the fast slice path)', () => {
    fc.assert(
      fc.property(fc.array(hostileUnit, { minLength: 50, maxLength: 400 }).map((parts) => parts.join('')), fc.integer({ min: 1, max: 40 }), (input, width) => {
        const line = sanitizeLine(input, width);
        assert.ok(stringWidth(line) <= width, `width ${stringWidth(line)} > ${width}: ${JSON.stringify(line)}`);
        assertInert(line, input, false);
      }),
      { numRuns: 200 },
    );
  });

  it('sanitizeLine is idempotent once a line fits', () => {
    fc.assert(
      fc.property(hostileString, fc.integer({ min: 1, max: 80 }), (input, width) => {
        const line = sanitizeLine(input, width);
        assert.equal(sanitizeLine(line, width), line, `re-cutting ${JSON.stringify(line)} changed it`);
      }),
      RUNS,
    );
  });

  it('sanitizeLine never cuts a line that fits, and never splits a grapheme of well-formed text', () => {
    // Many code units a column: ZWJ families, flags, skin tones, stacked combining marks.
    const dense = fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom('👩‍👩‍👧‍👦', '🏳️‍🌈', '🧑🏿‍💻', 'e\u0301\u0302\u0303', 'x' + '\u0300'.repeat(12)) },
      { weight: 1, arbitrary: fc.constantFrom('🇯🇵', '👍🏽', '東', 'a', ' ') },
      { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
    );
    fc.assert(
      // Widths around the text's own width: just fitting, and one to three columns short.
      fc.property(fc.array(dense, { minLength: 1, maxLength: 120 }).map((parts) => parts.join('')), fc.integer({ min: -3, max: 1 }), (input, delta) => {
        const whole = sanitizeText(input).replace(/␊/g, '⏎').replace(/␍/g, '');
        const width = Math.max(1, stringWidth(whole) + delta);
        const line = sanitizeLine(input, width);
        if (stringWidth(whole) <= width) assert.equal(line, whole, `a line ${stringWidth(whole)} wide was cut at ${width}`);
        else {
          assert.ok(line.endsWith('…'));
          assert.ok(whole.startsWith(line.slice(0, -1)), `${JSON.stringify(line)} is not a prefix of ${JSON.stringify(whole)}`);
          const graphemes = [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(whole)].map((s) => s.segment);
          let prefix = '';
          for (const grapheme of graphemes) {
            if (prefix === line.slice(0, -1)) break;
            prefix += grapheme;
          }
          assert.equal(prefix, line.slice(0, -1), `the cut splits a grapheme: ${JSON.stringify(line)}`);
        }
        if (!input.includes('\uFFFD')) assert.ok(!line.includes('\uFFFD'), `U+FFFD appeared in ${JSON.stringify(line)}`);
      }),
      RUNS,
    );
  });

  it('fitWidth pads or cuts to exactly the width', () => {
    fc.assert(
      fc.property(hostileString, fc.integer({ min: 1, max: 60 }), fc.constantFrom('left' as const, 'right' as const), (input, width, align) => {
        const cell = fitWidth(input, width, align);
        assert.equal(stringWidth(cell), width, `${JSON.stringify(cell)} is ${stringWidth(cell)} wide, not ${width}`);
        assertInert(cell, input, false);
      }),
      // Found by this property: a spacing mark first, or a prepend character last, joined a space
      // of the pad into its cell.
      { ...RUNS, examples: [['\u0e33', 2, 'right'], ['\u0d4e', 2, 'left']] },
    );
  });

  it('formatJson wraps a long string only between graphemes (no split emoji, flag or accent)', () => {
    const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
    const piece = fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom('👩‍👩‍👧‍👦', '🏳️‍🌈', '🇯🇵', '👍🏽', 'e\u0301', '東', '한') },
      { weight: 2, arbitrary: fc.constantFrom('a', 'b', ' ', '-') },
      { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
    );
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 80 }).map((parts) => parts.join('')), fc.integer({ min: 8, max: 60 }), (input, width) => {
        const lines = jsonLinesToPlain(formatJson(input, { width, maxLines: 1_000 }));
        const whole = JSON.stringify(sanitizeText(input));
        const boundaries = new Set<number>([whole.length]);
        for (const { index } of segmenter.segment(whole)) boundaries.add(index);
        // The first line starts at the string; each continuation line repeats an indent of one space.
        let offset = 0;
        lines.forEach((line, index) => {
          const text = index === 0 ? line : line.replace(/^ /, '');
          assert.ok(whole.startsWith(text, offset), `line ${index} ${JSON.stringify(line)} is not the next part of ${JSON.stringify(whole)}`);
          offset += text.length;
          assert.ok(boundaries.has(offset), `line ${index} ends inside a grapheme: ${JSON.stringify(line)}`);
          assert.ok(stringWidth(line) <= width);
        });
        assert.equal(offset, whole.length);
      }),
      RUNS,
    );
    // A string past maxStringLength is cut there, never inside a surrogate pair (U+FFFD).
    const cutText = jsonLinesToPlain(formatJson(`a${'😀'.repeat(1500)}`, { width: 80, maxLines: 100 })).join('');
    assert.ok(!cutText.includes('\uFFFD'), 'a cut emoji shows as U+FFFD');
    assert.match(cutText, /😀…" \(\+1,001 chars\)$/);
  });

  it('formatJson lines over hostile keys and values fit the width and are inert', () => {
    const key = fc.oneof(hostileString, fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString'));
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        hostileString,
        fc.double(),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('node'), { maxLength: 4 }),
        fc.array(fc.tuple(key, tie('node')), { maxLength: 4 }).map((entries) => {
          // Own properties, even "__proto__" (as JSON.parse makes them).
          const object: Record<string, unknown> = {};
          for (const [k, v] of entries) Object.defineProperty(object, k, { value: v, enumerable: true, writable: true, configurable: true });
          return object;
        }),
      ),
    })).node;
    fc.assert(
      fc.property(value, fc.integer({ min: 8, max: 100 }), (input, width) => {
        const lines = jsonLinesToPlain(formatJson(input, { width, maxLines: 200 }));
        for (const line of lines) {
          assert.ok(stringWidth(line) <= width, `width ${stringWidth(line)} > ${width}: ${JSON.stringify(line)}`);
          assertInert(line, JSON.stringify(input) ?? '', false);
        }
      }),
      { numRuns: 300 },
    );
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
