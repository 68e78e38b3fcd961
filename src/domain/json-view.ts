// Pretty, syntax-tokenised JSON for the detail pane and `tracetop get`, built only as far as
// it will be shown: a 10 MB string, JSON nested 1,000 deep or a 100,000-element array costs
// what fits in maxLines, not what the payload weighs. Every string passes the sanitiser.

import { sanitizeText, stringWidth } from './sanitize.js';

export type TokenKind = 'key' | 'string' | 'number' | 'boolean' | 'null' | 'punct' | 'fold';

export interface Token {
  text: string;
  kind: TokenKind;
}

export type JsonLine = Token[];

export interface JsonViewOptions {
  width: number;
  maxLines?: number;
  maxStringLength?: number;
  maxDepth?: number;
  maxItems?: number;
  indent?: number;
}

/** Langfuse v4 returns input/output as raw strings: show JSON inside a string as JSON. */
export function unwrapJsonString(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  if (trimmed.length < 2 || trimmed.length > 5_000_000 || !'[{'.includes(trimmed[0]!)) return value;
  try {
    return JSON.parse(trimmed);
  } catch {
    return value;
  }
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

class LineBuilder {
  readonly lines: JsonLine[] = [];
  private current: JsonLine = [];
  private currentWidth = 0;

  constructor(
    private readonly width: number,
    private readonly maxLines: number,
  ) {}

  get full(): boolean {
    return this.lines.length >= this.maxLines;
  }

  push(text: string, kind: TokenKind, indent: string): void {
    if (this.full || text.length === 0) return;
    const textWidth = stringWidth(text);
    if (textWidth <= this.width - this.currentWidth) {
      this.current.push({ text, kind });
      this.currentWidth += textWidth;
      return;
    }
    // Wrap a long token across lines, continuing at the same indentation — between graphemes,
    // so no ZWJ emoji, flag or accented letter is split (code points split them). A string
    // breaks after a space where one is near the end of the line (words stay whole).
    let piece = '';
    let pieceWidth = 0;
    for (const { segment } of graphemes.segment(text)) {
      const w = stringWidth(segment);
      if (this.currentWidth + pieceWidth + w > this.width) {
        const space = kind === 'string' ? piece.lastIndexOf(' ') : -1;
        const carry = space > 0 ? piece.slice(space + 1) : '';
        const carryWidth = stringWidth(carry);
        if (space > 0 && carryWidth + w <= this.width / 3) {
          this.current.push({ text: piece.slice(0, space + 1), kind });
          piece = carry;
          pieceWidth = carryWidth;
        } else {
          if (piece) this.current.push({ text: piece, kind });
          piece = '';
          pieceWidth = 0;
        }
        this.newline(indent + ' ');
        if (this.full) return;
      }
      piece += segment;
      pieceWidth += w;
    }
    if (piece) {
      this.current.push({ text: piece, kind });
      this.currentWidth += pieceWidth;
    }
  }

  newline(rawIndent: string): void {
    if (this.full) return;
    // Deep nesting must not push content off the pane: indentation stops at half the width.
    const indent = rawIndent.length > this.width / 2 ? rawIndent.slice(0, Math.floor(this.width / 2)) : rawIndent;
    this.lines.push(this.current);
    this.current = indent ? [{ text: indent, kind: 'punct' }] : [];
    this.currentWidth = stringWidth(indent);
  }

  finish(): JsonLine[] {
    if (this.current.length > 0 && !this.full) this.lines.push(this.current);
    return this.lines;
  }
}

const numberFormat = new Intl.NumberFormat('en-US');

export function formatJson(value: unknown, options: JsonViewOptions): JsonLine[] {
  const maxStringLength = options.maxStringLength ?? 2_000;
  const maxDepth = options.maxDepth ?? 40;
  const maxItems = options.maxItems ?? 200;
  const indentUnit = ' '.repeat(options.indent ?? 2);
  const out = new LineBuilder(Math.max(8, options.width), options.maxLines ?? 10_000);
  const seen = new WeakSet<object>();

  const scalar = (item: unknown, indent: string) => {
    if (item === null || item === undefined) out.push('null', 'null', indent);
    else if (typeof item === 'boolean') out.push(String(item), 'boolean', indent);
    else if (typeof item === 'number' || typeof item === 'bigint') out.push(String(item), 'number', indent);
    else {
      const text = String(item);
      // Never cut a surrogate pair in half (it would show as U+FFFD).
      const cut = maxStringLength - (/[\uD800-\uDBFF]/.test(text[maxStringLength - 1] ?? '') ? 1 : 0);
      const shown = text.length > maxStringLength ? text.slice(0, cut) : text;
      out.push(JSON.stringify(sanitizeText(shown)).slice(0, -1) + (text.length > maxStringLength ? '…"' : '"'), 'string', indent);
      if (text.length > maxStringLength) out.push(` (+${numberFormat.format(text.length - maxStringLength)} chars)`, 'fold', indent);
    }
  };

  const walk = (item: unknown, indent: string, depth: number): void => {
    if (out.full) return;
    if (typeof item !== 'object' || item === null) return scalar(item, indent);
    if (seen.has(item)) return out.push('[circular]', 'fold', indent);
    if (depth >= maxDepth) return out.push(Array.isArray(item) ? '[…] (depth limit)' : '{…} (depth limit)', 'fold', indent);
    seen.add(item);
    const inner = indent + indentUnit;
    if (Array.isArray(item)) {
      if (item.length === 0) {
        out.push('[]', 'punct', indent);
      } else {
        out.push('[', 'punct', indent);
        const shown = Math.min(item.length, maxItems);
        for (let index = 0; index < shown && !out.full; index++) {
          out.newline(inner);
          walk(item[index], inner, depth + 1);
          if (index < item.length - 1) out.push(',', 'punct', inner);
        }
        if (item.length > shown) {
          out.newline(inner);
          out.push(`… ${numberFormat.format(item.length - shown)} more items`, 'fold', inner);
        }
        out.newline(indent);
        out.push(']', 'punct', indent);
      }
    } else {
      const keys = Object.keys(item);
      if (keys.length === 0) {
        out.push('{}', 'punct', indent);
      } else {
        out.push('{', 'punct', indent);
        const shown = Math.min(keys.length, maxItems);
        for (let index = 0; index < shown && !out.full; index++) {
          const key = keys[index]!;
          out.newline(inner);
          out.push(JSON.stringify(sanitizeText(key)), 'key', inner);
          out.push(': ', 'punct', inner);
          walk((item as Record<string, unknown>)[key], inner, depth + 1);
          if (index < keys.length - 1) out.push(',', 'punct', inner);
        }
        if (keys.length > shown) {
          out.newline(inner);
          out.push(`… ${numberFormat.format(keys.length - shown)} more keys`, 'fold', inner);
        }
        out.newline(indent);
        out.push('}', 'punct', indent);
      }
    }
    seen.delete(item);
  };

  walk(unwrapJsonString(value), '', 0);
  return out.finish();
}

export function jsonLinesToPlain(lines: JsonLine[]): string[] {
  return lines.map((line) => line.map((token) => token.text).join(''));
}
