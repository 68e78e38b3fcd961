// The live source's history and rate-limit state as the words the status bar and `tail`
// (on stderr) show. Pure, so both say the same and it is tested without a terminal.

import type { HistoryStatus, RateLimitStatus } from './types.js';

const count = (n: number) => n.toLocaleString('en-US');
const traces = (n: number) => `${count(n)} trace${n === 1 ? '' : 's'}`;

/** "history: 600 traces in the last 2h", "history cut at 10,000 traces (capacity)", "history: reading… 1,200 traces". */
export function describeHistory(history: HistoryStatus): string {
  if (history.loading) return `history: reading… ${traces(history.count)}${history.window ? ` of the last ${history.window}` : ''}`;
  if (!history.complete) return `history cut at ${traces(history.count)} (capacity)`;
  return `history: ${traces(history.count)}${history.window ? ` in the last ${history.window}` : ''}`;
}

/** "waiting 12s for the rate limit (public-api-legacy)". */
export function describeRateLimit(wait: RateLimitStatus, now = Date.now()): string {
  const seconds = Math.max(1, Math.ceil((wait.untilMs - now) / 1000));
  return `waiting ${seconds}s for the rate limit (${wait.bucket}${wait.reason === 'retry-after' ? ', 429' : ''})`;
}
