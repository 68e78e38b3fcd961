// Keys typed faster than a frame, pasted, or sent over SSH arrive as one chunk ("/abc",
// "/\x15", "0.7\r"): Ink hands such a chunk over as one input. Split it back into the
// keystrokes it was, control bytes included, so each is routed on its own (the first may open
// the query line, and the rest belong to it). Pure: tested without a terminal.

import type { KeyPress } from '../ports/keys.js';

export interface Keystroke {
  input: string;
  key: KeyPress;
}

/** Whether Ink already named a key (an arrow, Enter, Ctrl-…): such an input is one keystroke. */
function named(key: KeyPress & { meta?: boolean }): boolean {
  return Boolean(
    key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.pageUp || key.pageDown || key.home || key.end ||
      key.return || key.escape || key.tab || key.backspace || key.delete || key.ctrl || (key as { meta?: boolean }).meta,
  );
}

/** One character of a chunk as the keystroke a terminal sends it for. */
function keystrokeFor(char: string): Keystroke {
  if (char === '\r' || char === '\n') return { input: '', key: { return: true } };
  if (char === '\t') return { input: '', key: { tab: true } };
  if (char === '\x7f' || char === '\b') return { input: '', key: { backspace: true } };
  if (char === '\x1b') return { input: '', key: { escape: true } };
  const code = char.codePointAt(0)!;
  // Ctrl-A … Ctrl-Z (and the few after): the letter, with ctrl, as Ink names them.
  if (code < 0x20) return { input: String.fromCharCode(code + 0x60), key: { ctrl: true } };
  return { input: char, key: {} };
}

export function splitKeystrokes(input: string, key: KeyPress & { meta?: boolean }): Keystroke[] {
  // Esc and the next key in one chunk read as Alt+key ("\x1bq"): tracetop binds no Alt keys,
  // so it is the Esc it was, then the key.
  if (key.meta && input && !named({ ...key, meta: false })) return [{ input: '', key: { escape: true } }, ...[...input].map(keystrokeFor)];
  if (named(key) || [...input].length <= 1) return [{ input, key }];
  return [...input].map(keystrokeFor);
}
