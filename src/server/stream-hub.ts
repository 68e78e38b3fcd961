// Server-Sent Events of stored changes, replayed from the durable change log. Every client
// keeps its own cursor (a change-log seq), so a client resuming with Last-Event-ID and a
// client tailing live run the same loop: read changes after the cursor, send what matches,
// advance. Payloads are built once per change and shared between clients.

import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ChangeRow, Repository } from './repository.js';
import type { TraceRecord } from './ingest/records.js';
import { observationToApi, scoreToApi, traceSummary } from './views.js';

export type StreamKind = 'trace' | 'observation' | 'score';

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
const CACHE_LIMIT = 20_000;

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
  private scheduled = false;
  private readonly heartbeat: NodeJS.Timeout;
  /** See databaseIdentity. */
  readonly databaseId: string;

  constructor(
    private readonly repo: Repository,
    private readonly options: { version: string; heartbeatMs?: number; retryMs?: number },
  ) {
    this.databaseId = databaseIdentity(repo);
    this.heartbeat = setInterval(() => {
      for (const client of this.clients) if (!client.closed) client.res.write(': heartbeat\n\n');
    }, options.heartbeatMs ?? 15_000);
    this.heartbeat.unref();
  }

  get clientCount(): number {
    return this.clients.size;
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
    // A resume point from another database (the client names the one it saw, or its point is
    // past the head) means nothing here: the client must refetch history, so the hello says so
    // and the stream starts at the head.
    const otherDatabase = options.lastEventId !== null && clientDatabaseId != null && clientDatabaseId !== this.databaseId;
    const reset = options.lastEventId !== null && (options.lastEventId > head || otherDatabase);
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
        let writable = true;
        for (const change of changes) {
          client.cursor = change.seq;
          if (!client.kinds.has(change.kind)) continue;
          const built = this.build(change, client.io);
          if (!built || !matches(client.filter, built.trace)) continue;
          writable = client.res.write(built.frame);
        }
        if (!writable) await new Promise<void>((resolve) => client.res.once('drain', resolve));
        // A long replay yields so ingestion and other clients are not starved.
        else await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } catch {
      client.closed = true;
      this.clients.delete(client);
      client.res.destroy();
    } finally {
      client.pumping = false;
    }
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
      payload = { seq: change.seq, at, data: traceSummary(stored, scores, { io }) };
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
    } else {
      const record = this.repo.getScore(change.entityId);
      trace = change.traceId ? (this.repo.getTrace(change.traceId)?.record ?? null) : null;
      payload = record
        ? { seq: change.seq, at, data: scoreToApi(record) }
        : { seq: change.seq, at, data: null, deleted: change.entityId, traceId: change.traceId };
    }
    const built = { trace, frame: `id: ${change.seq}\nevent: ${change.kind}\ndata: ${JSON.stringify(payload)}\n\n` };
    if (this.cache.size >= CACHE_LIMIT) {
      // Maps iterate in insertion order: drop the oldest quarter.
      let drop = CACHE_LIMIT / 4;
      for (const oldKey of this.cache.keys()) {
        this.cache.delete(oldKey);
        if (--drop <= 0) break;
      }
    }
    this.cache.set(key, built);
    return built;
  }
}
