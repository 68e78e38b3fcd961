// Trace content is untrusted: model output and end-user input may carry escape sequences that
// would clear the screen, retitle the window, write the clipboard (OSC 52) or plant links
// (OSC 8) in an on-call engineer's terminal. Everything from a trace passes through here
// before it reaches the screen: control characters become visible, inert text.
//
// Visible forms: ESC → "␛" (so "\x1b[2J" shows as "␛[2J"), other C0 controls → their Control
// Pictures (U+2400 block, e.g. BEL → "␇"), DEL → "␡", C1 controls and invisible or
// direction-changing format characters → "<U+202E>", lone surrogates → U+FFFD.

import stringWidth from 'string-width';

const CONTROL_PICTURES_BASE = 0x2400;

function isInvisibleFormat(code: number): boolean {
  return (
    // Zero-width space and LRM/RLM; the joiners U+200C/U+200D stay (emoji sequences, scripts).
    code === 0x200b ||
    code === 0x200e ||
    code === 0x200f ||
    (code >= 0x2028 && code <= 0x202e) || // line/paragraph separators, bidi embeddings and overrides
    (code >= 0x2060 && code <= 0x206f) || // word joiner, invisible operators, bidi isolates
    code === 0xfeff || // BOM / zero-width no-break space
    code === 0x061c || // Arabic letter mark
    code === 0x00ad || // soft hyphen
    (code >= 0xfff9 && code <= 0xfffb) // interlinear annotation
  );
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
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f) || (code >= 0xd800 && code <= 0xdfff) || code === 0x00ad || code === 0x061c || (code >= 0x200b && code <= 0x206f) || code >= 0xfeff) {
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
        // Tag characters (U+E0000–E007F) are invisible and can smuggle text.
        out += codePoint >= 0xe0000 && codePoint <= 0xe007f ? hex(codePoint) : s[i]! + s[i + 1]!;
        i++;
      } else {
        out += '\uFFFD';
      }
    } else if (code >= 0xdc00 && code <= 0xdfff) {
      out += '\uFFFD';
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
 * escapes C0 controls but not DEL, C1, bidi or invisible format characters; these are
 * escaped too — the same set sanitizeText makes visible, tag characters included.
 */
export function terminalSafeJson(json: string): string {
  return json.replace(/[\u007f-\u009f\u00ad\u061c\u200b\u200e\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]|\udb40[\udc00-\udc7f]/g, (c) =>
    Array.from({ length: c.length }, (_, i) => `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`).join(''),
  );
}
