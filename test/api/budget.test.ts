// The request budget on a manual clock: buckets from paths, plans and their allowances, polls
// paced within the background share while an interactive request goes first, a 429's
// Retry-After honoured in full (Cloud's windows are 60 s), and the wait announced for the status bar.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bucketFor, PLAN_LIMITS, RequestBudget, resolvePlan, type Clock, type RateWait } from '../../src/api/budget.js';
import { PLAN_LIMITS as CLOUD_LIMITS, RATE_LIMIT_PLANS } from '../../src/domain/rate-limits.js';

class ManualClock implements Clock {
  t = 1_000_000;
  private sleepers: { at: number; wake: () => void }[] = [];
  now = () => this.t;
  sleep = (ms: number) => new Promise<void>((wake) => this.sleepers.push({ at: this.t + ms, wake }));
  /** Moves time on, waking every sleeper due, and lets their continuations run. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve));
      const next = this.sleepers.filter((s) => s.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.t = Math.max(this.t, next.at);
      this.sleepers = this.sleepers.filter((s) => s !== next);
      next.wake();
    }
    this.t = end;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('buckets', () => {
  it('maps each request to the bucket Langfuse Cloud counts it against', () => {
    const cases: [string, string, string][] = [
      ['GET', '/api/public/traces', 'public-api-legacy'],
      ['GET', '/api/public/traces/t1', 'public-api-legacy'],
      ['GET', '/api/public/observations', 'public-api-legacy'],
      ['GET', '/api/public/sessions/s1', 'public-api-legacy'],
      ['GET', '/api/public/v2/observations', 'public-api'],
      ['GET', '/api/public/v3/scores', 'public-api'],
      ['GET', '/api/public/v2/scores', 'public-api'],
      ['POST', '/api/public/scores', 'public-api'],
      ['DELETE', '/api/public/scores/s1', 'score-delete'],
      ['GET', '/api/public/score-configs', 'public-api'],
      ['GET', '/api/public/annotation-queues/q/items', 'annotation-queues'],
      ['GET', '/api/public/metrics', 'public-api-metrics'],
      ['GET', '/api/public/metrics/daily', 'public-api-daily-metrics-legacy'],
      ['GET', '/api/public/v2/metrics', 'public-api-v2-metrics'],
      ['GET', '/api/public/v2/datasets/x', 'datasets'],
      ['GET', '/api/public/v2/prompts/p', 'unlimited'],
      ['GET', '/api/public/health', 'unlimited'],
      ['GET', '/api/public/stream/traces', 'unlimited'],
      ['POST', '/api/public/ingestion', 'ingestion'],
      ['GET', '/langfuse/api/public/traces', 'public-api-legacy'],
    ];
    for (const [method, path, bucket] of cases) assert.equal(bucketFor(method, path), bucket, `${method} ${path}`);
  });

  it('plans: hobby on Langfuse Cloud by default, none elsewhere, or what the user set', () => {
    assert.equal(resolvePlan(null, 'https://cloud.langfuse.com'), 'hobby');
    assert.equal(resolvePlan(undefined, 'https://us.cloud.langfuse.com'), 'hobby');
    assert.equal(resolvePlan(null, 'http://127.0.0.1:3939'), 'none');
    assert.equal(resolvePlan('PRO', 'https://cloud.langfuse.com'), 'pro');
    assert.equal(resolvePlan('hobby', 'http://langfuse.internal'), 'hobby');
    assert.throws(() => resolvePlan('gold', 'http://x'), /budget must be one of hobby, core, pro, none \(got "gold"\)/);
  });

  it('paces by the same plan table the twin enforces (src/domain/rate-limits.ts)', () => {
    for (const plan of RATE_LIMIT_PLANS) {
      for (const [bucket, limit] of Object.entries(CLOUD_LIMITS[plan])) {
        const paced = (PLAN_LIMITS[plan] as Record<string, { limit: number; windowMs: number }>)[bucket];
        assert.deepEqual(paced, limit ? { limit: limit.points, windowMs: limit.durationSec * 1000 } : undefined, `${plan} ${bucket}`);
      }
    }
    assert.equal(PLAN_LIMITS.pro['public-api-legacy']!.limit, 100);
    assert.equal(PLAN_LIMITS.core['public-api-legacy']!.limit, 30);
  });

  it('allowances keep under the plan, with a share kept for interactive requests', () => {
    const hobby = new RequestBudget({ plan: 'hobby' });
    assert.equal(hobby.allowance('public-api', 'interactive'), 27);
    assert.equal(hobby.allowance('public-api', 'background'), 18);
    assert.equal(hobby.allowance('public-api-legacy', 'interactive'), 13);
    assert.equal(hobby.allowance('public-api-legacy', 'background'), 9);
    assert.equal(hobby.pacingMs('public-api'), Math.ceil(60_000 / 18));
    assert.equal(hobby.allowance('unlimited', 'background'), null);
    assert.equal(new RequestBudget({ plan: 'none' }).allowance('public-api', 'background'), null);
    assert.equal(new RequestBudget({ plan: 'pro' }).allowance('public-api-legacy', 'background'), 60);
  });
});

describe('acquire', () => {
  it('spends the background share, then waits for the window; an interactive request goes first', async () => {
    const clock = new ManualClock();
    const budget = new RequestBudget({ plan: 'hobby', clock });
    const waits: (RateWait | null)[] = [];
    budget.onWait((wait) => waits.push(wait));
    for (let i = 0; i < 9; i++) await budget.acquire('public-api-legacy', 'background');
    let polled = false;
    const poll = budget.acquire('public-api-legacy', 'background').then(() => (polled = true));
    await clock.advance(10);
    assert.equal(polled, false, 'the tenth background request waits');
    assert.equal(budget.waiting()?.reason, 'budget');
    assert.equal(budget.waiting()?.untilMs, 1_000_000 + 60_000);
    let opened = false;
    await budget.acquire('public-api-legacy', 'interactive').then(() => (opened = true));
    assert.equal(opened, true, 'opening a trace does not wait behind the poll');
    await clock.advance(60_000);
    await poll;
    assert.equal(polled, true);
    assert.equal(budget.waiting(), null);
    assert.ok(waits.some((wait) => wait?.bucket === 'public-api-legacy') && waits.at(-1) === null);
    assert.deepEqual(budget.spent(), { 'public-api-legacy': 11 });
  });

  it('honours Retry-After in full, beyond the old 32 s cap, for every request to that bucket', async () => {
    const clock = new ManualClock();
    const budget = new RequestBudget({ plan: 'none', clock });
    budget.rateLimited('public-api', 60_000, 30);
    let done = false;
    const request = budget.acquire('public-api', 'interactive').then(() => (done = true));
    await clock.advance(59_000);
    assert.equal(done, false);
    assert.equal(budget.waiting()?.reason, 'retry-after');
    await clock.advance(1_000);
    await request;
    assert.equal(done, true);
    // Other buckets never waited.
    await budget.acquire('public-api-legacy', 'background');
    // The 429's X-RateLimit-Limit is learnt: a plan-less budget now paces that bucket.
    assert.equal(budget.allowance('public-api', 'interactive'), 27);
  });
});
