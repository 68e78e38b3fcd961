// The scoring service against the embedded server: every data type, validation surfaced
// before anything is sent, the backend's own rejection kept as failed, undo.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { LangfuseClient } from '../../src/api/client.js';
import { createScoringService, type ScoringService } from '../../src/scoring/service.js';
import { ScoreInputError } from '../../src/scoring/score-input.js';
import { startTestServer, TEST_KEYS, tempDir, type TestServer } from '../helpers/server.js';
import { ragTrace } from '../helpers/ingest.js';

const waitUntil = async (predicate: () => boolean | Promise<boolean>, what: string) => {
  const deadline = Date.now() + 10_000;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};

describe('scoring service', () => {
  let server: TestServer;
  let client: LangfuseClient;
  let scoring: ScoringService;
  const dir = tempDir();

  before(async () => {
    server = await startTestServer();
    await server.post('/api/public/ingestion', { batch: ragTrace('sv-1') });
    await server.post('/api/public/score-configs', { name: 'groundedness', dataType: 'NUMERIC', minValue: 0, maxValue: 1 });
    await server.post('/api/public/score-configs', { name: 'user_feedback', dataType: 'CATEGORICAL', categories: [{ label: 'positive', value: 1 }, { label: 'negative', value: 0 }] });
    await server.post('/api/public/score-configs', { name: 'resolved', dataType: 'BOOLEAN' });
    await server.post('/api/public/score-configs', { name: 'note', dataType: 'TEXT' });
    const archived = await server.post('/api/public/score-configs', { name: 'old_metric', dataType: 'NUMERIC' });
    await server.post(`/api/public/score-configs/${archived.body.id}`, { isArchived: true }, 'PATCH');
    client = new LangfuseClient({ host: server.url, ...TEST_KEYS });
    scoring = createScoringService({ writer: client, queuePath: join(dir.path, 'scores.jsonl') });
  });
  after(async () => {
    scoring.close();
    await client.close();
    await server.close();
    dir.remove();
  });

  it('offers the non-archived configs and stores each data type typed by its config', async () => {
    const configs = await scoring.configs();
    assert.deepEqual(configs.map((config) => config.name), ['groundedness', 'user_feedback', 'resolved', 'note']);
    const target = { traceId: 'sv-1' };
    const made = [
      scoring.submit(target, 'groundedness', '0.75'),
      scoring.submit(target, 'user_feedback', '2'),
      scoring.submit(target, 'resolved', 'y'),
      scoring.submit(target, 'note', 'cites the wrong document', 'second look'),
      scoring.submit({ traceId: 'sv-1', observationId: 'sv-1-g' }, 'tone', 'friendly'),
    ];
    await waitUntil(() => scoring.status().pending === 0, 'the queue to drain');
    const scores = (await server.get('/api/public/traces/sv-1')).body.scores as { id: string; name: string; dataType: string; value: number | null; stringValue: string | null; source: string; configId: string | null; comment: string | null; observationId: string | null }[];
    const byName = new Map(scores.map((score) => [score.name, score]));
    assert.equal(byName.get('groundedness')!.value, 0.75);
    assert.equal(byName.get('user_feedback')!.stringValue, 'negative');
    assert.equal(byName.get('resolved')!.stringValue, 'True');
    assert.equal(byName.get('note')!.dataType, 'TEXT');
    assert.equal(byName.get('note')!.comment, 'second look');
    assert.ok(['groundedness', 'user_feedback', 'resolved', 'note'].every((name) => byName.get(name)!.source === 'ANNOTATION' && byName.get(name)!.configId));
    assert.equal(byName.get('tone')!.source, 'API');
    assert.equal(byName.get('tone')!.observationId, 'sv-1-g');
    assert.deepEqual(new Set(scores.map((score) => score.id)), new Set(made.map((score) => score.id)));
  });

  it('surfaces validation errors before anything is sent', () => {
    assert.throws(() => scoring.submit({ traceId: 'sv-1' }, 'groundedness', '7'), (error: unknown) => error instanceof ScoreInputError && /outside groundedness's range/.test((error as Error).message));
    assert.throws(() => scoring.submit({ traceId: 'sv-1' }, 'user_feedback', 'meh'), /one of: positive, negative/);
    assert.throws(() => scoring.submit({ traceId: 'sv-1' }, 'resolved', 'maybe'), /true or false/);
    assert.throws(() => scoring.submit({ traceId: 'sv-1' }, 'note', 'x'.repeat(501)), /1 to 500 characters/);
  });

  it('keeps a score the backend rejects as failed, with the reason; undo deletes a sent one', async () => {
    // The config narrowed on the backend after tracetop read it: the backend has the last word.
    const config = (await scoring.configs()).find((candidate) => candidate.name === 'groundedness')!;
    await server.post(`/api/public/score-configs/${config.id}`, { maxValue: 0.5 }, 'PATCH');
    const rejected = scoring.submit({ traceId: 'sv-1' }, 'groundedness', '0.9');
    await waitUntil(() => scoring.failure(rejected.id) !== null, 'the rejection');
    assert.match(scoring.failure(rejected.id)!, /above the maximum 0\.5 of groundedness/);
    assert.equal(scoring.status().failed, 1);
    const sent = scoring.submit({ traceId: 'sv-1' }, 'groundedness', '0.2');
    await waitUntil(() => !scoring.isPending(sent.id), 'sent');
    await scoring.undo(sent.id);
    const left = (await server.get('/api/public/traces/sv-1')).body.scores.filter((score: { id: string }) => score.id === sent.id);
    assert.equal(left.length, 0);
  });
});
