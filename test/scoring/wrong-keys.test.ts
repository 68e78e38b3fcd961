// Scores made while the keys are wrong (401) stay pending in the journal — not failed — and
// go out, once each, when tracetop next runs with the right keys.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { LangfuseClient } from '../../src/api/client.js';
import { createScoringService } from '../../src/scoring/service.js';
import { startTestServer, TEST_KEYS, tempDir, type TestServer } from '../helpers/server.js';
import { ragTrace } from '../helpers/ingest.js';

describe('scores while the keys are wrong', () => {
  let server: TestServer;
  const dir = tempDir();
  before(async () => {
    server = await startTestServer();
    await server.post('/api/public/ingestion', { batch: ragTrace('wk-1') });
  });
  after(async () => {
    await server.close();
    dir.remove();
  });

  it('stay pending through 401s and are sent once the keys are right', async () => {
    const queuePath = join(dir.path, 'scores.jsonl');
    const wrong = new LangfuseClient({ host: server.url, publicKey: TEST_KEYS.publicKey, secretKey: 'sk-lf-wrong' });
    const first = createScoringService({ writer: wrong, queuePath });
    first.submit({ traceId: 'wk-1' }, 'quality', '0.8');
    first.submit({ traceId: 'wk-1' }, 'verdict', 'good');
    const deadline = Date.now() + 5_000;
    while (!first.status().detail && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
    assert.match(first.status().detail ?? '', /401/);
    assert.equal(first.status().pending, 2, 'still pending, not parked as failed');
    assert.equal(first.status().failed, 0);
    first.close();
    await wrong.close();

    const right = new LangfuseClient({ host: server.url, ...TEST_KEYS });
    const second = createScoringService({ writer: right, queuePath });
    const until = Date.now() + 10_000;
    while (second.status().pending > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 25));
    assert.equal(second.status().pending, 0);
    const scores = (await server.get('/api/public/v2/scores?traceId=wk-1')).body.data as { name: string }[];
    assert.deepEqual(scores.map((score) => score.name).sort(), ['quality', 'verdict']);
    second.close();
    await right.close();
  });
});
