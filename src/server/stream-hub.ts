// Server-Sent Events of stored changes, replayed from the durable change log. Every client
// keeps its own cursor (a change-log seq), so a client resuming with Last-Event-ID and a
// client tailing live run the same loop: read changes after the cursor, send what matches,
// advance. Payloads are built once per change and shared between clients.

import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ChangeRow, Repository } from './repository.js';
import type { TraceRecord } from './ingest/records.js';
import { observationToApi, scoreToApi, traceSummary } from './views.js';
import { withGenerationKeys } from './metrics/generation-keys.js';
import { DatasetStore } from './datasets/repository.js';

export type StreamKind = 'trace' | 'observation' | 'score' | 'dataset-run-item';

export interface StreamFilter {
  userId: string | null;
  sessionId: string | null;
  name: string | null;
  environments: string[];
  tags: string[];
}

interface Client {
  res: ServerResponse;
  cursor: number;
  filter: StreamFilter;
  kinds: Set<StreamKind>;
  io: boolean;
  pumping: boolean;
  closed: boolean;
}

interface BuiltEvent {
  /** The trace the change belongs to, for filtering; null when it has none. */
  trace: TraceRecord | null;
  frame: string;
}

const PAGE = 500;

/** Stream memory is bounded by bytes, not frames: a frame with `fields=io` may hold a trace's
 * whole input and output. */
export interface StreamLimits {
  /** Bytes a client may have waiting in its socket's buffer before its pump stops and waits
   * for the client to read (a single frame larger than this is still sent, alone). */
  clientBufferBytes?: number;
  /** How long a client may leave its buffer full before it is dropped; it resumes with
   * Last-Event-ID and replays from where it was. */
  stallMs?: number;
  /** Bytes of built frames kept for the next client that needs the same change. */
  cacheBytes?: number;
}

const DEFAULT_CLIENT_BUFFER_BYTES = 256 * 1024;
const DEFAULT_STALL_MS = 30_000;
const DEFAULT_CACHE_BYTES = 32 * 1024 * 1024;

function matches(filter: StreamFilter, trace: TraceRecord | null): boolean {
  const constrained =
    filter.userId !== null ||
    filter.sessionId !== null ||
    filter.name !== null ||
    filter.environments.length > 0 ||
    filter.tags.length > 0;
  if (!constrained) return true;
  if (!trace) return false;
  if (filter.userId !== null && trace.userId !== filter.userId) return false;
  if (filter.sessionId !== null && trace.sessionId !== filter.sessionId) return false;
  if (filter.name !== null && trace.name !== filter.name) return false;
  if (filter.environments.length > 0 && !filter.environments.includes(trace.environment)) return false;
  return filter.tags.every((tag) => trace.tags.includes(tag));
}

/**
 * The database's identity: a random id stored in the database the first time a server opens it.
 * Change-log seqs mean nothing across databases, so the stream's hello carries it and a client
 * that resumed against another database (swapped file, restored backup) knows to start over.
 */
export function databaseIdentity(repo: Repository): string {
  repo.db.exec('CREATE TABLE IF NOT EXISTS tracetop_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID');
  repo.prepare("INSERT OR IGNORE INTO tracetop_meta (key, value) VALUES ('database_id', ?)").run(randomUUID());
  return String((repo.prepare("SELECT value FROM tracetop_meta WHERE key = 'database_id'").get() as { value: string }).value);
}

export class StreamHub {
  private readonly clients = new Set<Client>();
  private readonly cache = new Map<string, BuiltEvent>();
  private cacheBytes = 0;
  private readonly clientBufferBytes: number;
  private readonly stallMs: number;
  private readonly cacheLimit: number;
  /** Clients dropped for leaving their buffer full (they resume with Last-Event-ID). */
  dropped = 0;
  private scheduled = false;
  private readonly heartbeat: NodeJS.Timeout;
  /** See databaseIdentity. */
  readonly databaseId: string;

  constructor(
    private readonly repo: Repository,
    private readonly options: { version: string; heartbeatMs?: number; retryMs?: number } & StreamLimits,
  ) {
    this.clientBufferBytes = options.clientBufferBytes ?? DEFAULT_CLIENT_BUFFER_BYTES;
    this.stallMs = options.stallMs ?? DEFAULT_STALL_MS;
    this.cacheLimit = options.cacheBytes ?? DEFAULT_CACHE_BYTES;
    this.databaseId = databaseIdentity(repo);
    this.heartbeat = setInterval(() => {
      // A client with bytes still waiting is not idle: it needs no heartbeat, and one more
      // write would only add to what it holds.
      for (const client of this.clients) if (!client.closed && client.res.writableLength === 0) client.res.write(': heartbeat\n\n');
    }, options.heartbeatMs ?? 15_000);
    this.heartbeat.unref();
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** What the stream holds in memory now: bytes waiting in clients' buffers and cached frames. */
  stats(): { clients: number; bufferedBytes: number; maxClientBufferedBytes: number; cacheBytes: number; cacheFrames: number; dropped: number } {
    let bufferedBytes = 0;
    let maxClientBufferedBytes = 0;
    for (const client of this.clients) {
      bufferedBytes += client.res.writableLength;
      maxClientBufferedBytes = Math.max(maxClientBufferedBytes, client.res.writableLength);
    }
    return { clients: this.clients.size, bufferedBytes, maxClientBufferedBytes, cacheBytes: this.cacheBytes, cacheFrames: this.cache.size, dropped: this.dropped };
  }

  /** Called after every committed write: wakes each client's pump once per tick. */
  notify(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      for (const client of this.clients) void this.pump(client);
    });
  }

  attach(
    req: IncomingMessage,
    res: ServerResponse,
    options: { lastEventId: number | null; databaseId?: string | null; filter: StreamFilter; kinds: Set<StreamKind>; io: boolean },
  ): void {
    const { databaseId: clientDatabaseId, ...clientOptions } = options;
    const head = this.repo.headSeq();
    // The oldest change still in the log (retention prunes from the front): a resume point
    // before it has missed changes that are gone, so the client starts over.
    const oldest = this.oldestSeq();
    // A resume point from another database (the client names the one it saw, or its point is
    // past the head) means nothing here: the client must refetch history, so the hello says so
    // and the stream starts at the head.
    const otherDatabase = options.lastEventId !== null && clientDatabaseId != null && clientDatabaseId !== this.databaseId;
    const fellOff = options.lastEventId !== null && oldest !== null && options.lastEventId < oldest - 1;
    const reset = options.lastEventId !== null && (options.lastEventId > head || otherDatabase || fellOff);
    const cursor = options.lastEventId === null || reset ? head : options.lastEventId;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(`retry: ${this.options.retryMs ?? 2000}\n\n`);
    res.write(
      `event: hello\nid: ${cursor}\ndata: ${JSON.stringify({ head, resumedFrom: cursor, reset, version: this.options.version, databaseId: this.databaseId, heartbeatMs: this.options.heartbeatMs ?? 15_000 })}\n\n`,
    );
    const client: Client = { res, cursor, ...clientOptions, pumping: false, closed: false };
    this.clients.add(client);
    const detach = () => {
      client.closed = true;
      this.clients.delete(client);
    };
    req.on('close', detach);
    res.on('close', detach);
    res.on('error', detach);
    void this.pump(client);
  }

  /** The first seq still in the change log, or null when it is empty. */
  private oldestSeq(): number | null {
    const row = this.repo.prepare('SELECT min(seq) AS seq FROM changes').get() as { seq: number | bigint | null } | undefined;
    return row?.seq === null || row?.seq === undefined ? null : Number(row.seq);
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const client of this.clients) {
      client.closed = true;
      client.res.end();
    }
    this.clients.clear();
  }

  private async pump(client: Client): Promise<void> {
    if (client.pumping || client.closed) return;
    client.pumping = true;
    try {
      for (;;) {
        const changes = this.repo.changesAfter(client.cursor, PAGE);
        if (changes.length === 0 || client.closed) break;
        for (const change of changes) {
          if (client.closed) return;
          if (client.kinds.has(change.kind)) {
            const built = this.build(change, client.io);
            if (built && matches(client.filter, built.trace)) {
              // Room for this frame first: what waits for a slow client is bounded by bytes.
              // (One frame larger than the bound goes out alone, into an empty buffer.)
              const waiting = client.res.writableLength;
              if (waiting > 0 && waiting + built.frame.length > this.clientBufferBytes && !(await this.drained(client))) return;
              client.res.write(built.frame);
            }
          }
          client.cursor = change.seq;
        }
        // A long replay yields so ingestion and other clients are not starved.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } catch {
      this.drop(client);
    } finally {
      client.pumping = false;
    }
  }

  /** Waits until the client has read what it holds; false (and the client dropped) when it
   * does not within the stall limit, or goes away. */
  private drained(client: Client): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const finish = (ok: boolean) => {
        clearTimeout(timer);
        clearInterval(poll);
        client.res.off('drain', onDrain);
        client.res.off('close', onClose);
        if (!ok) this.drop(client);
        resolve(ok && !client.closed);
      };
      const onDrain = () => finish(true);
      const onClose = () => finish(false);
      const timer = setTimeout(() => {
        this.dropped++;
        finish(false);
      }, this.stallMs);
      timer.unref();
      // 'drain' comes only after a write that returned false; a small remainder below the
      // socket's high-water mark is watched until it is flushed.
      const poll = setInterval(() => {
        if (client.res.writableLength === 0) finish(true);
      }, 10);
      poll.unref();
      client.res.once('drain', onDrain);
      client.res.once('close', onClose);
    });
  }

  /** Ends a client's stream and frees what it held; an EventSource reconnects by itself and
   * resumes after the last frame it received. */
  private drop(client: Client): void {
    if (client.closed) return;
    client.closed = true;
    this.clients.delete(client);
    client.res.destroy();
  }

  private build(change: ChangeRow, io: boolean): BuiltEvent | null {
    const key = `${change.seq}:${io ? 1 : 0}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const at = new Date(change.atMs).toISOString();
    let trace: TraceRecord | null = null;
    let payload: Record<string, unknown>;
    if (change.kind === 'trace') {
      const stored = this.repo.getTrace(change.entityId);
      if (!stored) return null;
      trace = stored.record;
      const scores = this.repo.scoresOfTraces([change.entityId]).get(change.entityId) ?? [];
      payload = { seq: change.seq, at, data: withGenerationKeys(this.repo.db, traceSummary(stored, scores, { io })) };
    } else if (change.kind === 'observation') {
      const record = this.repo.getObservation(change.entityId);
      if (!record) return null;
      trace = this.repo.getTrace(record.traceId)?.record ?? null;
      payload = {
        seq: change.seq,
        at,
        data: observationToApi(record, { io }),
        trace: trace
          ? { name: trace.name, userId: trace.userId, sessionId: trace.sessionId, tags: trace.tags, environment: trace.environment }
          : null,
      };
    } else if (change.kind === 'dataset-run-item') {
      const event = DatasetStore.of(this.repo.db).runItemEvent(change.entityId);
      if (!event) return null;
      trace = this.repo.getTrace(event.data.traceId)?.record ?? null;
      payload = { seq: change.seq, at, ...event };
    } else {
      const record = this.repo.getScore(change.entityId);
      trace = change.traceId ? (this.repo.getTrace(change.traceId)?.record ?? null) : null;
      payload = record
        ? { seq: change.seq, at, data: scoreToApi(record) }
        : { seq: change.seq, at, data: null, deleted: change.entityId, traceId: change.traceId };
    }
    const built = { trace, frame: `id: ${change.seq}\nevent: ${change.kind}\ndata: ${JSON.stringify(payload)}\n\n` };
    const size = built.frame.length;
    // Frames are cached by bytes: a huge one is not kept at all; otherwise the oldest go first.
    if (size > this.cacheLimit / 8) return built;
    for (const [oldKey, old] of this.cache) {
      if (this.cacheBytes + size <= this.cacheLimit) break;
      this.cache.delete(oldKey);
      this.cacheBytes -= old.frame.length;
    }
    this.cacheBytes += size;
    this.cache.set(key, built);
    return built;
  }
}
