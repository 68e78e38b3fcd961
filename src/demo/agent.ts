// The demo's support agent: one trace that exercises every key of the trace view. A loop of
// six `search_orders` tool calls (five or more similar siblings: `a` groups them), a policy
// retrieval that takes over two seconds (`S` finds it, `P` puts it on the critical path),
// nesting six levels deep, DEBUG events (the lowest level), an occasional failing tool call,
// and payloads holding an e-mail address, a phone number, a card number and an API key — all
// fictitious (example.com, the 555-01xx range, a test card) — for `R` to hide.

import type { IngestionEvent } from '../domain/ingestion.js';
import type { Rng, SessionState } from './scenario.js';

const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;

const CUSTOMERS = [
  { name: 'Jane Doe', email: 'jane.doe@example.com', phone: '+1 415 555 0134', card: '4111 1111 1111 1111' },
  { name: 'Ravi Patel', email: 'ravi.patel@example.org', phone: '+44 20 7946 0958', card: '5555-5555-5555-4444' },
  { name: 'Ana Souza', email: 'ana.souza@example.net', phone: '(212) 555-0187', card: '3782 822463 10005' },
];
const ISSUES = ['was charged twice', 'never received the order', 'wants to change the delivery address', 'cannot log in'];

export function agentTrace(rng: Rng, n: number, at: Date, session: SessionState): { events: IngestionEvent[]; late: IngestionEvent[]; traceId: string } {
  const traceId = `demo-${String(n).padStart(6, '0')}-agent${Math.floor(rng() * 0xffff).toString(16)}`;
  const base = at.getTime();
  const iso = (offset: number) => new Date(base + offset).toISOString();
  const customer = pick(rng, CUSTOMERS);
  const issue = pick(rng, ISSUES);
  const apiKey = `sk-live-${Math.floor(rng() * 1e16).toString(36).padEnd(12, 'x')}Demo0000Key`;
  const env = session.environment;
  const common = { traceId, environment: env };
  const events: IngestionEvent[] = [];
  let seq = 0;
  const add = (type: IngestionEvent['type'], body: Record<string, unknown>) =>
    events.push({ id: `${traceId}-e${seq++}`, type, timestamp: iso(0), body: { ...common, ...body } });
  const id = (suffix: string) => `${traceId}-${suffix}`;
  const question = `Hi, this is ${customer.name} (${customer.email}, ${customer.phone}). My card ${customer.card} ${issue}.`;

  // Timeline (ms): load customer → six order searches → reply → policy check (its retrieval is
  // slow, and the last to finish: the critical path runs through it).
  const loadEnd = 60 + Math.floor(rng() * 60);
  let cursor = loadEnd;
  const searches: { start: number; end: number; failed: boolean }[] = [];
  for (let i = 0; i < 6; i++) {
    const start = cursor + 5;
    const end = start + 40 + Math.floor(rng() * 140);
    searches.push({ start, end, failed: i === 3 && rng() < 0.3 });
    cursor = end;
  }
  const replyStart = cursor + 10;
  const replyEnd = replyStart + 400 + Math.floor(rng() * 500);
  const kbStart = replyEnd + 10;
  const slow = 2_100 + Math.floor(rng() * 1_400);
  const kbEnd = kbStart + slow + 40;
  const failed = searches.some((search) => search.failed);

  events.unshift({
    id: `${traceId}-trace`,
    type: 'trace-create',
    timestamp: iso(0),
    body: {
      id: traceId,
      name: 'support_agent',
      timestamp: iso(0),
      userId: session.userId,
      sessionId: session.id,
      tags: [env, 'agent', 'support'],
      environment: env,
      release: 'v1.8.2',
      version: '2026-11',
      input: { message: question, channel: pick(rng, ['chat', 'email', 'phone']) },
      output: { reply: `Thanks ${customer.name.split(' ')[0]}, I have looked into it (the account ${issue}); a confirmation goes to ${customer.email}.` },
      metadata: { customer: { email: customer.email, phone: customer.phone }, crm_api_key: apiKey },
    },
  });
  add('agent-create', { id: id('agent'), name: 'agent_run', startTime: iso(0), endTime: iso(kbEnd + 5), input: { goal: `resolve: ${issue}` }, output: { resolved: !failed } });
  add('tool-create', {
    id: id('customer'), parentObservationId: id('agent'), name: 'load_customer', startTime: iso(2), endTime: iso(loadEnd),
    input: { email: customer.email }, output: { customer_id: `cus_${Math.floor(rng() * 1e6)}`, phone: customer.phone, card_last4: customer.card.replace(/\D/g, '').slice(-4) },
  });
  add('event-create', { id: id('cache'), parentObservationId: id('customer'), name: 'cache_lookup', startTime: iso(4), level: 'DEBUG', metadata: { key: `customer:${customer.email}`, hit: false } });
  searches.forEach((search, i) => {
    add('tool-create', {
      id: id(`search${i}`), parentObservationId: id('agent'), name: 'search_orders', startTime: iso(search.start), endTime: iso(search.end),
      input: { query: `orders for ${customer.email}`, page: i + 1 },
      ...(search.failed
        ? { level: 'ERROR', statusMessage: 'orders API: 503 Service Unavailable (upstream timeout after 30s)' }
        : { output: { orders: Array.from({ length: 2 }, (_, k) => ({ id: `ord_${1000 + i * 10 + k}`, total: Number((20 + rng() * 80).toFixed(2)) })) } }),
    });
    add('event-create', { id: id(`args${i}`), parentObservationId: id(`search${i}`), name: 'tool_args', startTime: iso(search.start + 1), level: 'DEBUG', metadata: { authorization: `Bearer ${apiKey}`, page: i + 1 } });
  });
  // Six levels: agent_run › policy_check › retrieve_policies › vector_query › shard_read › shard_stats.
  add('chain-create', { id: id('kb'), parentObservationId: id('agent'), name: 'policy_check', startTime: iso(kbStart), endTime: iso(kbEnd), input: { topic: issue, reply_draft: 'refund duplicate charge' } });
  add('retriever-create', {
    id: id('policies'), parentObservationId: id('kb'), name: 'retrieve_policies', startTime: iso(kbStart + 5), endTime: iso(kbStart + 5 + slow),
    input: { query: issue, top_k: 3 }, output: { documents: ['refund-policy.md', 'billing-faq.md', 'escalation.md'] },
    level: 'WARNING', statusMessage: `slow: ${(slow / 1000).toFixed(1)}s (cold index shard)`,
  });
  add('span-create', { id: id('vector'), parentObservationId: id('policies'), name: 'vector_query', startTime: iso(kbStart + 10), endTime: iso(kbStart + slow) });
  add('span-create', { id: id('shard'), parentObservationId: id('vector'), name: 'shard_read', startTime: iso(kbStart + 20), endTime: iso(kbStart + slow - 10), metadata: { shard: pick(rng, ['eu-1', 'eu-2', 'us-1']), cold: true } });
  add('event-create', { id: id('stats'), parentObservationId: id('shard'), name: 'shard_stats', startTime: iso(kbStart + slow - 12), level: 'DEBUG', metadata: { bytes_read: 48_000_000 + Math.floor(rng() * 1e6), cache: 'miss' } });
  add('generation-create', {
    id: id('reply'), parentObservationId: id('agent'), name: 'compose_reply', startTime: iso(replyStart), endTime: iso(replyEnd), completionStartTime: iso(replyStart + 120),
    model: 'gpt-4o-mini', modelParameters: { temperature: 0.3 },
    input: [
      { role: 'system', content: 'You are a support agent. Never repeat card numbers.' },
      { role: 'user', content: question },
    ],
    output: { role: 'assistant', content: `I have found your orders and sorted it out. I will call you at ${customer.phone} if anything else is needed.` },
    usageDetails: { input: 180 + Math.floor(rng() * 60), output: 40 + Math.floor(rng() * 30) },
  });
  if (rng() < 0.5) {
    events.push({ id: `${traceId}-s-resolved`, type: 'score-create', timestamp: iso(0), body: { id: `${traceId}-s-resolved`, traceId, name: 'resolved', value: failed ? 0 : 1, dataType: 'BOOLEAN' } });
  }
  return { events, late: [], traceId };
}
