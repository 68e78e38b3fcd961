// Scoring as reviewers do it, in tmux against the embedded server: the score panel, quick-label
// at full keyboard speed, undo, and a label that survives a dead backend and a killed tracetop.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { hasTmux, startTmux, type TmuxSession } from '../helpers/tmux.js';
import { startTestServer, TEST_KEYS, tempDir, type TestServer } from '../helpers/server.js';

const skip = hasTmux ? false : 'tmux is not installed';

async function seedConfigs(server: TestServer) {
  await server.post('/api/public/score-configs', { name: 'groundedness', dataType: 'NUMERIC', minValue: 0, maxValue: 1 });
  await server.post('/api/public/score-configs', { name: 'user_feedback', dataType: 'CATEGORICAL', categories: [{ label: 'positive', value: 1 }, { label: 'negative', value: 0 }] });
  await server.post('/api/public/score-configs', { name: 'resolved', dataType: 'BOOLEAN' });
}

async function ingestTraces(server: TestServer, prefix: string, count: number) {
  const batch = [];
  const base = Date.now() - count * 1000;
  for (let i = 0; i < count; i++) {
    const at = new Date(base + i * 1000).toISOString();
    batch.push({ id: `${prefix}-${i}`, type: 'trace-create', timestamp: at, body: { id: `${prefix}-${i}`, name: `${prefix}_${i}`, timestamp: at, userId: 'u_1' } });
  }
  await server.post('/api/public/ingestion', { batch });
}

async function scoresNamed(server: TestServer, name: string): Promise<{ id: string; traceId: string; stringValue: string | null; value: number | null; source: string; configId: string | null; comment: string | null }[]> {
  const all = [];
  for (let page = 1; ; page++) {
    const response = await server.get(`/api/public/v2/scores?name=${name}&limit=100&page=${page}`);
    all.push(...response.body.data);
    if (page >= response.body.meta.totalPages) return all;
  }
}

const waitUntil = async (predicate: () => Promise<boolean>, what: string, timeoutMs = 20_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

describe('scoring in tmux', { skip }, () => {
  const sessions: TmuxSession[] = [];
  const home = tempDir();
  after(() => {
    for (const session of sessions) session.kill();
    home.remove();
  });

  it('s opens the panel from score configs; a numeric score with a comment is stored as ANNOTATION; u undoes', async () => {
    const server = await startTestServer();
    await seedConfigs(server);
    await ingestTraces(server, 'panel', 3);
    const tui = startTmux([], { env: { XDG_DATA_HOME: home.path, XDG_STATE_HOME: join(home.path, 'a'), LANGFUSE_BASE_URL: server.url, LANGFUSE_PUBLIC_KEY: TEST_KEYS.publicKey, LANGFUSE_SECRET_KEY: TEST_KEYS.secretKey }, width: 120, height: 30 });
    sessions.push(tui);
    await tui.waitFor(/panel_2/);
    tui.keys('s');
    await tui.waitFor(/1\s+groundedness\s+\(numeric: number 0…1\)/);
    tui.keys('1');
    await tui.waitFor(/value:/);
    tui.keys('-l', '1.5');
    tui.keys('Enter');
    await tui.waitFor(/between 0 and 1/);
    tui.keys('BSpace', 'BSpace', 'BSpace');
    tui.keys('-l', '0.7');
    tui.keys('Enter');
    await tui.waitFor(/comment/);
    tui.keys('-l', 'cites the docs');
    tui.keys('Enter');
    await tui.waitFor(/scored groundedness=0\.7/);
    await waitUntil(async () => (await scoresNamed(server, 'groundedness')).length === 1, 'the score on the server');
    const [score] = await scoresNamed(server, 'groundedness');
    assert.equal(score!.traceId, 'panel-2');
    assert.equal(score!.value, 0.7);
    assert.equal(score!.source, 'ANNOTATION');
    assert.ok(score!.configId);
    assert.equal(score!.comment, 'cites the docs');
    await tui.waitFor(/panel_2.*groundedness 0\.7/);
    tui.keys('u');
    await waitUntil(async () => (await scoresNamed(server, 'groundedness')).length === 0, 'the undo');
    tui.keys('q');
    await tui.waitFor(/\[exited 0\]/);
    await server.close();
  });

  it('quick-label: 200 keypresses label 200 traces, none lost', async () => {
    const server = await startTestServer();
    await seedConfigs(server);
    await ingestTraces(server, 'quick', 200);
    const tui = startTmux([], { env: { XDG_DATA_HOME: home.path, XDG_STATE_HOME: join(home.path, 'b'), LANGFUSE_BASE_URL: server.url, LANGFUSE_PUBLIC_KEY: TEST_KEYS.publicKey, LANGFUSE_SECRET_KEY: TEST_KEYS.secretKey }, width: 120, height: 30 });
    sessions.push(tui);
    await tui.waitFor(/quick_199/);
    tui.keys('L');
    await tui.waitFor(/2\s+user_feedback/);
    tui.keys('2');
    await tui.waitFor(/LABEL user_feedback/);
    // 200 keys as fast as tmux can type them: alternating categories.
    tui.keys('-l', '12'.repeat(100));
    await waitUntil(async () => (await scoresNamed(server, 'user_feedback')).length >= 200, '200 labels', 30_000);
    const scores = await scoresNamed(server, 'user_feedback');
    assert.equal(scores.length, 200);
    assert.equal(new Set(scores.map((score) => score.traceId)).size, 200, 'each trace labelled once');
    const byTrace = new Map(scores.map((score) => [score.traceId, score.stringValue]));
    // Newest first: the first key labels quick-199, the second quick-198, …
    assert.equal(byTrace.get('quick-199'), 'positive');
    assert.equal(byTrace.get('quick-198'), 'negative');
    assert.equal(byTrace.get('quick-0'), 'negative');
    tui.keys('Escape', 'q');
    await tui.waitFor(/\[exited 0\]/);
    await server.close();
  });

  it('nothing lost: backend down for 100 labels, tracetop killed mid-way, both back — 100 scores exactly once', async () => {
    const dbDir = tempDir();
    const dbPath = join(dbDir.path, 'down.db');
    let server = await startTestServer({ dbPath });
    const port = server.port;
    await seedConfigs(server);
    await ingestTraces(server, 'down', 100);
    const env = { XDG_DATA_HOME: home.path, XDG_STATE_HOME: join(home.path, 'c'), LANGFUSE_BASE_URL: server.url, LANGFUSE_PUBLIC_KEY: TEST_KEYS.publicKey, LANGFUSE_SECRET_KEY: TEST_KEYS.secretKey };
    const first = startTmux([], { env, width: 120, height: 30 });
    sessions.push(first);
    await first.waitFor(/down_99/);
    first.keys('L');
    await first.waitFor(/3\s+resolved/);
    first.keys('3');
    await first.waitFor(/LABEL resolved/);
    await server.close();
    first.keys('-l', 'yn'.repeat(30));
    await first.waitFor(/60 scores pending/);
    first.kill();
    // A second tracetop, still without a backend, goes on labelling where the first stopped.
    const second = startTmux([], { env, width: 120, height: 30 });
    sessions.push(second);
    await second.waitFor(/60 scores pending/);
    second.kill();
    server = await startTestServer({ dbPath, port });
    const third = startTmux([], { env, width: 120, height: 30 });
    sessions.push(third);
    await third.waitFor(/down_99/);
    await waitUntil(async () => (await scoresNamed(server, 'resolved')).length >= 60, 'the queued 60 after restart');
    third.keys('G', 'k'.repeat(39));
    third.keys('L');
    await third.waitFor(/3\s+resolved/);
    third.keys('3');
    await third.waitFor(/LABEL resolved/);
    third.keys('-l', 'y'.repeat(40));
    await waitUntil(async () => (await scoresNamed(server, 'resolved')).length >= 100, '100 scores', 30_000);
    const scores = await scoresNamed(server, 'resolved');
    assert.equal(scores.length, 100);
    assert.equal(new Set(scores.map((score) => score.traceId)).size, 100, 'each trace once');
    assert.equal(scores.filter((score) => score.traceId === 'down-99')[0]!.value, 1);
    assert.equal(scores.filter((score) => score.traceId === 'down-98')[0]!.value, 0);
    third.keys('Escape', 'q');
    await third.waitFor(/\[exited 0\]/);
    await server.close();
    dbDir.remove();
  });
});

describe('annotation queue walk in tmux', { skip }, () => {
  it('label --queue triage on demo data: scores carry the queueId, items complete, a second run resumes', async () => {
    const { startDemoTraffic } = await import('../../src/demo/traffic.js');
    const home = tempDir();
    const server = await startTestServer();
    const traffic = startDemoTraffic({ baseUrl: server.url, ...TEST_KEYS, backfill: 12, ratePerSecond: 1 });
    await waitUntil(async () => (await server.get('/api/public/annotation-queues')).body.data?.length === 1, 'the demo queue');
    const queue = (await server.get('/api/public/annotation-queues')).body.data[0];
    await waitUntil(async () => (await server.get(`/api/public/annotation-queues/${queue.id}/items`)).body.meta.totalItems === 10, 'ten items');
    await traffic.stop();
    const env = { XDG_DATA_HOME: home.path, XDG_STATE_HOME: home.path, LANGFUSE_BASE_URL: server.url, LANGFUSE_PUBLIC_KEY: TEST_KEYS.publicKey, LANGFUSE_SECRET_KEY: TEST_KEYS.secretKey };
    const first = startTmux(['label', '--queue', 'triage'], { env, width: 120, height: 35 });
    try {
      await first.waitFor(/Queue triage — 0\/10 done — item 1 of 10, 10 pending/);
      await first.waitFor(/configs: 1 groundedness\s+2 user_feedback\s+3 resolved/);
      await first.waitFor(/rag_pipeline\s+trace demo-/);
      first.keys('1');
      await first.waitFor(/value:/);
      first.keys('-l', '0.8');
      first.keys('Enter');
      await first.waitFor(/comment/);
      first.keys('Enter');
      await first.waitFor(/given: groundedness=0\.8/);
      first.keys('Enter');
      await first.waitFor(/1\/10 done — item 2 of 10/);
      first.keys('3');
      first.keys('y');
      await first.waitFor(/comment/);
      first.keys('-l', 'answered');
      first.keys('Enter');
      await first.waitFor(/given: resolved=true/);
      first.keys('c');
      await first.waitFor(/2\/10 done/);
      first.keys('q');
      await first.waitFor(/\[exited 0\]/);
    } finally {
      first.kill();
    }
    const items = (await server.get(`/api/public/annotation-queues/${queue.id}/items?status=COMPLETED`)).body.data;
    assert.equal(items.length, 2);
    assert.ok(items.every((item: { completedAt: string | null }) => item.completedAt));
    await waitUntil(async () => (await scoresNamed(server, 'resolved')).some((score) => score.source === 'ANNOTATION'), 'the queue scores');
    const scores = [...(await scoresNamed(server, 'groundedness')), ...(await scoresNamed(server, 'resolved'))].filter((score) => (score as unknown as { queueId: string }).queueId === queue.id);
    assert.equal(scores.length, 2);
    assert.deepEqual(new Set(scores.map((score) => score.traceId)), new Set(items.map((item: { objectId: string }) => item.objectId)));

    const second = startTmux(['label', '--queue', queue.id], { env, width: 120, height: 35 });
    try {
      await second.waitFor(/Queue triage — 2\/10 done — item 1 of 8, 8 pending/);
      second.keys('q');
      await second.waitFor(/\[exited 0\]/);
    } finally {
      second.kill();
    }
    await server.close();
    home.remove();
  });
});

describe('annotation queue items of every kind', { skip }, () => {
  it('observation and session items: shown, scored on the right subject, completed', async () => {
    const home = tempDir();
    const server = await startTestServer();
    await seedConfigs(server);
    const at = new Date().toISOString();
    await server.post('/api/public/ingestion', {
      batch: [
        { id: 'k1', type: 'trace-create', timestamp: at, body: { id: 'kt1', name: 'turn_one', sessionId: 'conv-1', input: { question: 'first question?' }, output: { answer: 'first answer.' } } },
        { id: 'k2', type: 'trace-create', timestamp: at, body: { id: 'kt2', name: 'turn_two', sessionId: 'conv-1', timestamp: new Date(Date.now() + 1000).toISOString(), input: { question: 'second question?' }, output: { answer: 'second answer.' } } },
        { id: 'k3', type: 'generation-create', timestamp: at, body: { id: 'kobs', traceId: 'kt1', name: 'generate_response', model: 'gpt-4o-mini', startTime: at, endTime: at } },
      ],
    });
    const configs = (await server.get('/api/public/score-configs')).body.data;
    const queue = (await server.post('/api/public/annotation-queues', { name: 'mixed', scoreConfigIds: configs.map((config: { id: string }) => config.id) })).body;
    await server.post(`/api/public/annotation-queues/${queue.id}/items`, { objectId: 'kobs', objectType: 'OBSERVATION' });
    await server.post(`/api/public/annotation-queues/${queue.id}/items`, { objectId: 'conv-1', objectType: 'SESSION' });
    const env = { XDG_DATA_HOME: home.path, XDG_STATE_HOME: home.path, LANGFUSE_BASE_URL: server.url, LANGFUSE_PUBLIC_KEY: TEST_KEYS.publicKey, LANGFUSE_SECRET_KEY: TEST_KEYS.secretKey };
    const tui = startTmux(['label', '--queue', 'mixed'], { env, width: 120, height: 35 });
    try {
      await tui.waitFor(/generate_response\s+gen kobs/);
      await tui.waitFor(/model\s+gpt-4o-mini/);
      tui.keys('3');
      tui.keys('n');
      await tui.waitFor(/comment/);
      tui.keys('Enter');
      await tui.waitFor(/given: resolved=false/);
      tui.keys('c');
      await tui.waitFor(/1\/2 done/);
      await tui.waitFor(/› first question\?[\s\S]*› second question\?/);
      // Typed faster than a frame: one chunk of two keys (config 2, its first category).
      tui.keys('-l', '21');
      await tui.waitFor(/comment/);
      tui.keys('Enter');
      await tui.waitFor(/given: user_feedback=positive/);
      tui.keys('c');
      await tui.waitFor(/2\/2 done/);
      tui.keys('q');
      await tui.waitFor(/\[exited 0\]/);
    } finally {
      tui.kill();
    }
    await waitUntil(async () => (await scoresNamed(server, 'user_feedback')).length === 1, 'the session score');
    const [observationScore] = await scoresNamed(server, 'resolved');
    assert.equal((observationScore as unknown as { observationId: string }).observationId, 'kobs');
    assert.equal(observationScore!.traceId, 'kt1');
    const [sessionScore] = await scoresNamed(server, 'user_feedback');
    assert.equal((sessionScore as unknown as { sessionId: string }).sessionId, 'conv-1');
    await server.close();
    home.remove();
  });
});
