// Trace content is untrusted: model output and end-user input may carry escape sequences that
// would clear the screen, retitle the window, write the clipboard (OSC 52) or plant links
// (OSC 8) in an on-call engineer's terminal. Everything from a trace passes through here
// before it reaches the screen: control characters become visible, inert text.
//
// Visible forms: ESC → "␛" (so "\x1b[2J" shows as "␛[2J"), other C0 controls → their Control
// Pictures (U+2400 block, e.g. BEL → "␇"), DEL → "␡", C1 controls → "<U+0085>", lone
// surrogates → U+FFFD.
//
// Invisible characters, one rule: every format character (Unicode General_Category Cf — the
// zero-width space and joiners, word joiner, BOM, soft hyphen, bidi marks, embeddings,
// overrides and isolates, tag characters, Arabic/Syriac number signs…) and the line and
// paragraph separators U+2028/U+2029 are shown as "<U+200B>", and so are the code points of
// the invisible blocks not yet assigned (U+2065, the rest of the tag block U+E0000–U+E007F):
// a terminal draws them as nothing today and a newer Unicode may make them format characters. The one exception is U+200D
// (ZERO WIDTH JOINER) between two emoji, where it joins an emoji ZWJ sequence (👩‍💻, 🏳️‍🌈)
// into the one glyph the text means; a ZWJ anywhere else is shown as "<U+200D>".

import stringWidth from 'string-width';

const CONTROL_PICTURES_BASE = 0x2400;

/** The characters the rule above makes visible (C0, DEL and C1 are handled before it). */
const INVISIBLE = /^[\p{Cf}\u2028\u2029\u2065\u{E0000}-\u{E007F}]$/u;
const PICTOGRAPHIC = /^\p{Extended_Pictographic}$/u;

function isInvisibleFormat(code: number): boolean {
  return INVISIBLE.test(String.fromCodePoint(code));
}

/** The code point that ends at index `end` of s (a surrogate pair read whole). */
function codePointEndingAt(s: string, end: number): string {
  const low = s.charCodeAt(end);
  const high = s.charCodeAt(end - 1);
  return low >= 0xdc00 && low <= 0xdfff && high >= 0xd800 && high <= 0xdbff ? s.slice(end - 1, end + 1) : s.charAt(end);
}

/** Whether the U+200D at index i joins two emoji: an emoji (with its variation selector or
 * skin-tone modifier) before it and an emoji after it. */
export function isEmojiJoiner(s: string, i: number): boolean {
  let end = i - 1;
  if (s.charCodeAt(end) === 0xfe0f) end--;
  // Skin-tone modifiers U+1F3FB–U+1F3FF (surrogates D83C DFFB–DFFF).
  if (s.charCodeAt(end - 1) === 0xd83c && s.charCodeAt(end) >= 0xdffb && s.charCodeAt(end) <= 0xdfff) end -= 2;
  if (end < 0 || !PICTOGRAPHIC.test(codePointEndingAt(s, end))) return false;
  const next = s.codePointAt(i + 1);
  return next !== undefined && PICTOGRAPHIC.test(String.fromCodePoint(next));
}

const hex = (code: number) => `<U+${code.toString(16).toUpperCase().padStart(4, '0')}>`;

export interface SanitizeOptions {
  /** Keep "\n" (multi-line views). */
  keepNewlines?: boolean;
  /** Keep "\t" as up to the next tab stop of two spaces. */
  expandTabs?: boolean;
}

/** Returns s with every control and escape made visible and inert. Fast path: no change, no copy. */
export function sanitizeText(s: string, options: SanitizeOptions = {}): string {
  let clean = true;
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    // Everything that may need a change (a superset: Arabic and Syriac take the slow path).
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f) || (code >= 0xd800 && code <= 0xdfff) || code === 0x00ad || (code >= 0x0600 && code <= 0x08ff) || code === 0x180e || (code >= 0x200b && code <= 0x206f) || code >= 0xfeff) {
      clean = false;
      break;
    }
  }
  if (clean) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    if (code < 0x20) {
      if (code === 0x0a && options.keepNewlines) out += '\n';
      else if (code === 0x09 && options.expandTabs) out += '  ';
      else if (code === 0x1b) out += '␛';
      else out += String.fromCharCode(CONTROL_PICTURES_BASE + code);
    } else if (code === 0x7f) {
      out += '␡';
    } else if (code >= 0x80 && code <= 0x9f) {
      out += hex(code);
    } else if (code >= 0xd800 && code <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        const codePoint = (code - 0xd800) * 0x400 + (next - 0xdc00) + 0x10000;
        // Astral format characters (tag characters U+E0001–E007F can smuggle text) too.
        out += isInvisibleFormat(codePoint) ? hex(codePoint) : s[i]! + s[i + 1]!;
        i++;
      } else {
        out += '\uFFFD';
      }
    } else if (code >= 0xdc00 && code <= 0xdfff) {
      out += '\uFFFD';
    } else if (code === 0x200d && isEmojiJoiner(s, i)) {
      out += s[i];
    } else if (isInvisibleFormat(code)) {
      out += hex(code);
    } else {
      out += s[i];
    }
  }
  return out;
}

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Sanitised text as one screen line: newlines fold to "⏎", carriage returns go. */
const lineText = (s: string) => sanitizeText(s).replace(/␊/g, '⏎').replace(/␍/g, '');

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/**
 * One screen line: sanitised, newlines folded to "⏎", cut to `maxWidth` columns with an
 * ellipsis (one column wide) — by grapheme, so no emoji, combining mark or wide character is
 * split.
 */
export function sanitizeLine(s: string, maxWidth: number, ellipsis = '…'): string {
  if (maxWidth <= 0) return '';
  // Printable ASCII is safe as it is and a column a character: no graphemes to walk. (Past
  // maxWidth + 1 such characters the line is cut whatever follows.)
  const head = s.length > maxWidth ? s.slice(0, maxWidth + 1) : s;
  if (PRINTABLE_ASCII.test(head)) return head.length <= maxWidth ? head : `${head.slice(0, maxWidth - 1)}${ellipsis}`;
  if (s.length <= maxWidth * 4 + 16) {
    const text = lineText(s);
    if (stringWidth(text) <= maxWidth) return text;
  }
  // Cut by the input's graphemes, before the first that does not fit. Sanitising grapheme by
  // grapheme is the same as sanitising the whole (the segmenter never splits a surrogate pair).
  // The segmenter copies its whole input, so a 10 MB string is first cut to a prefix far longer
  // than any line, and that prefix's last grapheme (maybe cut in half) is never shown. (Cutting
  // at 4 code units a column used to split ZWJ emoji and surrogate pairs, and to cut lines that
  // fit.)
  const limit = maxWidth * 64 + 1024;
  const input = s.length > limit ? s.slice(0, limit) : s;
  const partial = input.length < s.length;
  let width = 0;
  let text = '';
  let cut = '';
  for (const { segment, index } of segmenter.segment(input)) {
    if (partial && index + segment.length >= input.length) break;
    const piece = lineText(segment);
    const w = stringWidth(piece);
    if (width + w > maxWidth) return `${cut}${ellipsis}`;
    width += w;
    text += piece;
    if (width <= maxWidth - 1) cut = text;
  }
  return partial ? `${cut}${ellipsis}` : text;
}

/** Pads or cuts to exactly `width` columns (for table cells). */
export function fitWidth(s: string, width: number, align: 'left' | 'right' = 'left', ellipsis = '…'): string {
  const line = sanitizeLine(s, width, ellipsis);
  const pad = ' '.repeat(Math.max(0, width - stringWidth(line)));
  let cell = align === 'left' ? line + pad : pad + line;
  // A prepend character at the end (Malayalam ൎ) or a spacing mark at the start (Thai ำ) joins
  // the pad's space next to it into its own cell: one more space makes up the column.
  while (pad && stringWidth(cell) < width) cell = align === 'left' ? `${cell} ` : ` ${cell}`;
  return cell;
}

export { stringWidth };

/**
 * JSON text safe to print to a terminal, still valid JSON with the same value: JSON.stringify
 * escapes C0 controls but not DEL, C1 or invisible format characters; these are escaped too,
 * by the same rule sanitizeText applies (a ZWJ inside an emoji sequence stays).
 */
export function terminalSafeJson(json: string): string {
  return json.replace(/[\u007f-\u009f\u2028\u2029\u2065\p{Cf}\u{E0000}-\u{E007F}]/gu, (c, offset: number) =>
    c === '\u200d' && isEmojiJoiner(json, offset)
      ? c
      : Array.from({ length: c.length }, (_, i) => `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`).join(''),
  );
}
