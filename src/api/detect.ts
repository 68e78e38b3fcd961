// Which Langfuse read generation a host serves, found without depending on one endpoint's
// success. Health first (the version; no auth), then two cheap probes side by side:
//
//   GET /v2/observations?limit=1&fields=core           200 → v2 reads; 404 "…v4 write mode…" → none
//   GET /traces?limit=1&fields=core&fromTimestamp=…    200 → v1 reads; 404 (events_only, answered
//                                                      before auth: never a bad key) → none
//
// A 400 means the route exists and parsed our request (a server that wants a date range on
// /traces, a stricter schema): the generation is there. A 429 likewise. 401/403 is a key problem.
// When both generations answer, v1 is read (a v4 server in legacy write mode may serve an empty
// /v2/observations); when a probe cannot tell (5xx, timeout) the other decides.

import { HttpClient, LangfuseApiError, type QueryValue } from './http.js';

export type ApiGeneration = 'v1' | 'v2';

export type ProbeOutcome = 'ok' | 'absent' | 'present' | 'auth' | 'unknown';

export interface Probe {
  path: string;
  outcome: ProbeOutcome;
  /** What the answer was: "200", "404 events_only", "400 fromTimestamp is required…", "network: …". */
  answer: string;
}

export interface BackendInfo {
  version: string | null;
  generation: ApiGeneration;
  /** tracetop's own server: has /api/public/stream. */
  streams: boolean;
  /** The health answer and each probe, for `config doctor`. */
  probes: Probe[];
  /** Why this generation, in a sentence. */
  reason: string;
}

export class DetectionError extends LangfuseApiError {}

const V2_PROBE = '/api/public/v2/observations';
const V1_PROBE = '/api/public/traces';

/** How far back the /traces probe asks (some servers require a date range; a small one is cheap). */
const PROBE_WINDOW_MS = 60 * 60_000;

function classify(path: string, error: unknown): Probe {
  if (!(error instanceof LangfuseApiError)) return { path, outcome: 'unknown', answer: (error as Error).message };
  const detail = error.detail ? ` ${error.detail.slice(0, 160)}` : '';
  switch (error.kind) {
    case 'not-found':
      return { path, outcome: 'absent', answer: `404${/events_only/i.test(error.detail ?? '') ? ' (events_only mode)' : /write mode/i.test(error.detail ?? '') ? ' (not in a v4 write mode)' : ''}` };
    case 'bad-request':
      return { path, outcome: 'present', answer: `${error.status ?? 400}${detail}` };
    case 'rate-limited':
      return { path, outcome: 'present', answer: '429 (rate limited)' };
    case 'auth':
      return { path, outcome: 'auth', answer: `${error.status ?? 401}${detail}` };
    default:
      return { path, outcome: 'unknown', answer: `${error.kind}: ${error.message}` };
  }
}

async function probe(http: HttpClient, path: string, query: Record<string, QueryValue>): Promise<Probe> {
  try {
    // One attempt: a 429 already says the route is there (no waiting out its Retry-After here).
    await http.json('GET', path, { query, attempts: 1, priority: 'interactive' });
    return { path, outcome: 'ok', answer: '200' };
  } catch (error) {
    return classify(path, error);
  }
}

const available = (probe: Probe) => probe.outcome === 'ok' || probe.outcome === 'present';

export async function detectBackend(http: HttpClient, now: () => number = Date.now): Promise<BackendInfo> {
  const probes: Probe[] = [];
  let version: string | null = null;
  try {
    const health = await http.json<{ status?: string; version?: string }>('GET', '/api/public/health', { attempts: 2 });
    version = typeof health?.version === 'string' ? health.version : null;
    probes.push({ path: '/api/public/health', outcome: 'ok', answer: `200 version ${version ?? '(none)'}` });
  } catch (error) {
    // A proxy may hide health; an unreachable host fails every probe below as well.
    const probe = classify('/api/public/health', error);
    if (error instanceof LangfuseApiError && (error.kind === 'network' || error.kind === 'timeout')) throw error;
    probes.push(probe);
  }
  // tracetop's own server announces its stream in the version's build metadata.
  const streams = version?.includes('+tracetop.stream') ?? false;
  const [v2, v1] = await Promise.all([
    probe(http, V2_PROBE, { limit: 1, fields: 'core' }),
    probe(http, V1_PROBE, { limit: 1, fields: 'core', fromTimestamp: new Date(now() - PROBE_WINDOW_MS).toISOString() }),
  ]);
  probes.push(v2, v1);
  const pick = (generation: ApiGeneration, reason: string): BackendInfo => ({ version, generation, streams, probes, reason });
  // A bad key: /v2/observations says so (401); /traces may say 404 first (events_only is checked before auth).
  const authFailure = [v2, v1].find((entry) => entry.outcome === 'auth');
  if (authFailure && !(available(v1) && available(v2))) {
    throw new LangfuseApiError('auth', `${authFailure.answer.split(' ')[0]} from ${http.url(authFailure.path)}: check LANGFUSE_PUBLIC_KEY/LANGFUSE_SECRET_KEY and the host`, http.url(authFailure.path), Number(authFailure.answer.split(' ')[0]) || 401);
  }
  if (available(v1) && available(v2)) return pick('v1', 'both generations answer; v1 reads (GET /traces) have the complete trace list');
  if (available(v1)) return pick('v1', `GET /traces answers (${v1.answer}); GET /v2/observations ${v2.outcome === 'absent' ? `is absent (${v2.answer})` : `could not be read (${v2.answer})`}`);
  if (available(v2)) return pick('v2', `GET /v2/observations answers (${v2.answer}); GET /traces ${v1.outcome === 'absent' ? `is absent (${v1.answer})` : `could not be read (${v1.answer})`}`);
  if (v1.outcome === 'absent' && v2.outcome === 'unknown') return pick('v2', `GET /traces is absent (${v1.answer}); assuming v2 (GET /v2/observations: ${v2.answer})`);
  if (v2.outcome === 'absent' && v1.outcome === 'unknown') return pick('v1', `GET /v2/observations is absent (${v2.answer}); assuming v1 (GET /traces: ${v1.answer})`);
  const url = http.url(V1_PROBE);
  throw new DetectionError(
    v1.outcome === 'absent' && v2.outcome === 'absent' ? 'not-found' : 'server',
    `${http.host} serves neither Langfuse read API: GET /v2/observations ${v2.answer}, GET /traces ${v1.answer}`,
    url,
  );
}
