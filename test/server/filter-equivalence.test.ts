// The `filter` parameter, applied on the server (compiled to SQL), against a plain in-memory
// evaluation of the same conditions over the same rows as the API returns them unfiltered:
// v1 GET /traces over trace columns (scores, levels, metadata, tags…), GET /v2/observations
// over observation columns. Plus the backlog case the issue names: 50 production traces
// under 550 newer staging ones are found by a filter, not lost past the first page.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { seededRng } from '../../src/demo/scenario.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { ragTrace } from '../helpers/ingest.js';

type Condition = { type: string; column: string; operator: string; value: unknown; key?: string };
type Row = Record<string, unknown>;
type Getter = (row: Row, key?: string) => unknown;

const BASE = Date.parse('2026-11-24T10:00:00Z');
const enc = encodeURIComponent;

function corpus() {
  const rng = seededRng(11);
  const pick = <T>(items: T[]) => items[Math.floor(rng() * items.length)]!;
  const batch: unknown[] = [];
  for (let i = 0; i < 80; i++) {
    const id = `fe-${String(i).padStart(2, '0')}`;
    const at = (offset: number) => new Date(BASE + i * 1000 + offset).toISOString();
    const environment = pick(['production', 'staging']);
    const tags = [environment, ...(rng() < 0.5 ? ['rag'] : []), ...(rng() < 0.2 ? ['beta'] : [])];
    const level = rng() < 0.15 ? 'ERROR' : rng() < 0.2 ? 'WARNING' : 'DEFAULT';
    const metadata: Record<string, unknown> = { region: pick(['eu', 'us', 'eu-west']) };
    if (rng() < 0.5) metadata.tier = pick(['gold', 'silver']);
    const model = rng() < 0.8 ? pick(['gpt-4o-mini', 'claude-3-haiku']) : undefined;
    const promptName = rng() < 0.5 ? pick(['answer', 'triage']) : undefined;
    batch.push(
      {
        id: `e-${id}`,
        type: 'trace-create',
        timestamp: at(0),
        body: { id, timestamp: at(0), name: pick(['rag_pipeline', 'support_chat', 'support_email']), userId: rng() < 0.9 ? pick(['u_1', 'u_2', 'u_3']) : undefined, sessionId: rng() < 0.8 ? `s_${i % 5}` : undefined, tags, environment, release: pick(['r1', 'r2']), version: pick(['v1', 'v2', 'v11']), metadata },
      },
      { id: `e-${id}-root`, type: 'span-create', timestamp: at(0), body: { id: `${id}-root`, traceId: id, name: 'pipeline', startTime: at(0), endTime: at(Math.floor(rng() * 2000)), environment, metadata, input: { question: `q ${id}` } } },
      {
        id: `e-${id}-gen`,
        type: 'generation-create',
        timestamp: at(0),
        body: {
          id: `${id}-gen`, traceId: id, parentObservationId: rng() < 0.1 ? 'outside-span' : `${id}-root`, name: pick(['generate', 'rerank']), startTime: at(10), endTime: rng() < 0.9 ? at(10 + Math.floor(rng() * 1500)) : undefined,
          level, statusMessage: level === 'ERROR' ? 'upstream timeout' : undefined, environment, model, promptName, promptVersion: promptName ? pick([1, 2]) : undefined,
          usageDetails: { input: Math.floor(rng() * 500), output: Math.floor(rng() * 100) }, costDetails: rng() < 0.8 ? { input: 0.001, output: 0.002, total: Math.round(rng() * 100) / 10000 } : undefined,
          input: { prompt: `answer ${id}` }, output: 'fine',
        },
      },
    );
    if (rng() < 0.7) batch.push({ id: `e-${id}-s1`, type: 'score-create', timestamp: at(0), body: { id: `${id}-s1`, traceId: id, name: 'helpfulness', value: Math.round(rng() * 100) / 100 } });
    if (rng() < 0.3) batch.push({ id: `e-${id}-s1b`, type: 'score-create', timestamp: at(0), body: { id: `${id}-s1b`, traceId: id, name: 'helpfulness', value: Math.round(rng() * 100) / 100 } });
    if (rng() < 0.4) batch.push({ id: `e-${id}-s2`, type: 'score-create', timestamp: at(0), body: { id: `${id}-s2`, traceId: id, name: 'sentiment', value: pick(['positive', 'negative']), dataType: 'CATEGORICAL' } });
    if (rng() < 0.4) batch.push({ id: `e-${id}-s3`, type: 'score-create', timestamp: at(0), body: { id: `${id}-s3`, traceId: id, name: 'resolved', value: pick([0, 1]), dataType: 'BOOLEAN' } });
  }
  return batch;
}

// ---- a straightforward evaluator, independent of the server's SQL --------------------------

const asText = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));

function evaluate(condition: Condition, get: Getter, row: Row, nullAsEmpty: boolean): boolean {
  let value = get(row, condition.key);
  if (nullAsEmpty && (value === null || value === undefined) && (condition.type === 'string' || condition.type === 'stringOptions')) value = '';
  switch (condition.type) {
    case 'string':
    case 'stringObject': {
      const text = asText(value);
      const wanted = condition.value as string;
      if (text === null) return false;
      switch (condition.operator) {
        case '=': return text === wanted;
        case 'contains': return text.includes(wanted);
        case 'does not contain': return !text.includes(wanted);
        case 'starts with': return text.startsWith(wanted);
        case 'ends with': return text.endsWith(wanted);
        case 'matches': return text.toLowerCase().includes(wanted.toLowerCase());
      }
      throw new Error(condition.operator);
    }
    case 'stringOptions':
    case 'arrayOptions':
    case 'categoryOptions': {
      const wanted = (condition.value as string[]).map((item) => (condition.type === 'categoryOptions' ? `${condition.key}:${item}` : item));
      if (Array.isArray(value)) {
        const has = wanted.filter((item) => (value as string[]).includes(item));
        if (condition.operator === 'all of') return has.length === new Set(wanted).size;
        return condition.operator === 'any of' ? has.length > 0 : has.length === 0;
      }
      if (value === null || value === undefined) return false;
      return condition.operator === 'any of' ? wanted.includes(String(value)) : !wanted.includes(String(value));
    }
    case 'number':
    case 'datetime': {
      if (value === null || value === undefined) return false;
      const n = Number(value);
      const wanted = condition.type === 'datetime' ? Date.parse(condition.value as string) : (condition.value as number);
      return compare(n, condition.operator, wanted);
    }
    case 'numberObject':
      return (value as number[]).some((n) => compare(n, condition.operator, condition.value as number));
    case 'boolean':
      return condition.operator === '=' ? value === condition.value : value !== condition.value;
    case 'booleanObject': {
      const has = (value as boolean[]).includes(condition.value as boolean);
      return condition.operator === '=' ? has : !has;
    }
    case 'null':
      return condition.operator === 'is null' ? value === null || value === undefined || value === '' : !(value === null || value === undefined || value === '');
  }
  throw new Error(condition.type);
}

function compare(n: number, operator: string, wanted: number): boolean {
  switch (operator) {
    case '=': return n === wanted;
    case '>': return n > wanted;
    case '<': return n < wanted;
    case '>=': return n >= wanted;
    case '<=': return n <= wanted;
  }
  throw new Error(operator);
}

const RANK: Record<string, number> = { DEBUG: 1, DEFAULT: 2, WARNING: 3, ERROR: 4 };
const metadataValue = (metadata: unknown, key = '') => {
  const value = (metadata as Record<string, unknown> | null)?.[key];
  return value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
};

/** v1 trace columns from a trace as GET /traces/{id} returns it (observations and scores in full). */
const TRACE_GETTERS: Record<string, Getter> = {
  id: (t) => t.id,
  name: (t) => t.name,
  timestamp: (t) => Date.parse(t.timestamp as string),
  userId: (t) => t.userId,
  sessionId: (t) => t.sessionId,
  version: (t) => t.version,
  release: (t) => t.release,
  environment: (t) => t.environment,
  tags: (t) => t.tags,
  metadata: (t, key) => metadataValue(t.metadata, key),
  level: (t) => {
    const levels = (t.observations as Row[]).map((o) => RANK[o.level as string]!);
    return levels.length ? Object.keys(RANK).find((level) => RANK[level] === Math.max(...levels)) : null;
  },
  errorCount: (t) => (t.observations as Row[]).filter((o) => o.level === 'ERROR').length,
  warningCount: (t) => (t.observations as Row[]).filter((o) => o.level === 'WARNING').length,
  latency: (t) => t.latency,
  totalCost: (t) => t.totalCost,
  scores_avg: (t, key) => (t.scores as Row[]).filter((s) => s.name === key && s.dataType === 'NUMERIC').map((s) => s.value as number),
  score_categories: (t) => (t.scores as Row[]).filter((s) => s.dataType === 'CATEGORICAL').map((s) => `${s.name}:${s.stringValue}`),
  score_booleans: (t, key) => (t.scores as Row[]).filter((s) => s.name === key && s.dataType === 'BOOLEAN').map((s) => s.value === 1),
};

/** v2 observation columns from a row of GET /v2/observations with every field group. */
const OBSERVATION_GETTERS: Record<string, Getter> = {
  id: (o) => o.id,
  type: (o) => o.type,
  name: (o) => o.name,
  traceId: (o) => o.traceId,
  level: (o) => o.level,
  environment: (o) => o.environment,
  statusMessage: (o) => o.statusMessage,
  version: (o) => o.version,
  release: (o) => o.release,
  userId: (o) => o.userId,
  sessionId: (o) => o.sessionId,
  traceName: (o) => o.traceName,
  tags: (o) => o.tags,
  startTime: (o) => Date.parse(o.startTime as string),
  latency: (o) => o.latency,
  totalCost: (o) => o.totalCost,
  providedModelName: (o) => o.providedModelName,
  model: (o) => o.providedModelName,
  promptName: (o) => o.promptName,
  promptVersion: (o) => o.promptVersion,
  metadata: (o, key) => metadataValue(o.metadata, key),
  input: (o) => o.input,
  isRootObservation: (o) => o.isRootObservation,
  parentObservationId: (o) => o.parentObservationId,
};

const TRACE_CONDITIONS: Condition[][] = [
  [{ type: 'arrayOptions', column: 'tags', operator: 'any of', value: ['production'] }],
  [{ type: 'arrayOptions', column: 'tags', operator: 'all of', value: ['production', 'rag'] }],
  [{ type: 'arrayOptions', column: 'traceTags', operator: 'none of', value: ['staging', 'beta'] }],
  [{ type: 'string', column: 'userId', operator: '=', value: 'u_2' }],
  [{ type: 'stringOptions', column: 'name', operator: 'any of', value: ['support_chat', 'rag_pipeline'] }],
  [{ type: 'string', column: 'Name', operator: 'starts with', value: 'support' }],
  [{ type: 'stringOptions', column: 'environment', operator: 'none of', value: ['staging'] }],
  [{ type: 'stringOptions', column: 'level', operator: 'any of', value: ['ERROR'] }],
  [{ type: 'stringOptions', column: 'level', operator: 'none of', value: ['ERROR', 'WARNING'] }],
  [{ type: 'number', column: 'errorCount', operator: '>', value: 0 }],
  [{ type: 'number', column: 'warningCount', operator: '>=', value: 1 }],
  [{ type: 'number', column: 'latency', operator: '>', value: 1 }],
  [{ type: 'number', column: 'totalCost', operator: '>', value: 0.005 }],
  [{ type: 'numberObject', column: 'scores_avg', key: 'helpfulness', operator: '<', value: 0.5 }],
  [{ type: 'numberObject', column: 'scores', key: 'helpfulness', operator: '>=', value: 0.5 }],
  [{ type: 'categoryOptions', column: 'score_categories', key: 'sentiment', operator: 'any of', value: ['negative'] }],
  [{ type: 'categoryOptions', column: 'score_categories', key: 'sentiment', operator: 'none of', value: ['negative'] }],
  [{ type: 'booleanObject', column: 'score_booleans', key: 'resolved', operator: '=', value: true }],
  [{ type: 'booleanObject', column: 'score_booleans', key: 'resolved', operator: '<>', value: true }],
  [{ type: 'stringObject', column: 'metadata', key: 'region', operator: '=', value: 'eu' }],
  [{ type: 'stringObject', column: 'metadata', key: 'region', operator: 'starts with', value: 'eu' }],
  [{ type: 'stringObject', column: 'metadata', key: 'tier', operator: 'does not contain', value: 'gold' }],
  [{ type: 'string', column: 'release', operator: '=', value: 'r2' }],
  [{ type: 'string', column: 'version', operator: 'ends with', value: '1' }],
  [{ type: 'datetime', column: 'timestamp', operator: '>=', value: new Date(BASE + 40_000).toISOString() }],
  [{ type: 'null', column: 'sessionId', operator: 'is null', value: '' }],
  [{ type: 'string', column: 'userId', operator: 'does not contain', value: '1' }],
  [
    { type: 'arrayOptions', column: 'tags', operator: 'any of', value: ['production'] },
    { type: 'numberObject', column: 'scores_avg', key: 'helpfulness', operator: '>=', value: 0.5 },
    { type: 'stringOptions', column: 'level', operator: 'none of', value: ['ERROR'] },
  ],
];

const OBSERVATION_CONDITIONS: Condition[][] = [
  [{ type: 'arrayOptions', column: 'tags', operator: 'any of', value: ['production'] }],
  [{ type: 'arrayOptions', column: 'traceTags', operator: 'all of', value: ['staging', 'rag'] }],
  [{ type: 'stringOptions', column: 'traceName', operator: 'any of', value: ['support_chat'] }],
  [{ type: 'string', column: 'release', operator: '=', value: 'r2' }],
  [{ type: 'stringOptions', column: 'level', operator: 'any of', value: ['ERROR'] }],
  [{ type: 'stringObject', column: 'metadata', key: 'region', operator: '=', value: 'eu' }],
  [{ type: 'stringObject', column: 'metadata', key: 'tier', operator: 'matches', value: 'GOLD' }],
  [{ type: 'number', column: 'latency', operator: '>', value: 0.7 }],
  [{ type: 'number', column: 'totalCost', operator: '>', value: 0.004 }],
  [{ type: 'stringOptions', column: 'model', operator: 'any of', value: ['gpt-4o-mini'] }],
  [{ type: 'stringOptions', column: 'providedModelName', operator: 'none of', value: ['gpt-4o-mini'] }],
  [{ type: 'stringOptions', column: 'promptName', operator: 'any of', value: ['answer'] }],
  [{ type: 'number', column: 'promptVersion', operator: '=', value: 2 }],
  [{ type: 'boolean', column: 'isRootObservation', operator: '=', value: true }],
  [{ type: 'stringOptions', column: 'type', operator: 'any of', value: ['GENERATION'] }],
  [{ type: 'string', column: 'userId', operator: '=', value: 'u_1' }],
  [{ type: 'string', column: 'sessionId', operator: 'does not contain', value: 's_1' }],
  [{ type: 'stringOptions', column: 'environment', operator: 'any of', value: ['production'] }],
  [{ type: 'string', column: 'name', operator: 'starts with', value: 'gen' }],
  [{ type: 'string', column: 'input', operator: 'matches', value: 'ANSWER fe-1' }],
  [{ type: 'string', column: 'statusMessage', operator: 'contains', value: 'timeout' }],
  [{ type: 'string', column: 'version', operator: '=', value: 'v11' }],
  [{ type: 'datetime', column: 'startTime', operator: '<', value: new Date(BASE + 30_000).toISOString() }],
  [{ type: 'null', column: 'parentObservationId', operator: 'is not null', value: '' }],
  [
    { type: 'arrayOptions', column: 'tags', operator: 'any of', value: ['production'] },
    { type: 'boolean', column: 'isRootObservation', operator: '=', value: true },
    { type: 'stringOptions', column: 'traceName', operator: 'any of', value: ['rag_pipeline', 'support_email'] },
  ],
];

const label = (conditions: Condition[]) =>
  conditions.map((c) => `${c.column}${c.key ? `[${c.key}]` : ''} ${c.operator} ${JSON.stringify(c.value)}`).join(' AND ');

describe('filter: the server applies what a plain evaluation selects', () => {
  let server: TestServer;
  let traces: Row[] = [];
  let observations: Row[] = [];
  const ALL_FIELDS = 'core,basic,time,io,metadata,model,usage,prompt,metrics,trace_context';

  async function pagedTraceIds(query: string): Promise<string[]> {
    const ids: string[] = [];
    for (let page = 1; ; page++) {
      const response = await server.get(`/api/public/traces?limit=100&page=${page}&${query}`);
      assert.equal(response.status, 200, JSON.stringify(response.body));
      ids.push(...response.body.data.map((trace: Row) => trace.id as string));
      if (page >= response.body.meta.totalPages) return ids;
    }
  }

  async function observationRows(query: string): Promise<Row[]> {
    const rows: Row[] = [];
    let cursor: string | undefined;
    do {
      const response = await server.get(`/api/public/v2/observations?limit=70&fields=${ALL_FIELDS}&${query}${cursor ? `&cursor=${enc(cursor)}` : ''}`);
      assert.equal(response.status, 200, JSON.stringify(response.body));
      rows.push(...response.body.data);
      cursor = response.body.meta.cursor;
    } while (cursor);
    return rows;
  }

  before(async () => {
    server = await startTestServer();
    const batch = corpus();
    for (let i = 0; i < batch.length; i += 200) assert.equal((await server.post('/api/public/ingestion', { batch: batch.slice(i, i + 200) })).status, 207);
    const ids = await pagedTraceIds('');
    assert.equal(ids.length, 80);
    traces = [];
    for (const id of ids) {
      const full = (await server.get(`/api/public/traces/${id}`)).body as Row;
      const listed = (await server.get(`/api/public/traces?${new URLSearchParams({ filter: JSON.stringify([{ type: 'string', column: 'id', operator: '=', value: id }]) })}`)).body.data[0] as Row;
      traces.push({ ...full, latency: listed.latency, totalCost: listed.totalCost });
    }
    observations = await observationRows('');
    assert.equal(observations.length, 160);
  });
  after(() => server.close());

  for (const conditions of TRACE_CONDITIONS) {
    it(`v1 /traces: ${label(conditions)}`, async () => {
      const expected = traces
        .filter((trace) => conditions.every((condition) => evaluate(condition, TRACE_GETTERS[condition.column === 'traceTags' ? 'tags' : condition.column === 'scores' ? 'scores_avg' : condition.column === 'Name' ? 'name' : condition.column]!, trace, false)))
        .map((trace) => trace.id as string)
        .sort();
      const actual = (await pagedTraceIds(new URLSearchParams({ filter: JSON.stringify(conditions) }).toString())).sort();
      assert.deepEqual(actual, expected);
      assert.ok(conditions.length > 1 || (expected.length > 0 && expected.length < traces.length) || conditions[0]!.type === 'null', 'a condition that splits the corpus');
    });
  }

  for (const conditions of OBSERVATION_CONDITIONS) {
    it(`v2 /observations: ${label(conditions)}`, async () => {
      const expected = observations
        .filter((row) => conditions.every((condition) => evaluate(condition, OBSERVATION_GETTERS[condition.column === 'traceTags' ? 'tags' : condition.column]!, row, true)))
        .map((row) => row.id as string)
        .sort();
      const actual = (await observationRows(new URLSearchParams({ filter: JSON.stringify(conditions) }).toString())).map((row) => row.id as string).sort();
      assert.deepEqual(actual, expected);
      assert.ok(expected.length > 0 && expected.length < observations.length, 'a condition that splits the corpus');
    });
  }
});

describe('filter: a 600-trace backlog where the old traces are the ones asked for', () => {
  let server: TestServer;
  const now = Date.now();
  before(async () => {
    server = await startTestServer();
    const batch: unknown[] = [];
    // 50 production traces, then 550 newer staging ones, all in the last 30 minutes.
    for (let i = 0; i < 600; i++) {
      const production = i < 50;
      batch.push(...ragTrace(`bl-${i}`, { tags: [production ? 'production' : 'staging'], environment: production ? 'production' : 'staging', at: new Date(now - 30 * 60_000 + i * 2000) }));
    }
    for (let i = 0; i < batch.length; i += 300) assert.equal((await server.post('/api/public/ingestion', { batch: batch.slice(i, i + 300) })).status, 207);
  });
  after(() => server.close());

  it('GET /v2/observations with a tags filter returns the 50 in the first page', async () => {
    const since = enc(new Date(now - 2 * 3600_000).toISOString());
    const filter = enc(JSON.stringify([{ type: 'arrayOptions', column: 'tags', operator: 'any of', value: ['production'] }]));
    const response = await server.get(`/api/public/v2/observations?fromStartTime=${since}&limit=1000&fields=core,basic,trace_context&filter=${filter}`);
    assert.equal(response.status, 200);
    const traceIds = new Set(response.body.data.map((row: Row) => row.traceId));
    assert.equal(traceIds.size, 50);
    assert.ok(response.body.data.every((row: Row) => (row.tags as string[]).includes('production')));
    assert.equal(response.body.meta.cursor, undefined);
  });

  it('GET /traces finds the same 50 by tags, by filter, and not at all without one in its first page', async () => {
    const since = enc(new Date(now - 2 * 3600_000).toISOString());
    const byTags = await server.get(`/api/public/traces?fromTimestamp=${since}&tags=production&limit=100`);
    assert.equal(byTags.body.meta.totalItems, 50);
    const filter = enc(JSON.stringify([{ type: 'arrayOptions', column: 'tags', operator: 'any of', value: ['production'] }]));
    const byFilter = await server.get(`/api/public/traces?fromTimestamp=${since}&filter=${filter}&limit=100`);
    assert.equal(byFilter.body.data.length, 50);
    const firstPage = await server.get(`/api/public/traces?fromTimestamp=${since}&limit=100`);
    assert.equal(firstPage.body.data.filter((trace: Row) => (trace.tags as string[]).includes('production')).length, 0);
  });
});
