// Colours by meaning, so screens never pick raw colours. Only the 16 named ANSI colours are
// used: they follow the terminal's own palette, so they read on any terminal, and chalk
// (under Ink) downgrades nothing. Two variants: for dark and for light backgrounds.

import chalk from 'chalk';

const DARK = {
  accent: 'cyan',
  muted: 'gray',
  error: 'red',
  warning: 'yellow',
  ok: 'green',
  selectionBg: 'blue',
  key: 'cyan',
  string: 'green',
  number: 'yellow',
  boolean: 'magenta',
  null: 'gray',
  fold: 'gray',
  bar: 'cyan',
  barError: 'red',
};

const LIGHT: typeof DARK = {
  accent: 'blue',
  muted: 'blackBright',
  error: 'red',
  // Yellow and cyan wash out on white: darker neighbours instead.
  warning: 'magenta',
  ok: 'green',
  selectionBg: 'cyan',
  key: 'blue',
  string: 'green',
  number: 'magenta',
  boolean: 'red',
  null: 'blackBright',
  fold: 'blackBright',
  bar: 'blue',
  barError: 'red',
};

export type ThemeName = 'dark' | 'light';

/** The palette in use; components read it at render time. */
export const theme = { ...DARK };

/**
 * Whether colour reaches the screen: as chalk, which colours Ink's text, decides it (NO_COLOR,
 * --no-color, FORCE_COLOR, CI, TERM). Waterfall bars are cells painted in the bar colour (a run
 * of plain spaces costs the renderer far less than block glyphs); without colour they are
 * drawn with glyphs instead.
 */
export const display = { colour: chalk.level > 0 };

export function applyTheme(name: ThemeName): void {
  Object.assign(theme, name === 'light' ? LIGHT : DARK);
}
