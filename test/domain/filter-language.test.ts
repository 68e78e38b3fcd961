import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { emptyFilter, filterFromFlags, matchesTrace, parseFilter, printFilter, toServerQuery, type TraceFilter } from '../../src/domain/filter-language.js';
import { summary } from '../helpers/fixtures.js';

const parse = (text: string): TraceFilter => {
  const result = parseFilter(text);
  if (!result.ok) throw new Error(result.error.message);
  return result.filter;
};

describe('filter language', () => {
  it('parses every form', () => {
    const filter = parse('tag:production tag:rag user:u_42 session:s_1 name:support-* env:prod env:staging level:error score:helpfulness<0.5 score:user_feedback=negative score:resolved=false since:15m from:2026-11-24T10:00:00Z to:2026-11-25 release:r1 version:1.2 "password reset" timeout');
    assert.deepEqual(filter.tags, ['production', 'rag']);
    assert.equal(filter.user, 'u_42');
    assert.equal(filter.session, 's_1');
    assert.equal(filter.name, 'support-*');
    assert.deepEqual(filter.environments, ['prod', 'staging']);
    assert.equal(filter.level, 'error');
    assert.deepEqual(filter.scores, [
      { name: 'helpfulness', operator: '<', value: 0.5 },
      { name: 'user_feedback', operator: '=', value: 'negative' },
      { name: 'resolved', operator: '=', value: false },
    ]);
    assert.equal(filter.since, '15m');
    assert.equal(filter.from, '2026-11-24T10:00:00.000Z');
    assert.equal(filter.to, '2026-11-25T00:00:00.000Z');
    assert.deepEqual(filter.text, ['password reset', 'timeout']);
    assert.deepEqual(parse('score:latency_ms>=200').scores, [{ name: 'latency_ms', operator: '>=', value: 200 }]);
    assert.deepEqual(parse('user:"a b"').user, 'a b');
    assert.deepEqual(parse('').tags, []);
  });

  it('reports errors with positions and the accepted forms', () => {
    const cases: [string, RegExp, number][] = [
      ['tag:a usr:u_1', /unknown key "usr"; did you mean user:\?.*Accepted: tag:production/, 6],
      ['score:helpfulness<<1', /score:helpfulness< needs a value/, 0],
      ['score:helpfulness', /score needs NAME OP VALUE/, 0],
      ['score:feedback<bad', /< compares numbers/, 0],
      ['since:15 minutes', /since: takes a duration/, 0],
      ['from:yesterday', /from: takes an ISO date/, 0],
      ['level:fatal', /level: takes error or warning/, 0],
      ['user:', /user: needs a value/, 0],
      ['tag:a "unterminated', /unterminated quote/, 6],
    ];
    for (const [text, message, position] of cases) {
      const result = parseFilter(text);
      assert.equal(result.ok, false, text);
      if (!result.ok) {
        assert.match(result.error.message, message, text);
        assert.equal(result.error.position, position, text);
      }
    }
  });

  it('prints canonically and round-trips (property)', () => {
    const word = fc.stringMatching(/^[A-Za-z0-9_.\-*]{1,12}$/);
    const anyText = fc.string({ minLength: 1, maxLength: 12 }).filter((text) => text.trim() === text && !/\s/.test(text) ? true : true);
    const filterArb = fc.record({
      tags: fc.uniqueArray(fc.oneof(word, anyText), { maxLength: 3 }),
      user: fc.option(fc.oneof(word, anyText), { nil: null }),
      session: fc.option(word, { nil: null }),
      name: fc.option(word, { nil: null }),
      environments: fc.uniqueArray(word, { maxLength: 2 }),
      level: fc.constantFrom(null, 'error' as const, 'warning' as const),
      scores: fc.array(
        fc.oneof(
          fc.record({ name: fc.stringMatching(/^[a-z_]{1,10}$/), operator: fc.constantFrom('<' as const, '<=' as const, '>' as const, '>=' as const, '=' as const, '!=' as const), value: fc.double({ min: -1000, max: 1000, noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)) }),
          fc.record({ name: fc.stringMatching(/^[a-z_]{1,10}$/), operator: fc.constantFrom('=' as const, '!=' as const), value: fc.stringMatching(/^[a-z]{1,8}$/).filter((v) => v !== 'true' && v !== 'false') }),
          fc.record({ name: fc.stringMatching(/^[a-z_]{1,10}$/), operator: fc.constantFrom('=' as const, '!=' as const), value: fc.boolean() }),
        ),
        { maxLength: 3 },
      ),
      since: fc.constantFrom(null, '30s', '15m', '2h', '7d'),
      from: fc.constantFrom(null, '2026-11-24T10:00:00.000Z'),
      to: fc.constantFrom(null, '2026-11-25T00:00:00.000Z'),
      release: fc.option(word, { nil: null }),
      version: fc.option(word, { nil: null }),
      prompt: fc.option(fc.record({ name: fc.stringMatching(/^[a-z][a-z0-9/_-]{0,12}$/), version: fc.option(fc.integer({ min: 1, max: 999 }), { nil: null }) }), { nil: null }),
      model: fc.option(word, { nil: null }),
      text: fc.array(fc.string({ minLength: 1, maxLength: 10 }).filter((text) => text.length > 0), { maxLength: 3 }),
    });
    fc.assert(
      fc.property(filterArb, (filter) => {
        const printed = printFilter(filter as TraceFilter);
        const reparsed = parseFilter(printed);
        assert.ok(reparsed.ok, `${printed}: ${!reparsed.ok && reparsed.error.message}`);
        if (reparsed.ok) assert.deepEqual(reparsed.filter, JSON.parse(JSON.stringify(filter)));
      }),
      { numRuns: 400 },
    );
  });

  it('never throws on arbitrary input (fuzz)', () => {
    fc.assert(fc.property(fc.string({ maxLength: 80 }), (text) => {
      const result = parseFilter(text);
      assert.ok(result.ok || typeof result.error.message === 'string');
    }), { numRuns: 2000 });
  });

  it('matches traces client-side', () => {
    const now = new Date('2026-11-24T10:30:00Z');
    const trace = summary('t', { tags: ['production', 'rag'], userId: 'u_42', name: 'support-chat', errorCount: 1, scores: { helpfulness: 0.3, user_feedback: 'negative', resolved: false }, timestamp: '2026-11-24T10:20:00.000Z', input: { q: 'Password reset please' } });
    const yes = ['tag:production', 'name:support-*', 'name:support-chat', 'name:SUPPORT-*', 'level:error', 'level:warning', 'score:helpfulness<0.5', 'score:user_feedback=negative', 'score:resolved=false', 'since:15m', '"password reset"', 'user:u_42 tag:rag'];
    const no = ['tag:staging', 'name:support', 'score:helpfulness>=0.5', 'score:user_feedback!=negative', 'score:resolved=true', 'since:5m', 'user:u_1', 'score:missing>0', 'unicorn'];
    for (const text of yes) assert.ok(matchesTrace(parse(text), trace, now), text);
    for (const text of no) assert.ok(!matchesTrace(parse(text), trace, now), text);
  });

  it('maps to server-side parameters and says what stays client-side', () => {
    const now = new Date('2026-11-24T10:30:00Z');
    const { query, needsClientSide } = toServerQuery(parse('tag:production user:u_1 name:rag_pipeline since:30m score:helpfulness<0.5 level:error'), now);
    assert.deepEqual(query.tags, ['production']);
    assert.equal(query.userId, 'u_1');
    assert.equal(query.name, 'rag_pipeline');
    assert.equal(query.fromTimestamp, '2026-11-24T10:00:00.000Z');
    assert.deepEqual(query.scores, [{ name: 'helpfulness', operator: '<', value: 0.5 }]);
    assert.equal(query.level, 'error');
    assert.equal(needsClientSide, false);
    assert.equal(toServerQuery(parse('name:support-*')).query.name, undefined);
    assert.equal(toServerQuery(parse('name:support-*')).needsClientSide, true);
  });

  it('builds the same filter from CLI flags, naming each bad flag', () => {
    const result = filterFromFlags({ tag: ['production'], score: ['helpfulness<0.5'], level: 'error', appVersion: '1.2', since: '15m' });
    assert.ok(result.ok);
    if (result.ok) assert.equal(printFilter(result.filter), 'tag:production level:error score:helpfulness<0.5 since:15m version:1.2');
    const bad = filterFromFlags({ score: ['helpfulness<<'], since: 'yesterday', level: 'loud' });
    assert.ok(!bad.ok);
    if (!bad.ok) {
      assert.equal(bad.errors.length, 3);
      assert.match(bad.errors.join('\n'), /--score: .*needs a value/);
      assert.match(bad.errors.join('\n'), /--since: since: takes a duration/);
    }
    assert.deepEqual(filterFromFlags({}), { ok: true, filter: emptyFilter() });
  });

  it('prompt:NAME[@VERSION] and model:NAME match a trace when one of its generations does', () => {
    const filter = parse('prompt:support-agent@2 model:gpt-4o*');
    assert.deepEqual(filter.prompt, { name: 'support-agent', version: 2 });
    assert.equal(filter.model, 'gpt-4o*');
    assert.equal(printFilter(filter), 'prompt:support-agent@2 model:gpt-4o*');
    assert.deepEqual(parse('prompt:folder/agent').prompt, { name: 'folder/agent', version: null });
    const linked = summary('t1', { models: ['claude-3-5-sonnet', 'gpt-4o-mini'], prompts: ['support-agent@2', 'router@7'] });
    assert.equal(matchesTrace(filter, linked), true);
    assert.equal(matchesTrace(parse('prompt:support-agent'), linked), true);
    assert.equal(matchesTrace(parse('prompt:support-agent@1'), linked), false);
    assert.equal(matchesTrace(parse('prompt:support'), linked), false);
    assert.equal(matchesTrace(parse('model:gpt-4o'), linked), false);
    assert.equal(matchesTrace(parse('model:claude-3-5-sonnet'), linked), true);
    assert.equal(matchesTrace(parse('model:gpt-4o'), summary('t2', { models: [], prompts: [] })), false);
    // A summary that does not list its generations is left to the server-side filter.
    assert.equal(matchesTrace(parse('prompt:support-agent@1 model:gpt-4o'), summary('t3')), true);
    const { query, needsClientSide } = toServerQuery(parse('prompt:support-agent@2 model:gpt-4o'));
    assert.deepEqual(query.prompt, { name: 'support-agent', version: 2 });
    assert.equal(query.model, 'gpt-4o');
    assert.equal(needsClientSide, false);
    assert.equal(toServerQuery(parse('model:gpt-4o*')).needsClientSide, true);
    const flags = filterFromFlags({ prompt: 'support-agent@2', model: 'gpt-4o' });
    assert.ok(flags.ok);
    if (flags.ok) assert.equal(printFilter(flags.filter), 'prompt:support-agent@2 model:gpt-4o');
  });
});
