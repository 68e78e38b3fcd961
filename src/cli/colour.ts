// What the terminal on stdout can show: colour (only on a terminal, never with NO_COLOR or
// --no-color), and whether a full-screen view can be drawn at all.

/** --color forces colour (piped too), --no-color or NO_COLOR or TERM=dumb turn it off. */
export function useColour(flags: { color?: boolean }): boolean {
  if (flags.color !== undefined) return flags.color;
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.TERM === 'dumb') return false;
  return Boolean(process.stdout.isTTY);
}

/** Why this terminal cannot show a full-screen view, or null when it can. */
export function cannotDraw(env: NodeJS.ProcessEnv): string | null {
  if (env.TERM === 'dumb') return 'TERM=dumb: this terminal has no cursor addressing';
  return null;
}
