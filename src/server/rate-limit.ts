// Langfuse Cloud's rate limits (web/src/features/public-api/server/RateLimitService.ts), so a
// client's request budget can be tested here: fixed windows per bucket, shared by every key
// (Cloud counts per organisation), started by the first request of a window. As upstream, a
// request that leaves 0 points is already refused (`remainingPoints < 1`), so a 30/min bucket
// serves 29 requests a minute. The 429 carries Retry-After, X-RateLimit-Limit/-Remaining/-Reset
// (JS Date.toString() text) and `{message, code:"rate_limited", details}`.

import { PLAN_LIMITS, type RateLimitBucket, type RateLimitPlan, type RateLimitTable } from '../domain/rate-limits.js';

export { PLAN_LIMITS, RATE_LIMIT_PLANS, type BucketLimit, type RateLimitPlan, type RateLimitTable } from '../domain/rate-limits.js';
export type Bucket = RateLimitBucket;

/** `--rate-limit` / ServerOptions.rateLimit: a plan, or a plan with some buckets replaced
 * (tests use a short window rather than waiting a minute). */
export type RateLimitSetting = RateLimitPlan | { plan?: RateLimitPlan; buckets: Partial<RateLimitTable> };

export function rateLimitTable(setting: RateLimitSetting): RateLimitTable {
  if (typeof setting === 'string') return PLAN_LIMITS[setting];
  return { ...PLAN_LIMITS[setting.plan ?? 'hobby'], ...setting.buckets };
}

/** The legacy reads' 429 names the v2 replacement (rateLimitUpgradePaths.ts). */
interface UpgradePath {
  legacyEndpoint: string;
  replacementEndpoint: string;
}

const RANGE = 'fromStartTime=<from>&toStartTime=<to>';
const LEGACY_UPGRADES: [RegExp, UpgradePath][] = [
  [/^\/traces\/?$/, { legacyEndpoint: 'GET /api/public/traces', replacementEndpoint: `GET /api/public/v2/observations?${RANGE}` }],
  [/^\/traces\/[^/]+\/?$/, { legacyEndpoint: 'GET /api/public/traces/{traceId}', replacementEndpoint: `GET /api/public/v2/observations?traceId={traceId}&${RANGE}` }],
  [/^\/observations\/?$/, { legacyEndpoint: 'GET /api/public/observations', replacementEndpoint: `GET /api/public/v2/observations?${RANGE}` }],
  [/^\/observations\/[^/]+\/?$/, { legacyEndpoint: 'GET /api/public/observations/{observationId}', replacementEndpoint: `GET /api/public/v2/observations?filter=<urlencoded id filter>&${RANGE}` }],
  [/^\/sessions\/?$/, { legacyEndpoint: 'GET /api/public/sessions', replacementEndpoint: `GET /api/public/v2/observations?${RANGE}` }],
  [/^\/sessions\/[^/]+\/?$/, { legacyEndpoint: 'GET /api/public/sessions/{sessionId}', replacementEndpoint: `GET /api/public/v2/observations?filter=<urlencoded sessionId filter>&${RANGE}` }],
];

export interface BucketMatch {
  bucket: Bucket;
  upgrade?: UpgradePath;
}

/** The bucket a request counts against; null for health, readiness and tracetop's own stream. */
export function bucketFor(method: string, pathname: string, options: { annotationQueuesBucket?: boolean } = {}): BucketMatch | null {
  if (!pathname.startsWith('/api/public/')) return null;
  const path = pathname.slice('/api/public'.length);
  if (/^\/(health|ready)\/?$/.test(path) || /^\/stream(\/|$)/.test(path)) return null;
  if (method === 'POST' && /^\/(ingestion|otel\/v1\/traces)\/?$/.test(path)) return { bucket: 'ingestion' };
  if (method === 'POST' && /^\/(traces|generations|spans|events)\/?$/.test(path)) return { bucket: 'legacy-ingestion' };
  if (method === 'DELETE' && /^\/traces(\/|$)/.test(path)) return { bucket: 'trace-delete' };
  if (method === 'DELETE' && /^\/scores\/[^/]+\/?$/.test(path)) return { bucket: 'score-delete' };
  if (method === 'GET') {
    for (const [pattern, upgrade] of LEGACY_UPGRADES) if (pattern.test(path)) return { bucket: 'public-api-legacy', upgrade };
  }
  if (/^\/metrics\/daily\/?$/.test(path)) return { bucket: 'public-api-daily-metrics-legacy' };
  if (/^\/metrics\/?$/.test(path)) return { bucket: 'public-api-metrics' };
  if (/^\/v2\/metrics\/?$/.test(path)) return { bucket: 'public-api-v2-metrics' };
  if (/^\/v2\/prompts(\/|$)/.test(path)) return { bucket: 'prompts' };
  if (/^\/(v2\/datasets|datasets|dataset-items|dataset-run-items)(\/|$)/.test(path)) return { bucket: 'datasets' };
  if (/^\/annotation-queues(\/|$)/.test(path)) return { bucket: options.annotationQueuesBucket === false ? 'public-api' : 'annotation-queues' };
  return { bucket: 'public-api' };
}

export interface RateLimitRefusal {
  headers: Record<string, string>;
  body: {
    message: string;
    code: 'rate_limited';
    details: { retryAfterSeconds: number; limit: number; remaining: number; resetAt: string };
  };
}

interface Window {
  consumed: number;
  resetAtMs: number;
}

export class RateLimiter {
  private readonly windows = new Map<Bucket, Window>();

  constructor(
    private readonly table: RateLimitTable,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one request; a refusal when the bucket has no points left. */
  consume(match: BucketMatch): RateLimitRefusal | null {
    const limit = this.table[match.bucket];
    if (!limit) return null;
    const now = this.now();
    let window = this.windows.get(match.bucket);
    if (!window || now >= window.resetAtMs) {
      window = { consumed: 0, resetAtMs: now + limit.durationSec * 1000 };
      this.windows.set(match.bucket, window);
    }
    window.consumed += 1;
    const remaining = Math.max(0, limit.points - window.consumed);
    if (remaining >= 1) return null;
    const msBeforeNext = window.resetAtMs - now;
    const retryAfterSeconds = Math.ceil(msBeforeNext / 1000);
    const reset = new Date(now + msBeforeNext);
    return {
      headers: {
        'Retry-After': String(retryAfterSeconds),
        'X-RateLimit-Limit': String(limit.points),
        'X-RateLimit-Remaining': String(remaining),
        'X-RateLimit-Reset': reset.toString(),
      },
      body: {
        message: match.upgrade
          ? `Rate limit exceeded for ${match.upgrade.legacyEndpoint}. Use ${match.upgrade.replacementEndpoint} for high-volume reads.`
          : 'Rate limit exceeded',
        code: 'rate_limited',
        details: { retryAfterSeconds, limit: limit.points, remaining, resetAt: reset.toISOString() },
      },
    };
  }
}
