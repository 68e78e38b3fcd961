// The prompt client over every read path (tracetop's server; the same server playing stock
// Langfuse v3 and v4 without its stream): prompts with where each label points, versions newest
// first, and per-version figures from the metrics API checked against the raw rows — count,
// errors, p50/p95 latency, tokens, cost, and the mean of each numeric score on their traces —
// cached per window.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LangfuseClient } from '../../src/api/client.js';
import { PromptClient } from '../../src/api/prompts.js';
import { PromptNotFoundError } from '../../src/ports/prompts.js';
import { startTestServer, TEST_KEYS, type TestServer } from '../helpers/server.js';
import { buildFixture, percentileOf, type Fixture } from '../server/metrics-fixture.js';

const MODES = [
  { readApi: 'both', streamEnabled: true },
  { readApi: 'v1', streamEnabled: false },
  { readApi: 'v2', streamEnabled: false },
] as const;

for (const { readApi, streamEnabled } of MODES) {
  describe(`PromptClient, --read-api ${readApi}${streamEnabled ? '' : ' --no-stream'}`, () => {
    let server: TestServer;
    let client: LangfuseClient;
    let prompts: PromptClient;
    let fixture: Fixture;

    before(async () => {
      server = await startTestServer({ readApi, streamEnabled });
      for (const body of [
        { name: 'support-agent', prompt: 'Answer {{question}}.', labels: ['production'], commitMessage: 'terse' },
        { name: 'support-agent', prompt: 'Be {{tone}} at {{company}}.', labels: ['production', 'staging'], commitMessage: 'polite' },
        { name: 'router', type: 'chat', prompt: [{ role: 'system', content: 'Route.' }] },
      ]) assert.equal((await server.post('/api/public/v2/prompts', body)).status, 201);
      fixture = buildFixture(Date.now() - 60_000, 40, `pc-${readApi}`);
      const reply = await server.post('/api/public/ingestion', { batch: fixture.events });
      assert.deepEqual(reply.body.errors, []);
      client = new LangfuseClient({ host: server.url, ...TEST_KEYS });
      prompts = new PromptClient(client);
    });
    after(async () => {
      await client.close();
      await server.close();
    });

    it('lists prompts with where each label points; versions newest first; a missing one rejects', async () => {
      const list = await prompts.listPrompts();
      assert.deepEqual(list.map((p) => [p.name, p.type, p.versions, p.labels]), [
        ['router', 'chat', [1], { latest: 1 }],
        ['support-agent', 'text', [1, 2], { latest: 2, production: 2, staging: 2 }],
      ]);
      const versions = await prompts.listVersions('support-agent');
      assert.deepEqual(versions.map((v) => [v.version, v.commitMessage, v.prompt]), [[2, 'polite', 'Be {{tone}} at {{company}}.'], [1, 'terse', 'Answer {{question}}.']]);
      assert.equal((await prompts.getPrompt('support-agent')).version, 2);
      assert.equal((await prompts.getPrompt('support-agent', { version: 1 })).version, 1);
      await assert.rejects(prompts.getPrompt('support-agent', { label: 'nope' }), PromptNotFoundError);
      await assert.rejects(prompts.listVersions('nope'), PromptNotFoundError);
    });

    it('per-version figures equal the raw rows; a second ask is served from the cache', async () => {
      const window = { from: new Date(fixture.fromMs), to: new Date(fixture.toMs) };
      const result = await prompts.versionMetrics('support-agent', window);
      assert.equal(result.cached, false);
      assert.equal(result.live, streamEnabled);
      assert.deepEqual(result.versions.map((v) => v.version), [2, 1]);
      for (const entry of result.versions) {
        const generations = fixture.observations.filter((o) => o.promptName === 'support-agent' && o.promptVersion === entry.version);
        const latencies = generations.map((o) => o.endMs - o.startMs);
        assert.equal(entry.count, generations.length);
        assert.equal(entry.errorCount, generations.filter((o) => o.level === 'ERROR').length);
        assert.ok(Math.abs(entry.latencyP50! - percentileOf(latencies, 0.5)!) < 1e-9);
        assert.ok(Math.abs(entry.latencyP95! - percentileOf(latencies, 0.95)!) < 1e-9);
        assert.equal(entry.totalTokens, generations.reduce((sum, o) => sum + o.inputTokens + o.outputTokens, 0));
        const cost = generations.reduce((sum, o) => sum + (o.inputCost ?? 0) + (o.outputCost ?? 0), 0);
        assert.ok(Math.abs(entry.totalCost - cost) < 1e-9);
        const traceIds = new Set(generations.map((o) => o.traceId));
        const expected: Record<string, number[]> = {};
        for (const score of fixture.scores) {
          if (!traceIds.has(score.traceId) || score.observationId !== null) continue;
          (expected[score.name] ??= []).push(score.value);
        }
        assert.deepEqual(Object.keys(entry.scores), Object.keys(expected).sort());
        for (const [name, values] of Object.entries(expected)) {
          assert.ok(Math.abs(entry.scores[name]! - values.reduce((a, b) => a + b, 0) / values.length) < 1e-9, `v${entry.version} ${name}`);
        }
      }
      const requests = client.http.counters.requests;
      const again = await prompts.versionMetrics('support-agent', window);
      assert.equal(again.cached, true);
      assert.equal(again.fetchedAt, result.fetchedAt);
      assert.equal(client.http.counters.requests, requests, 'no request for a cached window');
      const refreshed = await prompts.versionMetrics('support-agent', window, { refresh: true });
      assert.equal(refreshed.cached, false);
    });
  });
}
