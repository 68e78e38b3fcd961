// Colour only for a terminal, and never when NO_COLOR is set or --no-color is given.
export function useColour(flags: { color?: boolean }): boolean {
  if (flags.color === false) return false;
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  return Boolean(process.stdout.isTTY);
}
