// The demo gives every key something to show: an agent trace with a loop of similar tool calls
// (`a` groups them), a slow retrieval (`S`, `P`), nesting five levels and more, DEBUG events,
// and payloads with personal data and secrets that redaction (`R`, --redact) hides — all
// accepted by a real embedded server.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DemoScenario } from '../../src/demo/scenario.js';
import { buildTraceTree } from '../../src/domain/trace-tree.js';
import { criticalPath, slowIds } from '../../src/domain/trace-navigation.js';
import { redactTrace } from '../../src/domain/redact.js';
import { formatTraceText } from '../../src/cli/format-trace.js';
import type { TraceWithFullDetails } from '../../src/domain/types.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const PII = [/[\w.]+@example\.(com|org|net)/, /555[ -]01\d\d|7946 0958/, /4111 1111 1111 1111|5555-5555-5555-4444|3782 822463 10005/, /sk-live-\w+/];

describe('demo scenario', () => {
  let server: TestServer;
  let agent: TraceWithFullDetails;
  let rag: TraceWithFullDetails;

  before(async () => {
    server = await startTestServer();
    const scenario = new DemoScenario(42);
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const trace = scenario.nextTrace(new Date(Date.now() - 60_000 + i * 1000));
      const answer = await server.post('/api/public/ingestion', { batch: [...trace.events, ...trace.late] });
      assert.equal(answer.status, 207);
      assert.deepEqual(answer.body.errors, [], JSON.stringify(answer.body.errors));
      ids.push(trace.traceId);
    }
    const agentId = ids.find((id) => id.includes('agent'))!;
    assert.ok(agentId, `an agent trace among ${ids.join(', ')}`);
    agent = (await server.get(`/api/public/traces/${agentId}`)).body;
    rag = (await server.get(`/api/public/traces/${ids[0]}`)).body;
  });
  after(() => server.close());

  it('one trace in five is the support agent; the first is still the RAG pipeline', () => {
    assert.equal(agent.name, 'support_agent');
    assert.equal(rag.name, 'rag_pipeline');
  });

  it('the agent loops over a tool five or more times, which the tree groups', () => {
    const searches = agent.observations.filter((o) => o.name === 'search_orders' && o.type === 'TOOL');
    assert.ok(searches.length >= 5, `${searches.length} search_orders calls`);
    assert.equal(new Set(searches.map((o) => o.parentObservationId)).size, 1, 'siblings under one parent');
    const grouped = buildTraceTree(agent, { autogroup: true });
    assert.ok(grouped.autogrouped);
  });

  it('a retrieval of two seconds or more is slow and on the critical path', () => {
    const tree = buildTraceTree(agent);
    const slow = slowIds(tree).map((id) => tree.nodes.get(id)!.observation.name);
    assert.ok(slow.includes('retrieve_policies'), `slow: ${slow.join(', ')}`);
    const path = criticalPath(tree).map((id) => tree.nodes.get(id)!.observation.name);
    assert.ok(path.includes('retrieve_policies'), `critical path: ${path.join(' › ')}`);
  });

  it('nests six levels deep and has DEBUG events', () => {
    const tree = buildTraceTree(agent);
    const deepest = Math.max(...[...tree.nodes.values()].map((node) => node.depth));
    assert.ok(deepest >= 5, `deepest depth ${deepest}`);
    const debug = agent.observations.filter((o) => o.level === 'DEBUG').map((o) => o.name);
    assert.ok(debug.includes('shard_stats') && debug.includes('cache_lookup'), debug.join(', '));
  });

  it('carries e-mail, phone, card and API key in its payloads, and redaction leaves none of them', () => {
    const raw = JSON.stringify(agent);
    for (const pattern of PII) assert.match(raw, pattern);
    const redacted = redactTrace(agent);
    const json = JSON.stringify(redacted);
    const text = formatTraceText(agent, { width: 160, redact: true });
    for (const pattern of PII) {
      assert.doesNotMatch(json, pattern, `redacted JSON: ${pattern}`);
      assert.doesNotMatch(text, pattern, `redacted text: ${pattern}`);
    }
    // The structure still reads: names, keys, levels and timings.
    assert.match(text, /search_orders/);
    assert.match(text, /retrieve_policies/);
    assert.match(text, /"message": "‹redacted›"/);
  });
});
