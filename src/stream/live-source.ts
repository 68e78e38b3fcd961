// LiveSource implementations. Over tracetop's own server: SSE with resume (Last-Event-ID), so
// nothing is lost or doubled across a dropped connection or a restart. Over stock Langfuse:
// polling with a time cursor, overlap and de-duplication, so late-arriving ingestion is still
// caught. Both coalesce: the consumer gets at most one batch per flush interval, with one
// entry per trace (the newest), and memory is bounded by the number of distinct traces
// changed within one interval.

import { EventSource } from 'eventsource';
import type { TraceSummary } from '../domain/types.js';
import { HISTORY_CAPACITY, type LangfuseClient } from '../api/client.js';
import type { Bucket } from '../api/budget.js';
import { LangfuseApiError } from '../api/http.js';
import type { TraceQuery } from '../api/types.js';
import type { ConnectionState, HistoryStatus, LiveSource, LiveSourceStats, LiveStatus } from './types.js';

export interface LiveSourceOptions {
  client: LangfuseClient;
  filter?: TraceQuery;
  /**
   * The whole filter, checked on each trace: what tracetop's stream sends is filtered by it
   * (the stream applies only user, session, name, environment and tags).
   */
  accept?: (trace: TraceSummary) => boolean;
  /**
   * What no Langfuse server can apply (a glob name, free text), checked on what a polled read
   * returns — the server applied the rest, over complete pages. Polled sources use it instead
   * of `accept` (a v1 trace list carries no score values or level counts to check).
   */
  residual?: (trace: TraceSummary) => boolean;
  mode?: 'auto' | 'sse' | 'poll';
  /** The least time between polls; the request budget may space them further. */
  pollIntervalMs?: number;
  /** The most traces the history reads (the window's capacity); default HISTORY_CAPACITY. */
  historyLimit?: number;
  /** The window as the user wrote it ("2h"), for the status: "history: 600 traces in the last 2h". */
  windowLabel?: string | null;
  flushIntervalMs?: number;
  /**
   * How long the stream may take to answer, and the least silence that counts as a dead
   * connection (the server's heartbeats make silence past three of them one). Defaults to
   * TRACETOP_STREAM_TIMEOUT_MS or 10 s: a backend that accepts and never answers must not
   * wedge the live view.
   */
  streamTimeoutMs?: number;
}

const streamTimeout = (options: LiveSourceOptions): number => {
  const fromEnv = Number(process.env.TRACETOP_STREAM_TIMEOUT_MS);
  return options.streamTimeoutMs ?? (Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : 10_000);
};

abstract class BaseSource implements LiveSource {
  private readonly traceListeners = new Set<(traces: TraceSummary[]) => void>();
  private readonly statusListeners = new Set<(status: LiveStatus) => void>();
  private readonly resetListeners = new Set<() => void>();
  private pending = new Map<string, TraceSummary>();
  /** Trace id → the version (and start) last delivered, oldest first; bounded. */
  private readonly versions = new Map<string, { key: string; startMs: number; updatedMs: number }>();
  private static readonly VERSIONS_LIMIT = 50_000;
  /** Bumped when what was delivered is forgotten: reads started before belong to another database. */
  private epoch = 0;
  private flushTimer: NodeJS.Timeout | null = null;
  protected current: LiveStatus;
  protected stopped = false;
  private readonly unwatchBudget: () => void;

  constructor(protected readonly options: LiveSourceOptions) {
    this.current = {
      state: 'connecting',
      detail: null,
      host: options.client.host,
      stats: { received: 0, coalesced: 0, lagMs: 0, lastEventId: null },
      history: null,
      rateLimit: null,
    };
    // "waiting 12s for the rate limit": the budget says when a request of this client waits.
    const budget = options.client.budget as LangfuseClient['budget'] | undefined;
    this.unwatchBudget =
      budget?.onWait((wait) => {
        const rateLimit = wait ? { bucket: wait.bucket, untilMs: Date.now() + (wait.untilMs - budget.clock.now()), reason: wait.reason } : null;
        this.setRateLimit(rateLimit);
      }) ?? (() => {});
  }

  abstract start(): void;
  protected abstract shutdown(): Promise<void>;

  async stop(): Promise<void> {
    this.stopped = true;
    this.unwatchBudget();
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flush();
    await this.shutdown();
  }

  onTraces(listener: (traces: TraceSummary[]) => void): () => void {
    this.traceListeners.add(listener);
    return () => this.traceListeners.delete(listener);
  }

  onStatus(listener: (status: LiveStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  onReset(listener: () => void): () => void {
    this.resetListeners.add(listener);
    return () => this.resetListeners.delete(listener);
  }

  protected emitReset(): void {
    for (const listener of this.resetListeners) listener();
  }

  status(): LiveStatus {
    return this.current;
  }

  protected setState(state: ConnectionState, detail: string | null = null): void {
    if (this.current.state === state && this.current.detail === detail) return;
    this.current = { ...this.current, state, detail };
    this.emitStatus();
  }

  protected updateStats(patch: Partial<LiveSourceStats>): void {
    this.current = { ...this.current, stats: { ...this.current.stats, ...patch } };
  }

  protected setHistory(history: HistoryStatus | null): void {
    this.current = { ...this.current, history };
    this.emitStatus();
  }

  protected setRateLimit(rateLimit: LiveStatus['rateLimit']): void {
    if (this.stopped || (rateLimit === null && !this.current.rateLimit)) return;
    this.current = { ...this.current, rateLimit };
    this.emitStatus();
  }

  /** Whether a trace passes the client-side part of the filter. */
  protected accepts(trace: TraceSummary): boolean {
    return this.options.accept ? this.options.accept(trace) : true;
  }

  private emitStatus(): void {
    for (const listener of this.statusListeners) listener(this.current);
  }

  /**
   * Whether this version of a trace is new to the consumer. History reloads (a reconnect, a
   * reset) and overlapping polls see traces again; an unchanged one is not delivered twice.
   */
  protected remember(trace: TraceSummary, options: { laterStartIsPartial?: boolean; olderIsStale?: boolean } = {}): boolean {
    const key = [
      trace.updatedAt,
      trace.latency,
      trace.totalCost,
      trace.observationCount,
      trace.totalTokens,
      trace.errorCount,
      trace.warningCount,
      JSON.stringify(trace.scores),
    ].join('|');
    const startMs = Date.parse(trace.timestamp);
    const updatedMs = Date.parse(trace.updatedAt);
    const previous = this.versions.get(trace.id);
    if (previous?.key === key) return false;
    if (options.laterStartIsPartial && previous && startMs > previous.startMs) return false;
    // A history read that raced the stream may answer with a version the stream already beat.
    if (options.olderIsStale && previous && updatedMs < previous.updatedMs) return false;
    this.versions.delete(trace.id);
    this.versions.set(trace.id, { key, startMs, updatedMs });
    if (this.versions.size > BaseSource.VERSIONS_LIMIT) {
      const oldest = this.versions.keys().next().value;
      if (oldest !== undefined) this.versions.delete(oldest);
    }
    return true;
  }

  /** Forgets what was delivered (another database behind the same host). */
  protected forgetDelivered(): void {
    this.versions.clear();
    this.pending.clear();
    this.epoch++;
  }

  /** Queues a change; a newer change of the same trace replaces the queued one. */
  protected push(trace: TraceSummary): void {
    if (!this.accepts(trace)) return;
    if (this.pending.has(trace.id)) {
      this.pending.delete(trace.id);
      this.updateStats({ coalesced: this.current.stats.coalesced + 1 });
    }
    this.pending.set(trace.id, trace);
    this.flushTimer ??= setTimeout(() => this.flush(), this.options.flushIntervalMs ?? 100);
  }

  protected flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    this.updateStats({ received: this.current.stats.received + batch.length });
    for (const listener of this.traceListeners) listener(batch);
    this.emitStatus();
  }

  /**
   * Reads the window's history, every page until the window is read or the capacity reached,
   * delivering each page as it comes (the list sorts by time); the status says how far it got.
   */
  protected async loadHistory(deliver: (trace: TraceSummary) => void = (trace) => {
    if (this.remember(trace, { olderIsStale: true })) this.push(trace);
  }): Promise<void> {
    const epoch = this.epoch;
    const capacity = this.options.historyLimit ?? HISTORY_CAPACITY;
    const window = this.options.windowLabel ?? null;
    let count = 0;
    this.setHistory({ count, loading: true, complete: false, capacity, window });
    const result = await this.options.client.history(this.options.filter ?? {}, {
      capacity,
      onPage: (traces) => {
        if (epoch !== this.epoch || this.stopped) return;
        // Oldest first within a page, so the newest of it ends on top of a list that prepends.
        for (const trace of [...traces].reverse()) deliver(trace);
        count += traces.length;
        this.flush();
        this.setHistory({ count, loading: true, complete: false, capacity, window });
      },
    });
    if (epoch !== this.epoch) return;
    this.flush();
    this.setHistory({ count: result.traces.length, loading: false, complete: result.complete, capacity, window });
  }
}

const describeError = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export class SseSource extends BaseSource {
  private source: EventSource | null = null;
  private lastEventId: string | null = null;
  /** The database the stream's ids belong to (from the hello); ids of another mean nothing. */
  private databaseId: string | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private failures = 0;
  private historyLoaded = false;
  private historyRetry: NodeJS.Timeout | null = null;
  private historyFailures = 0;
  /** The open stream request, to abort when it goes silent; and when it last said anything. */
  private connection: AbortController | null = null;
  private lastActivity = 0;
  private heartbeatMs = 15_000;
  private watchdog: NodeJS.Timeout | null = null;

  start(): void {
    // History and the stream's connection in parallel, so the first screen waits for neither;
    // the first hello reads history again, closing any gap between the two.
    this.history();
    this.connect();
    // A connection that stops talking (a proxy that hangs, a cable pulled) is cut and resumed.
    this.watchdog = setInterval(() => {
      const idleLimit = Math.max(streamTimeout(this.options), this.heartbeatMs * 3);
      if (this.connection && Date.now() - this.lastActivity > idleLimit) {
        this.connection.abort(new Error('stream silent'));
        this.connection = null;
        this.setState('reconnecting', `no data for ${Math.round(idleLimit / 1000)}s; reconnecting`);
      }
    }, 500);
    this.watchdog.unref();
  }

  /** Reads the window's history; a failure is said in the status bar and retried with backoff until it works. */
  private history(): void {
    if (this.historyRetry) clearTimeout(this.historyRetry);
    this.historyRetry = null;
    this.loadHistory().then(
      () => {
        this.historyFailures = 0;
        if (this.current.detail?.startsWith('history:')) this.setState(this.current.state, null);
      },
      (error: unknown) => {
        if (this.stopped) return;
        const delay = Math.min(30_000, 1_000 * 2 ** Math.min(this.historyFailures++, 5));
        this.setState(this.current.state, `history: ${describeError(error)}; retrying in ${Math.round(delay / 1000)}s`);
        this.historyRetry = setTimeout(() => this.history(), delay);
      },
    );
  }

  /** fetch for EventSource: a time limit on the answer, and every byte of the body noted for the watchdog. */
  private readonly timedFetch = async (input: string | URL, init?: RequestInit): Promise<Response> => {
    const controller = new AbortController();
    init?.signal?.addEventListener('abort', () => controller.abort(), { once: true });
    const timeoutMs = streamTimeout(this.options);
    const timer = setTimeout(() => controller.abort(new Error(`no answer within ${Math.round(timeoutMs / 1000)}s`)), timeoutMs);
    try {
      const response = await fetch(input, { ...init, signal: controller.signal, headers: { ...(init?.headers as Record<string, string>), authorization: this.options.client.http.authHeader } });
      this.connection = controller;
      this.lastActivity = Date.now();
      if (!response.body) return response;
      const body = response.body.pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform: (chunk, output) => {
            this.lastActivity = Date.now();
            output.enqueue(chunk);
          },
        }),
      );
      return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
    } finally {
      clearTimeout(timer);
    }
  };

  private streamUrl(): string {
    const filter = this.options.filter ?? {};
    return this.options.client.http.url('/api/public/stream', {
      kinds: 'trace',
      fields: filter.includeIo ? 'io' : undefined,
      userId: filter.userId,
      sessionId: filter.sessionId,
      name: filter.name,
      environment: filter.environment,
      tags: filter.tags,
      // EventSource sends Last-Event-ID itself on its own reconnects; a fresh EventSource
      // (after a failure it gave up on) resumes through the query parameter instead.
      lastEventId: this.lastEventId ?? undefined,
      // Lets the server reset a resume point that belongs to another database.
      databaseId: this.lastEventId !== null && this.databaseId !== null ? this.databaseId : undefined,
    });
  }

  private connect(): void {
    if (this.stopped) return;
    const source = new EventSource(this.streamUrl(), { fetch: this.timedFetch });
    this.source = source;
    source.addEventListener('hello', (event) => {
      if (source !== this.source) return;
      const hello = JSON.parse(event.data) as { reset?: boolean; databaseId?: string; heartbeatMs?: number };
      this.failures = 0;
      if (typeof hello.heartbeatMs === 'number' && hello.heartbeatMs > 0) this.heartbeatMs = hello.heartbeatMs;
      if (hello.databaseId && this.databaseId !== null && hello.databaseId !== this.databaseId) {
        // Another database behind the same host. A connection that named ours was reset to its
        // head by the server; one that did not (EventSource's own reconnect of our first URL)
        // resumed at a point that means nothing here. Either way: forget what was delivered,
        // reconnect naming the new database, and reload the window.
        this.databaseId = hello.databaseId;
        this.lastEventId = hello.reset ? event.lastEventId || null : null;
        this.historyLoaded = false;
        this.forgetDelivered();
        this.emitReset();
        source.close();
        this.source = null;
        this.setState('reconnecting', 'the server has another database; re-syncing');
        this.connect();
        return;
      }
      this.databaseId = hello.databaseId ?? this.databaseId;
      this.lastEventId = event.lastEventId || this.lastEventId;
      this.setState('live');
      if (!this.historyLoaded || hello.reset) {
        this.historyLoaded = true;
        this.history();
      }
    });
    source.addEventListener('trace', (event) => {
      if (source !== this.source) return;
      this.lastEventId = event.lastEventId;
      const message = JSON.parse(event.data) as { at: string; data: TraceSummary };
      this.updateStats({ lastEventId: event.lastEventId, lagMs: Math.max(0, Date.now() - Date.parse(message.at)) });
      if (this.remember(message.data)) this.push(message.data);
    });
    source.addEventListener('error', (event) => {
      if (this.stopped || source !== this.source) return;
      this.connection = null;
      const code = (event as { code?: number }).code;
      if (source.readyState === EventSource.CLOSED) {
        // EventSource gave up (a non-200 answer such as 401, or a bad content type): retry
        // ourselves with backoff, resuming from the last id we saw.
        this.failures++;
        const delay = Math.min(30_000, 500 * 2 ** Math.min(this.failures, 6));
        const reason =
          code === 401 || code === 403
            ? `${code} from ${this.options.client.host}: check LANGFUSE_PUBLIC_KEY/LANGFUSE_SECRET_KEY`
            : code === 200
              ? 'the stream answered with something other than an event stream'
              : code
                ? `stream answered ${code}`
                : 'stream closed';
        this.setState(this.failures > 3 ? 'offline' : 'reconnecting', `${reason}; retrying in ${Math.round(delay / 1000)}s`);
        this.retryTimer = setTimeout(() => this.connect(), delay);
      } else {
        this.setState('reconnecting', 'connection lost; resuming');
      }
    });
  }

  protected async shutdown(): Promise<void> {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.historyRetry) clearTimeout(this.historyRetry);
    if (this.watchdog) clearInterval(this.watchdog);
    this.source?.close();
  }
}

export class PollSource extends BaseSource {
  private timer: NodeJS.Timeout | null = null;
  private cursorMs: number | null = null;
  private polls = 0;
  private intervalMs: number;
  private failures = 0;

  constructor(options: LiveSourceOptions) {
    super(options);
    this.intervalMs = options.pollIntervalMs ?? 2_000;
  }

  /** A polled read was filtered by the server: only the residue is checked here. */
  protected override accepts(trace: TraceSummary): boolean {
    if (this.options.residual) return this.options.residual(trace);
    return super.accepts(trace);
  }

  /**
   * How long until the next poll: the interval, or longer when the poll just spent more of a
   * rate-limit bucket than the budget's background share allows in that time.
   */
  private nextDelay(spentBefore: Partial<Record<Bucket, number>>): number {
    const budget = this.options.client.budget as LangfuseClient['budget'] | undefined;
    if (!budget) return this.intervalMs;
    let delay = this.intervalMs;
    for (const [bucket, after] of Object.entries(budget.spent('background')) as [Bucket, number][]) {
      const spent = after - (spentBefore[bucket] ?? 0);
      if (spent > 0) delay = Math.max(delay, spent * budget.pacingMs(bucket));
    }
    return delay;
  }

  /** Langfuse's OTLP path is asynchronous (seconds to tens of seconds): re-read that far back. */
  static readonly OVERLAP_MS = 120_000;
  /** Every how many polls the read reaches OVERLAP_MS back (the others read from the cursor). */
  static readonly SWEEP_EVERY = 5;
  /** A poll reads at most this many traces (50 pages of the v1 list); the next continues. */
  static readonly MAX_TRACES_PER_POLL = 5_000;

  start(): void {
    void this.poll();
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.poll(), delay);
  }

  private async poll(): Promise<void> {
    if (this.stopped) return;
    const started = Date.now();
    const budget = this.options.client.budget as LangfuseClient['budget'] | undefined;
    const spentBefore = budget?.spent('background') ?? {};
    try {
      if (this.cursorMs === null) {
        // The first poll is the history: every page of the window, up to its capacity.
        await this.loadHistory((trace) => {
          // A long history (minutes on a hobby plan's legacy reads) is flowing, not connecting.
          if (this.current.state !== 'polling') this.setState('polling', null);
          this.deliver(trace);
        });
        this.cursorMs ??= started;
      } else {
        // Then everything since the cursor, paged oldest first (a burst of more than a page is
        // not cut off); every few polls the read reaches OVERLAP_MS back for late arrivals.
        const sweep = ++this.polls % PollSource.SWEEP_EVERY === 0;
        const fromMs = sweep ? this.cursorMs - PollSource.OVERLAP_MS : this.cursorMs;
        const floor = this.options.filter?.fromTimestamp;
        const from = floor && Date.parse(floor) > fromMs ? floor : new Date(fromMs).toISOString();
        const page = await this.options.client.pollTraces(this.options.filter ?? {}, from, PollSource.MAX_TRACES_PER_POLL);
        for (const trace of page.traces) this.deliver(trace);
      }
      this.flush();
      this.failures = 0;
      this.updateStats({ lagMs: Date.now() - started });
      const delay = this.nextDelay(spentBefore);
      this.setState('polling', `every ${Math.round(delay / 100) / 10}s`);
      this.schedule(delay);
    } catch (error) {
      this.failures++;
      if (error instanceof LangfuseApiError && error.kind === 'rate-limited') {
        // Slow down for good: Cloud's legacy read limit can be 15 requests a minute.
        this.intervalMs = Math.min(60_000, Math.max(this.intervalMs * 2, 4_000));
      }
      const delay = PollSource.retryDelay(this.intervalMs, this.failures, error);
      this.setState(this.failures > 3 ? 'offline' : 'reconnecting', `${describeError(error)}; retrying in ${Math.round(delay / 1000)}s`);
      this.schedule(delay);
    }
  }

  /**
   * How long to wait after the n-th failure in a row: exponential up to a minute for a server
   * that answers badly (5xx, 429 with its Retry-After), but a backend that cannot be reached is
   * tried again at least every max(interval, 5 s) — a refused connection costs it nothing, and
   * a restarted backend is picked up within seconds instead of up to a minute.
   */
  static retryDelay(intervalMs: number, failures: number, error: unknown): number {
    const exponential = Math.min(60_000, intervalMs * 2 ** Math.min(failures, 5));
    if (error instanceof LangfuseApiError && error.kind === 'rate-limited') return Math.max(exponential, error.retryAfterMs ?? 0);
    if (error instanceof LangfuseApiError && (error.kind === 'network' || error.kind === 'timeout')) {
      return Math.min(exponential, Math.max(intervalMs, 5_000));
    }
    return exponential;
  }

  private deliver(trace: TraceSummary): void {
    // A trace never starts later than it did: a later start is a partial view (on the v2 reads,
    // a window that cut off the trace's first root observations), not an update.
    if (!this.remember(trace, { laterStartIsPartial: true })) return;
    this.push(trace);
    const ms = Date.parse(trace.timestamp);
    if (this.cursorMs === null || ms > this.cursorMs) this.cursorMs = ms;
  }

  protected async shutdown(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
  }
}

/**
 * A source for a backend that could not be reached at start: it says so (offline, with the
 * reason), keeps trying with backoff, and becomes the right source once the backend answers.
 */
class DeferredSource extends BaseSource {
  private inner: LiveSource | null = null;
  private timer: NodeJS.Timeout | null = null;
  private attempts = 0;

  /** Either the first attempt failed (firstError), or it is still waiting for an answer (pending). */
  constructor(options: LiveSourceOptions, private readonly firstError: unknown, private readonly waiting?: Promise<LiveSource>) {
    super(options);
    this.current = waiting
      ? { ...this.current, state: 'connecting', detail: `waiting for ${options.client.host} to answer` }
      : { ...this.current, state: 'offline', detail: describeError(firstError) };
  }

  /** The inner source already applied the filter. */
  protected override accepts(): boolean {
    return true;
  }

  start(): void {
    if (this.waiting) {
      this.setState('connecting', `waiting for ${this.options.client.host} to answer`);
      void this.tryConnect(this.waiting);
      return;
    }
    this.setState('offline', `${describeError(this.firstError)}; retrying`);
    this.schedule(500);
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tryConnect(), delay);
  }

  private async tryConnect(attempt: Promise<LiveSource> = pickSource(this.options)): Promise<void> {
    try {
      const inner = await attempt;
      if (this.stopped) return;
      this.inner = inner;
      inner.onTraces((traces) => {
        for (const trace of traces) this.push(trace);
        this.flush();
      });
      inner.onReset?.(() => {
        this.forgetDelivered();
        this.emitReset();
      });
      inner.onStatus((status) => {
        this.updateStats(status.stats);
        if (status.history !== this.current.history) this.setHistory(status.history ?? null);
        this.setState(status.state, status.detail);
      });
      inner.start();
    } catch (error) {
      this.attempts++;
      const delay = Math.min(30_000, 500 * 2 ** Math.min(this.attempts, 6));
      this.setState('offline', `${describeError(error)}; retrying in ${Math.round(delay / 1000)}s`);
      this.schedule(delay);
    }
  }

  protected async shutdown(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    await this.inner?.stop();
  }
}

async function pickSource(options: LiveSourceOptions): Promise<LiveSource> {
  const mode = options.mode ?? 'auto';
  if (mode === 'poll') return new PollSource(options);
  if (mode === 'sse') return new SseSource(options);
  const backend = await options.client.backend();
  // Without a budget to pace by, every 5 s; with one, as often as its background share allows (≥ 2 s).
  const unpaced = (options.client.budget as LangfuseClient['budget'] | undefined)?.plan === 'none';
  return backend.streams ? new SseSource(options) : new PollSource({ pollIntervalMs: unpaced ? 5_000 : 2_000, ...options });
}

/**
 * Picks SSE when the backend streams, polling otherwise; waits for a backend that is down.
 * A backend that does not answer within `waitMs` (1 s) gets a source that keeps waiting in the
 * background, so the first frame (and every key) never waits on a hung backend.
 */
export async function createLiveSource(options: LiveSourceOptions, waitMs = 1_000): Promise<LiveSource> {
  const picking = pickSource(options);
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    picking.then((source) => ({ source }), (error: unknown) => ({ error })),
    new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), waitMs))),
  ]);
  clearTimeout(timer);
  if (outcome === null) return new DeferredSource(options, null, picking);
  if ('source' in outcome) return outcome.source;
  // Wrong keys will not heal by waiting; anything else (down, timing out) might.
  if (outcome.error instanceof LangfuseApiError && outcome.error.kind === 'auth') throw outcome.error;
  return new DeferredSource(options, outcome.error);
}
