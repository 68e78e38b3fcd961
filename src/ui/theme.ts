// Colours by meaning, so screens never pick raw colours.
export const theme = {
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
} as const;
