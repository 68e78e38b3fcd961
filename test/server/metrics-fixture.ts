// A deterministic fixture for the metrics and `top` tests: traces with spans and generations
// (models, prompt versions, levels, usage, costs, time to first token) and scores, as ingestion
// events, plus the raw rows they mean, for computing the expected aggregates by hand.

export interface RawObservation {
  id: string;
  traceId: string;
  parentId: string | null;
  type: 'SPAN' | 'GENERATION';
  name: string;
  level: 'DEFAULT' | 'WARNING' | 'ERROR';
  environment: string;
  version: string | null;
  startMs: number;
  endMs: number;
  completionStartMs: number | null;
  model: string | null;
  promptName: string | null;
  promptVersion: number | null;
  inputTokens: number;
  outputTokens: number;
  inputCost: number | null;
  outputCost: number | null;
}

export interface RawTrace {
  id: string;
  name: string;
  timestampMs: number;
  userId: string;
  sessionId: string;
  release: string;
  version: string;
  environment: string;
  tags: string[];
}

export interface RawScore {
  id: string;
  traceId: string;
  observationId: string | null;
  name: string;
  value: number;
  dataType: 'NUMERIC' | 'BOOLEAN';
  timestampMs: number;
}

export interface Fixture {
  traces: RawTrace[];
  observations: RawObservation[];
  scores: RawScore[];
  events: unknown[];
  fromMs: number;
  toMs: number;
}

/** Park-Miller: the same numbers on every run. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state * 48271) % 2147483647;
    return state / 2147483647;
  };
}

export function buildFixture(endMs: number, traceCount = 60, prefix = 'mx'): Fixture {
  const next = random(42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const fromMs = endMs - 30 * 60_000;
  const traces: RawTrace[] = [];
  const observations: RawObservation[] = [];
  const scores: RawScore[] = [];
  const tagSets = [['production'], ['production', 'rag'], ['beta'], []];
  for (let i = 0; i < traceCount; i++) {
    const id = `${prefix}-t${i}`;
    const startMs = fromMs + 60_000 + Math.floor(next() * 27 * 60_000);
    const trace: RawTrace = {
      id,
      name: pick(['support', 'search', 'triage']),
      timestampMs: startMs,
      userId: `u${1 + Math.floor(next() * 5)}`,
      sessionId: `s${Math.floor(i / 3)}`,
      release: pick(['r1', 'r2']),
      version: pick(['1.0', '1.1']),
      environment: pick(['production', 'staging']),
      tags: pick(tagSets),
    };
    traces.push(trace);
    const rootEnd = startMs + 200 + Math.floor(next() * 3000);
    observations.push({
      id: `${id}-root`, traceId: id, parentId: null, type: 'SPAN', name: 'handle', level: next() < 0.1 ? 'WARNING' : 'DEFAULT',
      environment: trace.environment, version: null, startMs, endMs: rootEnd, completionStartMs: null, model: null,
      promptName: null, promptVersion: null, inputTokens: 0, outputTokens: 0, inputCost: null, outputCost: null,
    });
    const generations = 1 + Math.floor(next() * 2);
    for (let g = 0; g < generations; g++) {
      const genStart = startMs + 50 + g * 100;
      const genEnd = genStart + 100 + Math.floor(next() * 2000);
      const model = pick(['gpt-4o', 'gpt-4o-mini', 'claude-3-5-sonnet']);
      const linked = trace.name === 'support' || next() < 0.3;
      const promptVersion = linked ? pick([1, 2]) : null;
      const inputTokens = 10 + Math.floor(next() * 1000);
      const outputTokens = Math.floor(next() * 300);
      observations.push({
        id: `${id}-g${g}`, traceId: id, parentId: `${id}-root`, type: 'GENERATION', name: g === 0 ? 'answer' : 'rewrite',
        level: next() < (promptVersion === 1 ? 0.3 : 0.1) ? 'ERROR' : 'DEFAULT', environment: trace.environment, version: g === 0 ? 'v-a' : null,
        startMs: genStart, endMs: genEnd, completionStartMs: next() < 0.8 ? genStart + Math.floor(next() * 90) : null,
        model, promptName: linked ? 'support-agent' : null, promptVersion, inputTokens, outputTokens,
        inputCost: next() < 0.9 ? inputTokens * 0.000001 : null, outputCost: outputTokens * 0.000004,
      });
    }
    const groundedness = Math.round(next() * 100) / 100;
    scores.push({ id: `${id}-sg`, traceId: id, observationId: null, name: 'groundedness', value: groundedness, dataType: 'NUMERIC', timestampMs: startMs + 10 });
    if (next() < 0.5) scores.push({ id: `${id}-sh`, traceId: id, observationId: null, name: 'helpfulness', value: Math.round(next() * 10) / 10, dataType: 'NUMERIC', timestampMs: startMs + 11 });
    if (next() < 0.5) scores.push({ id: `${id}-so`, traceId: id, observationId: `${id}-g0`, name: 'correct', value: next() < 0.5 ? 1 : 0, dataType: 'BOOLEAN', timestampMs: startMs + 12 });
  }
  const iso = (ms: number) => new Date(ms).toISOString();
  const events: unknown[] = [];
  for (const trace of traces) {
    events.push({
      id: `ev-${trace.id}`, type: 'trace-create', timestamp: iso(trace.timestampMs),
      body: { id: trace.id, name: trace.name, timestamp: iso(trace.timestampMs), userId: trace.userId, sessionId: trace.sessionId, release: trace.release, version: trace.version, environment: trace.environment, tags: trace.tags },
    });
  }
  for (const o of observations) {
    const cost: Record<string, number> = {};
    if (o.inputCost !== null) cost.input = o.inputCost;
    if (o.outputCost !== null) cost.output = o.outputCost;
    events.push({
      id: `ev-${o.id}`, type: o.type === 'SPAN' ? 'span-create' : 'generation-create', timestamp: iso(o.startMs),
      body: {
        id: o.id, traceId: o.traceId, parentObservationId: o.parentId, name: o.name, level: o.level, environment: o.environment, version: o.version,
        startTime: iso(o.startMs), endTime: iso(o.endMs),
        ...(o.type === 'GENERATION'
          ? {
              model: o.model, completionStartTime: o.completionStartMs === null ? undefined : iso(o.completionStartMs),
              promptName: o.promptName ?? undefined, promptVersion: o.promptVersion ?? undefined,
              usageDetails: { input: o.inputTokens, output: o.outputTokens }, costDetails: cost,
            }
          : {}),
      },
    });
  }
  for (const s of scores) {
    events.push({
      id: `ev-${s.id}`, type: 'score-create', timestamp: iso(s.timestampMs),
      body: { id: s.id, traceId: s.traceId, observationId: s.observationId ?? undefined, name: s.name, value: s.value, dataType: s.dataType, timestamp: iso(s.timestampMs) },
    });
  }
  return { traces, observations, scores, events, fromMs, toMs: endMs };
}

/** Linear interpolation between closest ranks (what the server's percentiles compute). */
export function percentileOf(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * p;
  const lower = Math.floor(position);
  const a = sorted[lower]!;
  const b = sorted[Math.min(lower + 1, sorted.length - 1)]!;
  return a + (b - a) * (position - lower);
}
