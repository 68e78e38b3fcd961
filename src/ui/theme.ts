// Colours by meaning, so screens never pick raw colours. Only the 16 named ANSI colours are
// used: they follow the terminal's own palette, so they read on any terminal, and chalk
// (under Ink) downgrades nothing. Two variants: for dark and for light backgrounds.
//
// Without colour (NO_COLOR, --no-color, FORCE_COLOR=0, or a terminal chalk finds colourless)
// every token is undefined, so no colour sequence is written at all, while reverse video and
// bold stay on: the selected row, the cursor and the focused pane are still visible.

import chalk from 'chalk';

type Palette = {
  accent: string;
  muted: string;
  error: string;
  warning: string;
  ok: string;
  selectionBg: string;
  key: string;
  string: string;
  number: string;
  boolean: string;
  null: string;
  fold: string;
  bar: string;
  barError: string;
  better: string;
  worse: string;
  missing: string;
  variable: string;
  added: string;
  removed: string;
  fresh: string;
};

const DARK: Palette = {
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
  // Experiments, prompts, top: a change for the better / worse, a value one side lacks, a
  // `{{variable}}`, diff lines, a group new in the window.
  better: 'green',
  worse: 'red',
  missing: 'yellow',
  variable: 'magenta',
  added: 'green',
  removed: 'red',
  fresh: 'yellow',
};

const LIGHT: Palette = {
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
  better: 'green',
  worse: 'red',
  missing: 'magenta',
  variable: 'magenta',
  added: 'green',
  removed: 'red',
  fresh: 'magenta',
};

/** Every token unset: what the screens get without colour. */
const NONE = Object.fromEntries(Object.keys(DARK).map((key) => [key, undefined])) as { [K in keyof Palette]: string | undefined };

export type ThemeName = 'dark' | 'light';

/**
 * Whether the user wants colour: never with NO_COLOR (any non-empty value), --no-color,
 * FORCE_COLOR=0 or TERM=dumb; otherwise as chalk detected the terminal. Read from the
 * environment and argv directly, because the TUI's modules may load before the CLI has
 * parsed its flags.
 */
export function colourWanted(env: NodeJS.ProcessEnv = process.env, argv: readonly string[] = process.argv, level: number = chalk.level): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (argv.some((arg) => arg === '--no-color' || arg === '--no-colors' || arg === '--color=false' || arg === '--color=never')) return false;
  if (env.FORCE_COLOR === '0' || env.FORCE_COLOR === 'false') return false;
  if (env.TERM === 'dumb') return false;
  return level > 0;
}

/**
 * Whether colour reaches the screen. Waterfall bars are cells painted in the bar colour (a run
 * of plain spaces costs the renderer far less than block glyphs); without colour they are
 * drawn with glyphs instead.
 */
export const display = { colour: colourWanted() };

let current: ThemeName = 'dark';

/** The palette in use (tokens are undefined without colour); components read it at render time. */
export const theme: { [K in keyof Palette]: string | undefined } = { ...(display.colour ? DARK : NONE) };

export function applyTheme(name: ThemeName): void {
  current = name;
  Object.assign(theme, !display.colour ? NONE : name === 'light' ? LIGHT : DARK);
}

/** Colour on or off (the palette follows). */
export function setColour(on: boolean): void {
  display.colour = on;
  applyTheme(current);
}

/**
 * Before the TUI draws: reverse video and bold are styles, not colours, and mark the cursor
 * and focus whether or not there is colour, so chalk (which writes them for Ink) must not
 * drop them with the colours. Only for a full-screen TUI on a terminal.
 */
export function enableStyles(): void {
  if (chalk.level === 0) chalk.level = 1;
}
