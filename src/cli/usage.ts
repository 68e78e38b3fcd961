// Usage errors: a command-line mistake (unknown flag, missing value, bad argument). main.ts
// prints the message, the command's usage line and exits 2; nothing has started yet.

export class UsageError extends Error {
  /** The command whose usage to show (its `tracetop COMMAND --help` line); null for the root. */
  command: string | null;
  /** False when a usage line would not help (an unknown command: the message lists them). */
  showUsage: boolean;
  constructor(message: string, command: string | null = null, showUsage = true) {
    super(message);
    this.name = 'UsageError';
    this.command = command;
    this.showUsage = showUsage;
  }
}

/** Edit distance (insertions, deletions, substitutions, adjacent swaps), for did-you-mean. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** The nearest candidate to a mistyped word, when it is near enough to be what was meant. */
export function nearest(word: string, candidates: Iterable<string>): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  const lower = word.toLowerCase();
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best === null) return null;
  const allowed = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  if (bestDistance <= allowed) return best;
  // A prefix of a flag (`--obs` for `--observation`) is what was meant too.
  for (const candidate of candidates) if (lower.length >= 3 && candidate.startsWith(lower)) return candidate;
  return null;
}
