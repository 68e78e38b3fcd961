// What each request carries for a filter, per Langfuse read generation: the simple parameters
// and the `filter` conditions (Langfuse's JSON grammar), from the filter language's parsed form.
// Pure: no network. The twin applies the same conditions (filter-equivalence.test.ts).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  clientResidue,
  encodeFilter,
  v1TraceRequest,
  v2ObservationConditions,
  v2RootRequest,
  v3ScoreParams,
} from '../../src/api/filter-conditions.js';
import { parseFilter, printFilter, toServerQuery } from '../../src/domain/filter-language.js';
import type { TraceQuery } from '../../src/domain/types.js';

const NOW = new Date('2026-11-24T12:00:00Z');
const query = (text: string): TraceQuery => {
  const parsed = parseFilter(text);
  assert.ok(parsed.ok, text);
  return toServerQuery(parsed.ok ? parsed.filter : (null as never), NOW).query;
};
const EPOCH = '1970-01-01T00:00:00.000Z';

describe('v1: GET /traces parameters and filter conditions', () => {
  it('simple conditions travel as parameters; the window always has a fromTimestamp', () => {
    const { params, alternatives } = v1TraceRequest(query('tag:production tag:rag user:u_1 session:s_1 name:chat env:prod env:staging release:r1 version:v2 since:2h'), EPOCH);
    assert.deepEqual(params, {
      userId: 'u_1',
      name: 'chat',
      sessionId: 's_1',
      version: 'v2',
      release: 'r1',
      tags: ['production', 'rag'],
      environment: ['prod', 'staging'],
      fromTimestamp: '2026-11-24T10:00:00.000Z',
      toTimestamp: undefined,
    });
    assert.deepEqual(alternatives, [[]]);
    // No window: servers with LANGFUSE_API_TRACES_REJECT_NO_DATE_RANGE still get a date range.
    assert.equal(v1TraceRequest(query('tag:x'), EPOCH).params.fromTimestamp, EPOCH);
  });

  it('level and scores become filter conditions on trace columns', () => {
    const { alternatives } = v1TraceRequest(query('level:warning score:helpfulness<0.5 score:user_feedback=negative score:resolved=false'), EPOCH);
    assert.deepEqual(alternatives, [
      [
        { type: 'stringOptions', column: 'level', operator: 'any of', value: ['ERROR', 'WARNING'] },
        { type: 'numberObject', column: 'scores_avg', key: 'helpfulness', operator: '<', value: 0.5 },
        { type: 'categoryOptions', column: 'score_categories', key: 'user_feedback', operator: 'any of', value: ['negative'] },
        { type: 'booleanObject', column: 'score_booleans', key: 'resolved', operator: '=', value: false },
      ],
    ]);
    assert.deepEqual(v1TraceRequest(query('level:error'), EPOCH).alternatives, [[{ type: 'stringOptions', column: 'level', operator: 'any of', value: ['ERROR'] }]]);
    assert.deepEqual(v1TraceRequest(query('score:verdict!=bad score:ok!=true'), EPOCH).alternatives, [
      [
        { type: 'categoryOptions', column: 'score_categories', key: 'verdict', operator: 'none of', value: ['bad'] },
        { type: 'booleanObject', column: 'score_booleans', key: 'ok', operator: '<>', value: true },
      ],
    ]);
  });

  it('a numeric != has no operator on scores_avg: two alternatives (< and >), crossed with the rest', () => {
    const { alternatives } = v1TraceRequest(query('score:q!=0.5 level:error'), EPOCH);
    assert.equal(alternatives.length, 2);
    assert.deepEqual(alternatives.map((alternative) => alternative.map((c) => ('operator' in c ? `${c.column}${c.operator}` : ''))), [
      ['levelany of', 'scores_avg<'],
      ['levelany of', 'scores_avg>'],
    ]);
  });

  it('the filter parameter is JSON, and absent when there are no conditions', () => {
    assert.equal(encodeFilter([]), undefined);
    const text = encodeFilter([{ type: 'number', column: 'latency', operator: '>', value: 2.5 }])!;
    assert.deepEqual(JSON.parse(text), [{ type: 'number', column: 'latency', operator: '>', value: 2.5 }]);
  });
});

describe('v2: root observations and candidates', () => {
  it('trace context travels in the filter (tags all of, traceName, release, version), the rest as parameters', () => {
    const { params, filter } = v2RootRequest(query('tag:production tag:rag user:u_1 session:s_1 name:chat env:prod release:r1 version:v2 since:2h'));
    assert.deepEqual(params, {
      userId: 'u_1',
      sessionId: 's_1',
      environment: ['prod'],
      fromStartTime: '2026-11-24T10:00:00.000Z',
      toStartTime: undefined,
      isRootObservation: 'true',
      fields: 'core,basic,time,usage,metrics,trace_context',
    });
    assert.deepEqual(filter, [
      { type: 'arrayOptions', column: 'tags', operator: 'all of', value: ['production', 'rag'] },
      { type: 'string', column: 'traceName', operator: '=', value: 'chat' },
      { type: 'string', column: 'release', operator: '=', value: 'r1' },
      { type: 'string', column: 'version', operator: '=', value: 'v2' },
    ]);
  });

  it('candidate traces come back by traceId any of; free text asks for io', () => {
    const { params, filter } = v2RootRequest(query('tag:a "timeout"'), { traceIds: ['t1', 't2'], includeIo: true });
    assert.equal(params.fields, 'core,basic,time,usage,metrics,trace_context,io,metadata');
    assert.deepEqual(filter.at(-1), { type: 'stringOptions', column: 'traceId', operator: 'any of', value: ['t1', 't2'] });
  });

  it('level, prompt and model are conditions on any observation of the trace, with its context', () => {
    assert.equal(v2ObservationConditions(query('tag:a')), null);
    assert.deepEqual(v2ObservationConditions(query('tag:a level:error prompt:support@3 model:gpt-4o')), [
      { type: 'arrayOptions', column: 'tags', operator: 'all of', value: ['a'] },
      { type: 'stringOptions', column: 'level', operator: 'any of', value: ['ERROR'] },
      { type: 'string', column: 'promptName', operator: '=', value: 'support' },
      { type: 'number', column: 'promptVersion', operator: '=', value: 3 },
      { type: 'string', column: 'providedModelName', operator: '=', value: 'gpt-4o' },
    ]);
  });

  it('GET /v3/scores narrows with inclusive bounds (strict ones are finished on the client)', () => {
    assert.deepEqual(v3ScoreParams({ name: 'q', operator: '<', value: 0.5 }), { name: 'q', dataType: 'NUMERIC', valueMax: 0.5 });
    assert.deepEqual(v3ScoreParams({ name: 'q', operator: '>=', value: 0.5 }), { name: 'q', dataType: 'NUMERIC', valueMin: 0.5 });
    assert.deepEqual(v3ScoreParams({ name: 'q', operator: '=', value: 1 }), { name: 'q', dataType: 'NUMERIC', valueMin: 1, valueMax: 1 });
    assert.deepEqual(v3ScoreParams({ name: 'q', operator: '!=', value: 1 }), { name: 'q', dataType: 'NUMERIC' });
    assert.deepEqual(v3ScoreParams({ name: 'v', operator: '=', value: 'bad' }), { name: 'v', dataType: 'CATEGORICAL' });
    assert.deepEqual(v3ScoreParams({ name: 'r', operator: '!=', value: false }), { name: 'r', dataType: 'BOOLEAN' });
  });
});

describe('the client-side residue', () => {
  it('is only what no server applies: a glob name or model, and free text', () => {
    const parsed = parseFilter('tag:a user:u level:error score:q<0.5 name:support-* model:gpt-4* since:2h "timeout" release:r');
    assert.ok(parsed.ok);
    if (!parsed.ok) return;
    assert.equal(printFilter(clientResidue(parsed.filter)), 'name:support-* model:gpt-4* timeout');
    const exact = parseFilter('name:chat tag:a');
    assert.ok(exact.ok);
    if (exact.ok) assert.equal(printFilter(clientResidue(exact.filter)), '');
  });
});
