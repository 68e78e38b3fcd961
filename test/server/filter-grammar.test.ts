// The `filter` grammar's edges, as a client sees them over HTTP: which conditions parse, which
// are refused and with what words, and the few that parse but do nothing.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { ragTrace } from '../helpers/ingest.js';

const AT = new Date('2026-11-24T10:00:00Z');

describe('filter grammar', () => {
  let server: TestServer;
  const traces = (conditions: unknown) => server.get(`/api/public/traces?filter=${encodeURIComponent(JSON.stringify(conditions))}`);
  const observations = (conditions: unknown) => server.get(`/api/public/v2/observations?filter=${encodeURIComponent(JSON.stringify(conditions))}`);

  before(async () => {
    server = await startTestServer();
    const batch = [
      ...ragTrace('g-1', { tags: ['production'], sessionId: 's-1', at: AT }),
      ...ragTrace('g-2', { tags: ['staging'], at: new Date(AT.getTime() + 1000), error: true }),
    ];
    assert.equal((await server.post('/api/public/ingestion', { batch })).status, 207);
  });
  after(() => server.close());

  it('an empty filter and `[]` filter nothing; positionInTrace parses and is ignored', async () => {
    assert.equal((await server.get('/api/public/traces?filter=')).body.data.length, 2);
    assert.equal((await traces([])).body.data.length, 2);
    assert.equal((await traces([{ type: 'positionInTrace', column: 'x', operator: 'root' }])).body.data.length, 2);
  });

  it('a malformed condition is a Zod-like 400 at its index', async () => {
    const cases: unknown[] = [
      { type: 'stringOptions', column: 'name', operator: 'any of', value: [] },
      { type: 'categoryOptions', column: 'score_categories', operator: 'any of', value: ['x'] },
      { type: 'number', column: 'latency', operator: '>', value: 'fast' },
      { type: 'boolean', column: 'bookmarked', operator: '=', value: 'true' },
      { type: 'string', column: 'name', operator: 'matches', value: 'rag' },
      { type: 'teapot', column: 'name', operator: '=', value: 'x' },
      'not an object',
    ];
    for (const condition of cases) {
      const response = await traces([{ type: 'string', column: 'name', operator: '=', value: 'rag_pipeline' }, condition]);
      assert.equal(response.status, 400, JSON.stringify(condition));
      assert.equal(response.body.message, 'Invalid request data');
      assert.deepEqual(response.body.error[0].path, ['filter', 1], JSON.stringify(condition));
    }
    const notArray = await traces({ type: 'string' });
    assert.deepEqual([notArray.status, notArray.body.error[0].path], [400, ['filter']]);
  });

  it('numbers and dates are coerced as Zod does', async () => {
    assert.equal((await traces([{ type: 'number', column: 'errorCount', operator: '>=', value: '1' }])).body.data.length, 1);
    assert.equal((await traces([{ type: 'datetime', column: 'timestamp', operator: '>', value: AT.toISOString() }])).body.data.length, 1);
  });

  it('columns match by id, alias or display name; string columns take stringOptions', async () => {
    for (const column of ['sessionId', 'Session ID']) {
      assert.deepEqual((await traces([{ type: 'string', column, operator: '=', value: 's-1' }])).body.data.map((t: { id: string }) => t.id), ['g-1'], column);
    }
    assert.equal((await traces([{ type: 'stringOptions', column: 'userId', operator: 'any of', value: ['u_1'] }])).body.data.length, 2);
    assert.equal((await traces([{ type: 'string', column: 'session id', operator: '=', value: 's-1' }])).status, 400);
    assert.equal((await traces([{ type: 'null', column: 'sessionId', operator: 'is not null', value: '' }])).body.data.length, 1);
  });

  it('full-text `matches` is a v2 operator for input, output and metadata, with a token', async () => {
    assert.equal((await observations([{ type: 'string', column: 'input', operator: 'matches', value: 'zzz' }])).body.data.length, 0);
    const token = await observations([{ type: 'string', column: 'input', operator: 'matches', value: '!!!' }]);
    assert.deepEqual([token.status, token.body.message], [400, '`matches` requires at least one search token.']);
    const target = await observations([{ type: 'string', column: 'name', operator: 'matches', value: 'gen' }]);
    assert.deepEqual([target.status, target.body.message], [400, '`matches` is only supported for input, output, and metadata filters.']);
    const scan = await observations([{ type: 'string', column: 'output', operator: 'contains', value: 'a' }]);
    assert.equal(scan.status, 400);
  });

  it('starts with / ends with count characters, not UTF-16 units', async () => {
    const at = new Date(AT.getTime() + 5000).toISOString();
    await server.post('/api/public/ingestion', { batch: [{ id: 'ev-emoji', type: 'trace-create', timestamp: at, body: { id: 'g-emoji', name: '🚀 launch 🎉', timestamp: at } }] });
    const starts = await traces([{ type: 'string', column: 'name', operator: 'starts with', value: '🚀 l' }]);
    assert.deepEqual(starts.body.data.map((t: { id: string }) => t.id), ['g-emoji']);
    const ends = await traces([{ type: 'string', column: 'name', operator: 'ends with', value: 'h 🎉' }]);
    assert.deepEqual(ends.body.data.map((t: { id: string }) => t.id), ['g-emoji']);
  });

  it('errors by level, both generations', async () => {
    const level = [{ type: 'stringOptions', column: 'level', operator: 'any of', value: ['ERROR'] }];
    assert.deepEqual((await traces(level)).body.data.map((t: { id: string }) => t.id), ['g-2']);
    assert.deepEqual((await observations(level)).body.data.map((o: { id: string }) => o.id), ['g-2-g']);
  });
});
