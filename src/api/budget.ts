// The request budget: how many requests a minute (hour, day) tracetop may send to each of
// Langfuse Cloud's rate-limit buckets, so a poll, a history read, opening a trace and scoring
// share it without a 429. Cloud counts a fixed window per organisation and bucket; the budget
// keeps a sliding log per bucket, which is stricter (any window of that length holds at most
// the allowance), and leaves a share to interactive requests so opening a trace never waits
// behind a poll. A 429's Retry-After blocks its bucket for that long, in full.
//
// Plans (RateLimitService.ts): hobby, core, pro. Self-hosted servers never rate-limit, so away
// from Cloud the default plan is `none` — no pacing, but a 429 is still honoured and its
// X-RateLimit-Limit learnt, so a rate-limiting proxy (or `tracetop serve --rate-limit`) is then respected.

import { PLAN_LIMITS as CLOUD_PLAN_LIMITS, type BucketLimit, type RateLimitBucket, type RateLimitTable } from '../domain/rate-limits.js';

export type Plan = 'hobby' | 'core' | 'pro' | 'none';
export const PLANS: readonly Plan[] = ['hobby', 'core', 'pro', 'none'];

/** Cloud's buckets (src/domain/rate-limits.ts) the client paces itself by; health, prompts
 * and tracetop's own stream are 'unlimited' (not paced). */
export type Bucket = Exclude<RateLimitBucket, 'prompts'> | 'unlimited';

export type Priority = 'interactive' | 'background';

const MINUTE = 60_000;

export interface Limit {
  limit: number;
  windowMs: number;
}

type PlanTable = Partial<Record<Bucket, Limit>>;

function clientTable(table: RateLimitTable): PlanTable {
  const out: PlanTable = {};
  for (const [bucket, limit] of Object.entries(table) as [RateLimitBucket, BucketLimit][]) {
    if (limit && bucket !== 'prompts') out[bucket] = { limit: limit.points, windowMs: limit.durationSec * 1000 };
  }
  return out;
}

/** Langfuse Cloud's limits per plan (src/domain/rate-limits.ts), as windows in milliseconds. */
export const PLAN_LIMITS: Record<Exclude<Plan, 'none'>, PlanTable> = {
  hobby: clientTable(CLOUD_PLAN_LIMITS.hobby),
  core: clientTable(CLOUD_PLAN_LIMITS.core),
  pro: clientTable(CLOUD_PLAN_LIMITS.pro),
};

/** The bucket Langfuse counts a request against, from its method and path. */
export function bucketFor(method: string, path: string): Bucket {
  const at = path.indexOf('/api/public/');
  const route = (at >= 0 ? path.slice(at + '/api/public'.length) : path).split('?')[0]!.replace(/\/+$/, '');
  const verb = method.toUpperCase();
  if (/^\/(health|ready|stream)(\/|$)/.test(route) || /^\/v2\/prompts(\/|$)/.test(route)) return 'unlimited';
  if (/^\/(ingestion|otel)(\/|$)/.test(route)) return 'ingestion';
  if (/^\/metrics\/daily$/.test(route)) return 'public-api-daily-metrics-legacy';
  if (/^\/metrics$/.test(route)) return 'public-api-metrics';
  if (/^\/v2\/metrics$/.test(route)) return 'public-api-v2-metrics';
  if (/^\/(v2\/datasets|datasets|dataset-items|dataset-run-items)(\/|$)/.test(route)) return 'datasets';
  if (/^\/annotation-queues(\/|$)/.test(route)) return 'annotation-queues';
  if (verb === 'DELETE' && /^\/scores\//.test(route)) return 'score-delete';
  if (verb === 'DELETE' && /^\/traces(\/|$)/.test(route)) return 'trace-delete';
  if (/^\/(traces|generations|spans|events)$/.test(route) && verb === 'POST') return 'legacy-ingestion';
  if (/^\/(traces|observations|sessions)(\/|$)/.test(route)) return 'public-api-legacy';
  return 'public-api';
}

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** A wait the budget is making a request sit through (for the status bar). */
export interface RateWait {
  bucket: Bucket;
  /** When the wait ends, on the budget's clock. */
  untilMs: number;
  /** `retry-after`: the server said 429; `budget`: the allowance for this window is spent. */
  reason: 'retry-after' | 'budget';
}

export interface BudgetOptions {
  plan?: Plan;
  clock?: Clock;
  /** The share of a plan's limit tracetop spends (other clients of the organisation share it). Default 0.9. */
  safety?: number;
  /** The share of the allowance kept for interactive requests (opening a trace, scoring). Default 1/3. */
  interactiveShare?: number;
  /** Per-bucket limits that replace the plan's (tests, and organisations with overrides). */
  limits?: PlanTable;
}

/** Which plan: explicit (option, profile `budget`, TRACETOP_BUDGET), else hobby on Langfuse Cloud and none elsewhere. */
export function resolvePlan(explicit: string | null | undefined, host: string): Plan {
  if (explicit !== null && explicit !== undefined && explicit !== '') {
    const plan = explicit.toLowerCase();
    if (!(PLANS as readonly string[]).includes(plan)) throw new Error(`budget must be one of ${PLANS.join(', ')} (got "${explicit}")`);
    return plan as Plan;
  }
  let hostname = '';
  try {
    hostname = new URL(host).hostname;
  } catch {
    // not a URL: not Cloud
  }
  return /(^|\.)langfuse\.com$/i.test(hostname) ? 'hobby' : 'none';
}

interface Waiter {
  priority: Priority;
}

interface BucketState {
  /** Send times within the current window, oldest first: every request, and the background ones. */
  log: number[];
  backgroundLog: number[];
  blockedUntil: number;
  learnt: Limit | null;
  waiting: Set<Waiter>;
  spent: number;
  backgroundSpent: number;
}

export class RequestBudget {
  readonly plan: Plan;
  readonly clock: Clock;
  private readonly safety: number;
  private readonly interactiveShare: number;
  private readonly limits: PlanTable;
  private readonly buckets = new Map<Bucket, BucketState>();
  private readonly waits = new Set<RateWait>();
  private readonly listeners = new Set<(wait: RateWait | null) => void>();

  constructor(options: BudgetOptions = {}) {
    this.plan = options.plan ?? 'none';
    this.clock = options.clock ?? realClock;
    this.safety = options.safety ?? 0.9;
    this.interactiveShare = options.interactiveShare ?? 1 / 3;
    this.limits = { ...(this.plan === 'none' ? {} : PLAN_LIMITS[this.plan]), ...options.limits };
  }

  private state(bucket: Bucket): BucketState {
    let state = this.buckets.get(bucket);
    if (!state) {
      state = { log: [], backgroundLog: [], blockedUntil: 0, learnt: null, waiting: new Set(), spent: 0, backgroundSpent: 0 };
      this.buckets.set(bucket, state);
    }
    return state;
  }

  /** The limit the budget paces a bucket to, or null when it does not pace it. */
  limitOf(bucket: Bucket): Limit | null {
    if (bucket === 'unlimited') return null;
    const planned = this.limits[bucket] ?? null;
    const learnt = this.buckets.get(bucket)?.learnt ?? null;
    if (planned && learnt) return learnt.limit < planned.limit ? learnt : planned;
    return planned ?? learnt;
  }

  /** Requests per window this priority may send in a bucket (null: unpaced). */
  allowance(bucket: Bucket, priority: Priority): number | null {
    const limit = this.limitOf(bucket);
    if (!limit) return null;
    const total = Math.max(1, Math.floor(limit.limit * this.safety));
    if (priority === 'interactive' || total < 3) return total;
    return Math.max(1, total - Math.max(1, Math.floor(total * this.interactiveShare)));
  }

  /** The least time between background requests of a bucket that stays within its allowance. */
  pacingMs(bucket: Bucket): number {
    const limit = this.limitOf(bucket);
    const allowance = this.allowance(bucket, 'background');
    return limit && allowance ? Math.ceil(limit.windowMs / allowance) : 0;
  }

  /** Requests sent per bucket since the budget was made, all or only background ones (tests, the bench, poll pacing). */
  spent(priority?: Priority): Partial<Record<Bucket, number>> {
    const result: Partial<Record<Bucket, number>> = {};
    for (const [bucket, state] of this.buckets) {
      const count = priority === 'background' ? state.backgroundSpent : state.spent;
      if (count) result[bucket] = count;
    }
    return result;
  }

  /** The longest wait going on now, or null. */
  waiting(): RateWait | null {
    let longest: RateWait | null = null;
    for (const wait of this.waits) if (!longest || wait.untilMs > longest.untilMs) longest = wait;
    return longest;
  }

  onWait(listener: (wait: RateWait | null) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private announce(): void {
    const wait = this.waiting();
    for (const listener of this.listeners) listener(wait);
  }

  /** A 429: nothing more goes to this bucket until Retry-After has passed; its limit is learnt when the server says it. */
  rateLimited(bucket: Bucket, retryAfterMs: number | null, limit: number | null): void {
    const state = this.state(bucket);
    // No Retry-After: a window's worth, the shortest Cloud uses.
    const wait = retryAfterMs ?? MINUTE;
    state.blockedUntil = Math.max(state.blockedUntil, this.clock.now() + wait);
    if (limit !== null && Number.isFinite(limit) && limit > 0) {
      const window = this.limits[bucket]?.windowMs ?? MINUTE;
      if (!state.learnt || limit < state.learnt.limit) state.learnt = { limit, windowMs: window };
    }
  }

  /** Waits until a request of this priority may go to the bucket, then counts it. */
  async acquire(bucket: Bucket, priority: Priority = 'interactive'): Promise<void> {
    const state = this.state(bucket);
    const waiter: Waiter = { priority };
    let wait: RateWait | null = null;
    try {
      for (;;) {
        const now = this.clock.now();
        const limit = this.limitOf(bucket);
        if (limit) {
          while (state.log.length && state.log[0]! <= now - limit.windowMs) state.log.shift();
          while (state.backgroundLog.length && state.backgroundLog[0]! <= now - limit.windowMs) state.backgroundLog.shift();
        }
        const yieldsToInteractive = priority === 'background' && [...state.waiting].some((other) => other.priority === 'interactive');
        let until = state.blockedUntil;
        let reason: RateWait['reason'] = 'retry-after';
        // Every request counts against the whole allowance; background ones also against their
        // share, so polls never take the room kept for opening a trace, nor wait for it.
        const freeAt = (log: number[], allowance: number | null) =>
          limit && allowance !== null && log.length >= allowance ? log[log.length - allowance]! + limit.windowMs : 0;
        const budgetFree = Math.max(
          freeAt(state.log, this.allowance(bucket, 'interactive')),
          priority === 'background' ? freeAt(state.backgroundLog, this.allowance(bucket, 'background')) : 0,
        );
        if (budgetFree > until) {
          until = budgetFree;
          reason = 'budget';
        }
        if (until <= now && !yieldsToInteractive) {
          if (limit) {
            state.log.push(now);
            if (priority === 'background') state.backgroundLog.push(now);
          }
          state.spent++;
          if (priority === 'background') state.backgroundSpent++;
          return;
        }
        state.waiting.add(waiter);
        const end = Math.max(until, now + (yieldsToInteractive ? 50 : 0));
        if (!wait || wait.untilMs !== end) {
          if (wait) this.waits.delete(wait);
          wait = { bucket, untilMs: end, reason };
          this.waits.add(wait);
          this.announce();
        }
        await this.clock.sleep(Math.max(1, end - now));
      }
    } finally {
      state.waiting.delete(waiter);
      if (wait) {
        this.waits.delete(wait);
        this.announce();
      }
    }
  }
}
