// Langfuse Cloud's hobby plan with one-second windows instead of one-minute ones, for the twin
// (`startServer({ rateLimit })`) and the client's budget alike: the same counts per window, so
// a simulated minute takes a second and a ten-minute session ten.

import { PLAN_LIMITS as SERVER_PLANS, type RateLimitTable } from '../../src/server/rate-limit.js';
import { PLAN_LIMITS as CLIENT_PLANS, type Limit, type Bucket } from '../../src/api/budget.js';

const serverBuckets: Partial<RateLimitTable> = {};
for (const [bucket, limit] of Object.entries(SERVER_PLANS.hobby) as [keyof RateLimitTable, RateLimitTable[keyof RateLimitTable]][]) {
  if (limit && limit.durationSec === 60) serverBuckets[bucket] = { points: limit.points, durationSec: 1 };
}
const clientLimits: Partial<Record<Bucket, Limit>> = {};
for (const [bucket, limit] of Object.entries(CLIENT_PLANS.hobby) as [Bucket, Limit][]) {
  if (limit.windowMs === 60_000) clientLimits[bucket] = { limit: limit.limit, windowMs: 1_000 };
}

export const hobbyPerSecond = {
  server: { plan: 'hobby' as const, buckets: serverBuckets },
  client: clientLimits,
};
