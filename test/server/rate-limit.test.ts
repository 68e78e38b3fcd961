// `--rate-limit PLAN`: Langfuse Cloud's 429s, per bucket, in fixed windows, on a fake clock so
// ten minutes pass in no time. Headers and body as RateLimitService.ts sends them.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { startTestServer, TEST_KEYS, type TestServer } from '../helpers/server.js';
import { startEmbedded } from '../../src/cli/serve.js';
import { bucketFor, PLAN_LIMITS } from '../../src/server/rate-limit.js';

const START = Date.parse('2026-11-24T10:00:00Z');

describe('rate limits (fake clock)', () => {
  let server: TestServer;
  let clock = START;
  const call = async (path: string, method: 'GET' | 'POST' | 'DELETE' = 'GET', auth = server.auth) => {
    const response = await request(`${server.url}${path}`, {
      method,
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: method === 'POST' ? JSON.stringify({ batch: [] }) : undefined,
    });
    return { status: response.statusCode, headers: response.headers, body: (await response.body.json()) as any };
  };

  before(async () => {
    server = await startTestServer({
      rateLimit: { plan: 'hobby', buckets: { 'public-api': { points: 3, durationSec: 60 } } },
      now: () => clock,
    });
  });
  after(() => server.close());

  it('the request that leaves no points is refused, with the headers and body Cloud sends', async () => {
    assert.equal((await call('/api/public/v3/scores')).status, 200);
    assert.equal((await call('/api/public/score-configs')).status, 200);
    clock += 400;
    const refused = await call('/api/public/v3/scores');
    assert.equal(refused.status, 429);
    assert.equal(refused.headers['retry-after'], '60');
    assert.equal(refused.headers['x-ratelimit-limit'], '3');
    assert.equal(refused.headers['x-ratelimit-remaining'], '0');
    const reset = new Date(START + 60_000);
    assert.equal(refused.headers['x-ratelimit-reset'], reset.toString());
    assert.deepEqual(refused.body, {
      message: 'Rate limit exceeded',
      code: 'rate_limited',
      details: { retryAfterSeconds: 60, limit: 3, remaining: 0, resetAt: reset.toISOString() },
    });
  });

  it('the window is fixed: still refused at 59 s, served again when it ends', async () => {
    clock = START + 59_000;
    const late = await call('/api/public/v3/scores');
    assert.equal(late.status, 429);
    assert.equal(late.headers['retry-after'], '1');
    clock = START + 60_000;
    assert.equal((await call('/api/public/v3/scores')).status, 200);
  });

  it('buckets are separate: legacy reads have their own limit and message; health, bad keys and ingestion do not count', async () => {
    clock = START + 120_000;
    for (let i = 0; i < 20; i++) assert.equal((await call('/api/public/health')).status, 200);
    for (let i = 0; i < 5; i++) assert.equal((await call('/api/public/traces', 'GET', 'Basic bm9wZTpub3Bl')).status, 401);
    const limit = PLAN_LIMITS.hobby['public-api-legacy']!.points;
    for (let i = 1; i < limit; i++) assert.equal((await call(i % 2 ? '/api/public/traces' : '/api/public/sessions')).status, 200, `legacy read ${i}`);
    const legacy = await call('/api/public/traces');
    assert.equal(legacy.status, 429);
    assert.equal(
      legacy.body.message,
      'Rate limit exceeded for GET /api/public/traces. Use GET /api/public/v2/observations?fromStartTime=<from>&toStartTime=<to> for high-volume reads.',
    );
    const byId = await call('/api/public/traces/x');
    assert.match(byId.body.message, /^Rate limit exceeded for GET \/api\/public\/traces\/\{traceId\}\. Use GET \/api\/public\/v2\/observations\?traceId=\{traceId\}/);
    assert.equal(legacy.headers['x-ratelimit-limit'], String(limit));
    // Other buckets still serve.
    assert.equal((await call('/api/public/v2/observations')).status, 200);
    assert.equal((await call('/api/public/ingestion', 'POST')).status, 207);
  });

  it('ten simulated minutes of polling under the budget never see a 429', async () => {
    clock = START + 3_600_000;
    let refused = 0;
    // Two public-api reads every 5 s: 24 a minute against a (short-tabled) bucket of 3 would
    // fail, so this runs against the ingestion bucket's 1000/min and the legacy one's 15/min:
    // one legacy read every 5 s is 12 a minute.
    for (let second = 0; second < 600; second += 5) {
      clock = START + 3_600_000 + second * 1000;
      if ((await call('/api/public/traces?limit=1')).status === 429) refused++;
      if ((await call('/api/public/ingestion', 'POST')).status === 429) refused++;
    }
    assert.equal(refused, 0);
  });

  it('maps each route to its bucket', () => {
    assert.equal(bucketFor('GET', '/api/public/v2/observations')?.bucket, 'public-api');
    assert.equal(bucketFor('GET', '/api/public/observations/o1')?.bucket, 'public-api-legacy');
    assert.equal(bucketFor('POST', '/api/public/otel/v1/traces')?.bucket, 'ingestion');
    assert.equal(bucketFor('DELETE', '/api/public/scores/s1')?.bucket, 'score-delete');
    assert.equal(bucketFor('GET', '/api/public/v2/prompts/p')?.bucket, 'prompts');
    assert.equal(bucketFor('GET', '/api/public/annotation-queues/q/items')?.bucket, 'annotation-queues');
    assert.equal(bucketFor('GET', '/api/public/annotation-queues', { annotationQueuesBucket: false })?.bucket, 'public-api');
    assert.equal(bucketFor('GET', '/api/public/v2/metrics')?.bucket, 'public-api-v2-metrics');
    assert.equal(bucketFor('GET', '/api/public/health'), null);
    assert.equal(PLAN_LIMITS.hobby.prompts, null);
  });
});

describe('tracetop serve --rate-limit', () => {
  it('takes a plan name and refuses anything else', async () => {
    const flags = { port: 0, db: ':memory:', publicKey: TEST_KEYS.publicKey, secretKey: TEST_KEYS.secretKey };
    await assert.rejects(startEmbedded({ ...flags, rateLimit: 'gold' }, () => {}), /--rate-limit must be hobby, core, pro \(got gold\)/);
    const lines: string[] = [];
    const server = await startEmbedded({ ...flags, rateLimit: 'hobby' }, (line) => lines.push(line));
    try {
      assert.ok(lines.some((line) => line.includes('hobby')));
      const auth = `Basic ${Buffer.from(`${TEST_KEYS.publicKey}:${TEST_KEYS.secretKey}`).toString('base64')}`;
      const statuses: number[] = [];
      for (let i = 0; i < 30; i++) statuses.push((await request(`${server.url}/api/public/v3/scores`, { headers: { authorization: auth } })).statusCode);
      assert.equal(statuses.filter((status) => status === 200).length, 29);
      assert.equal(statuses[29], 429);
    } finally {
      await server.close();
    }
  });
});
