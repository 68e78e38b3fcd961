// The sanitiser's invisible-character policy is one rule (issue 15: raw U+200D reached the
// terminal while U+200B/U+2060/U+FEFF were escaped): every format character (Cf) and U+2028/
// U+2029 is shown as <U+XXXX>, except a ZWJ joining two emoji into one glyph. The same rule
// holds for the screen (sanitizeText, sanitizeLine) and for JSON output (terminalSafeJson).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sanitizeLine, sanitizeText, terminalSafeJson } from '../../src/domain/sanitize.js';

// The unassigned code points of the invisible blocks count too (U+E0000 was found by the
// sanitiser's property test: a terminal draws it as nothing).
const FORMAT = /^[\p{Cf}\u2028\u2029\u2065\u{E0000}-\u{E007F}]$/u;
const everyFormatCharacter: number[] = [];
for (let code = 0; code <= 0x10ffff; code++) {
  if ((code < 0xd800 || code > 0xdfff) && FORMAT.test(String.fromCodePoint(code))) everyFormatCharacter.push(code);
}
const hex = (code: number) => `<U+${code.toString(16).toUpperCase().padStart(4, '0')}>`;

describe('one rule for invisible characters', () => {
  it('every format character, ZWJ and ZWNJ included, is made visible between letters', () => {
    assert.ok(everyFormatCharacter.includes(0x200d) && everyFormatCharacter.includes(0x200b) && everyFormatCharacter.includes(0xe0041) && everyFormatCharacter.includes(0xe0000));
    for (const code of everyFormatCharacter) {
      const text = `a${String.fromCodePoint(code)}b`;
      assert.equal(sanitizeText(text), `a${hex(code)}b`, hex(code));
      assert.equal(sanitizeLine(text, 40), `a${hex(code)}b`, hex(code));
      const json = terminalSafeJson(JSON.stringify(text));
      assert.equal(JSON.parse(json), text);
      assert.ok(!json.includes(String.fromCodePoint(code)), `${hex(code)} raw in JSON output`);
    }
  });

  it('a ZWJ joining emoji stays, so the sequence is one glyph', () => {
    for (const emoji of ['👩\u200d💻', '👨🏽\u200d🚀', '🏳\ufe0f\u200d🌈', '👨\u200d👩\u200d👧\u200d👦']) {
      assert.equal(sanitizeText(emoji), emoji);
      assert.equal(sanitizeLine(`x ${emoji} y`, 40), `x ${emoji} y`);
      assert.equal(terminalSafeJson(JSON.stringify(emoji)), JSON.stringify(emoji));
    }
  });

  it('a ZWJ with an emoji on one side only, or at either end, is made visible', () => {
    for (const [text, expected] of [
      ['👩\u200dx', '👩<U+200D>x'],
      ['x\u200d💻', 'x<U+200D>💻'],
      ['\u200d💻', '<U+200D>💻'],
      ['👩\u200d', '👩<U+200D>'],
      ['👩\u200d\u200d💻', '👩<U+200D><U+200D>💻'],
    ] as const) {
      assert.equal(sanitizeText(text), expected);
      assert.equal(JSON.parse(terminalSafeJson(JSON.stringify(text))), text);
      assert.ok(terminalSafeJson(JSON.stringify(text)).includes('\\u200d'));
    }
  });
});
