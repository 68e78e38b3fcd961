// Langfuse Cloud's rate limits per plan (web/src/features/public-api/server/RateLimitService.ts;
// the reference's section 6): the one table that the client's request budget (src/api/budget.ts)
// paces itself by and the twin's limiter (src/server/rate-limit.ts) enforces.

export const RATE_LIMIT_PLANS = ['hobby', 'core', 'pro'] as const;
export type RateLimitPlan = (typeof RATE_LIMIT_PLANS)[number];

export type RateLimitBucket =
  | 'public-api'
  | 'public-api-legacy'
  | 'public-api-metrics'
  | 'public-api-v2-metrics'
  | 'public-api-daily-metrics-legacy'
  | 'datasets'
  | 'annotation-queues'
  | 'prompts'
  | 'ingestion'
  | 'legacy-ingestion'
  | 'trace-delete'
  | 'score-delete';

/** Points per window; null = unlimited. */
export type BucketLimit = { points: number; durationSec: number } | null;
export type RateLimitTable = Record<RateLimitBucket, BucketLimit>;

const MIN = 60;
const HOUR = 3600;
const DAY = 86_400;
const per = (points: number, durationSec: number): BucketLimit => ({ points, durationSec });

// Upstream marks core's limits "TEMPORARY" (core raised to pro levels for a migration).
const CORE: RateLimitTable = {
  'public-api': per(1000, MIN),
  'public-api-legacy': per(30, MIN),
  'public-api-metrics': per(2000, DAY),
  'public-api-v2-metrics': per(100, HOUR),
  'public-api-daily-metrics-legacy': per(200, DAY),
  datasets: per(1000, MIN),
  'annotation-queues': per(1000, MIN),
  prompts: null,
  ingestion: per(20_000, MIN),
  'legacy-ingestion': per(400, MIN),
  'trace-delete': per(200, DAY),
  'score-delete': per(200, DAY),
};

export const PLAN_LIMITS: Record<RateLimitPlan, RateLimitTable> = {
  hobby: {
    'public-api': per(30, MIN),
    'public-api-legacy': per(15, MIN),
    'public-api-metrics': per(100, DAY),
    'public-api-v2-metrics': per(100, DAY),
    'public-api-daily-metrics-legacy': per(10, DAY),
    datasets: per(100, MIN),
    'annotation-queues': per(100, MIN),
    prompts: null,
    ingestion: per(1000, MIN),
    'legacy-ingestion': per(100, MIN),
    'trace-delete': per(50, DAY),
    'score-delete': per(50, DAY),
  },
  core: CORE,
  // Pro: core's limits, with more legacy reads, v2 metrics and deletions.
  pro: {
    ...CORE,
    'public-api-legacy': per(100, MIN),
    'public-api-v2-metrics': per(500, HOUR),
    'trace-delete': per(1000, DAY),
    'score-delete': per(1000, DAY),
  },
};
