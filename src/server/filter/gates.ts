// Which real Langfuse refuses what, by route: the events_only gate of v4 (404 before auth),
// the v4-write-mode gate of v3.225.4 (404 after auth), and the `.strict()` query schemas
// (400 `unrecognized_keys`). By path, so a route another module registers is gated too.

const P = '/api/public';

/** Reads (and legacy writes) a v4 events_only deployment answers 404 before auth
 * (`rejectInEventsOnlyMode`). */
const EVENTS_ONLY: [string, RegExp][] = [
  ['GET', /^\/(traces|observations|sessions|scores|v2\/scores)(\/[^/]+)?\/?$/],
  ['GET', /^\/metrics(\/daily)?\/?$/],
  ['GET', /^\/datasets\/[^/]+\/runs(\/[^/]+)?\/?$/],
  ['GET', /^\/dataset-run-items\/?$/],
  ['POST', /^\/(traces|generations|spans|events)\/?$/],
];

export function eventsOnlyGated(method: string, pathname: string): boolean {
  if (!pathname.startsWith(`${P}/`)) return false;
  const path = pathname.slice(P.length);
  return EVENTS_ONLY.some(([m, pattern]) => m === method && pattern.test(path));
}

const learnMore = 'Learn more at: https://langfuse.com/docs/v4';
/** The v4 reads a v3 server routes but answers 404 after auth (observed on 3.225.11: the v2
 * metrics API answers with the observations message). */
const V4_ONLY: [RegExp, string][] = [
  [/^\/v2\/(observations|metrics)\/?$/, `The observations v2 API is only available in a Langfuse v4 write mode. ${learnMore}`],
  [/^\/experiments(\/[^/]+)?\/?$/, `The experiments API is only available in a Langfuse v4 write mode. ${learnMore}`],
  [/^\/experiment-items(\/[^/]+)?\/?$/, `The experiment items API is only available in a Langfuse v4 write mode. ${learnMore}`],
];

/** The 404 message of a v4-only read on a v3 server, or null. */
export function v4OnlyMessage(method: string, pathname: string): string | null {
  if (method !== 'GET' || !pathname.startsWith(`${P}/`)) return null;
  const path = pathname.slice(P.length);
  return V4_ONLY.find(([pattern]) => pattern.test(path))?.[1] ?? null;
}

/** `.strict()` query schemas (web/src/features/public-api/types/annotation-queues.ts). The
 * Next.js pages router merges path parameters into the query, so their names are known keys.
 * GET /v3/scores checks its own keys (reads-v2.ts). */
const STRICT_QUERY_KEYS: Record<string, readonly string[]> = {
  'GET /api/public/annotation-queues': ['page', 'limit'],
  'GET /api/public/annotation-queues/:queueId': ['queueId'],
  'GET /api/public/annotation-queues/:queueId/items': ['queueId', 'status', 'page', 'limit'],
  'GET /api/public/annotation-queues/:queueId/items/:itemId': ['queueId', 'itemId'],
  'PATCH /api/public/annotation-queues/:queueId/items/:itemId': ['queueId', 'itemId'],
  'DELETE /api/public/annotation-queues/:queueId/items/:itemId': ['queueId', 'itemId'],
};

/** The known query keys of a strict route (by its registered path), or null when unknown keys
 * are ignored. */
export function strictQueryKeys(method: string, routePath: string): readonly string[] | null {
  return STRICT_QUERY_KEYS[`${method} ${routePath}`] ?? null;
}
