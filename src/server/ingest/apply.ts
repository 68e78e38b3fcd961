// Applies an ingestion batch in one transaction: validates every event, merges creates and
// updates by id, keeps each trace's aggregates (latency, cost, tokens, level counts) current
// by delta, and appends to the change log the stream replays. One bad event never costs the
// good ones their place: it gets its own error entry in the 207.

import { randomUUID } from 'node:crypto';
import type { StatementSync } from 'node:sqlite';
import { OBSERVATION_EVENT_TYPES } from '../../domain/ingestion.js';
import type { IngestionError, IngestionResponse, IngestionSuccess } from '../../domain/ingestion.js';
import { inTransaction, storageFailure } from '../db.js';
import { emptyAggregates, type Repository, type StoredTrace, type TraceAggregates } from '../repository.js';
import { setImmediate as nextTurn } from 'node:timers/promises';
import {
  asBody,
  checkId,
  DATETIME_RULE,
  observationBodyToPatch,
  parseIsoDatetime,
  scoreBodyToInput,
  traceBodyToPatch,
  inYearRange,
  ValidationError,
  type ObservationPatch,
  type ScoreInput,
  type TracePatch,
} from './normalize.js';
import {
  mergeObservation,
  mergeTrace,
  newObservationRecord,
  newTraceRecord,
  tokenCounts,
  totalCost,
  type ObservationRecord,
} from './records.js';
import { resolveScore } from './scores.js';

const KNOWN_TYPES = new Set<string>([
  'trace-create',
  'score-create',
  'sdk-log',
  'dataset-run-item-create',
  ...Object.keys(OBSERVATION_EVENT_TYPES),
]);

interface TraceWork {
  stored: StoredTrace;
  dirty: boolean;
  tagsChanged: boolean;
  /** An update moved an extreme observation inward: min/max must be read back exactly. */
  recomputeSpan: boolean;
  /** Its only observation moved to another trace and nothing else made it exist. */
  orphaned: boolean;
}

/** What the change log and stream need to know about a committed batch. */
export interface AppliedBatch {
  response: IngestionResponse;
  changed: boolean;
}

function observationContribution(record: ObservationRecord) {
  const startMs = Date.parse(record.startTime);
  const endMs = record.endTime ? Date.parse(record.endTime) : startMs;
  return {
    cost: totalCost(record),
    tokens: tokenCounts(record),
    level: record.level,
    startMs,
    endMs: Math.max(startMs, endMs),
  };
}

/** Subtracts an observation's cost, tokens and level from a trace's totals. */
function subtractContribution(aggregates: TraceAggregates, before: ReturnType<typeof observationContribution>): void {
  if (before.cost !== null) aggregates.totalCost = (aggregates.totalCost ?? 0) - before.cost;
  aggregates.inputTokens -= before.tokens.input;
  aggregates.outputTokens -= before.tokens.output;
  aggregates.totalTokens -= before.tokens.total;
  if (before.level === 'ERROR') aggregates.errorCount -= 1;
  if (before.level === 'WARNING') aggregates.warningCount -= 1;
}

/** Takes an observation's contribution off a trace it no longer belongs to. */
function removeObservation(aggregates: TraceAggregates, previous: ObservationRecord): void {
  subtractContribution(aggregates, observationContribution(previous));
  aggregates.obsCount -= 1;
  if (aggregates.obsCount <= 0) {
    Object.assign(aggregates, emptyAggregates());
  }
}

/** Applies the change of one observation to its trace's aggregates; returns true when the
 * time span must be recomputed exactly (the observation was an extreme and moved inward). */
function applyObservationDelta(
  aggregates: TraceAggregates,
  previous: ObservationRecord | null,
  next: ObservationRecord,
): boolean {
  const after = observationContribution(next);
  let narrowed = false;
  if (previous) {
    const before = observationContribution(previous);
    narrowed =
      (before.startMs === aggregates.startMinMs && after.startMs > before.startMs) ||
      (before.endMs === aggregates.endMaxMs && after.endMs < before.endMs);
    subtractContribution(aggregates, before);
  } else {
    aggregates.obsCount += 1;
  }
  if (after.cost !== null) aggregates.totalCost = (aggregates.totalCost ?? 0) + after.cost;
  aggregates.inputTokens += after.tokens.input;
  aggregates.outputTokens += after.tokens.output;
  aggregates.totalTokens += after.tokens.total;
  if (after.level === 'ERROR') aggregates.errorCount += 1;
  if (after.level === 'WARNING') aggregates.warningCount += 1;
  aggregates.startMinMs = aggregates.startMinMs === null ? after.startMs : Math.min(aggregates.startMinMs, after.startMs);
  aggregates.endMaxMs = aggregates.endMaxMs === null ? after.endMs : Math.max(aggregates.endMaxMs, after.endMs);
  return narrowed;
}

/** The per-event savepoint's statements, prepared once per database (exec would parse them each event). */
const savepoints = new WeakMap<Repository['db'], { begin: StatementSync; release: StatementSync; rollback: StatementSync }>();
function savepointsOf(repo: Repository) {
  let prepared = savepoints.get(repo.db);
  if (!prepared) {
    prepared = { begin: repo.db.prepare('SAVEPOINT ingest_event'), release: repo.db.prepare('RELEASE ingest_event'), rollback: repo.db.prepare('ROLLBACK TO ingest_event') };
    savepoints.set(repo.db, prepared);
  }
  return prepared;
}

/** Characters a record's metadata may reach by merging: each event is bounded, but metadata
 * objects merge key by key, so many updates could otherwise grow one record without end. */
export const MAX_MERGED_METADATA_CHARS = 8 * 1024 * 1024;

/** Throws when merging `added` into `before` made metadata past the bound (only a merge of
 * two objects can grow it; anything else replaces it and is bounded by the event). */
function checkMergedMetadata(before: unknown, added: unknown, merged: unknown): void {
  const isObject = (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value);
  if (!isObject(before) || !isObject(added)) return;
  const size = JSON.stringify(merged).length;
  if (size > MAX_MERGED_METADATA_CHARS) {
    throw new ValidationError(`metadata would hold ${size} characters after merging with what is stored (at most ${MAX_MERGED_METADATA_CHARS}); send fewer or smaller keys`);
  }
}

/** A validated event, not yet applied: what it will do, or why it was refused. */
export type PreparedEvent =
  | { eventId: string; error: IngestionError }
  | {
      eventId: string;
      eventTime: string;
      op:
        | { kind: 'trace'; patch: TracePatch }
        | { kind: 'observation'; patch: ObservationPatch }
        | { kind: 'score'; input: ScoreInput }
        | { kind: 'none' };
    };

/** Validates one event without touching the database (a bad event writes nothing). */
export function prepareEvent(raw: unknown, nowIso: string): PreparedEvent {
  const rawId = typeof raw === 'object' && raw !== null ? (raw as { id?: unknown }).id : undefined;
  const eventId = typeof rawId === 'string' ? rawId : '';
  try {
    const event = asBody(raw, 'event');
    if (!eventId) throw new ValidationError('event id must be a non-empty string');
    checkId(eventId, 'event id');
    const type = event.type;
    if (typeof type !== 'string' || !KNOWN_TYPES.has(type)) {
      throw new ValidationError(`unknown event type ${JSON.stringify(type)}`);
    }
    const body = asBody(event.body, 'body');
    // An event's timestamp is required by Langfuse; tracetop takes a missing one as now, but
    // one that is there must be a real date-time.
    let eventTime = nowIso;
    if (event.timestamp !== undefined && event.timestamp !== null) {
      const ms = typeof event.timestamp === 'string' ? parseIsoDatetime(event.timestamp) : null;
      if (ms === null) throw new ValidationError(`timestamp must be ${DATETIME_RULE}`);
      const date = new Date(ms);
      if (!inYearRange(date)) throw new ValidationError('timestamp must have a year between 0000 and 9999');
      eventTime = date.toISOString();
    }
    if (type === 'trace-create') return { eventId, eventTime, op: { kind: 'trace', patch: traceBodyToPatch(body) } };
    if (type in OBSERVATION_EVENT_TYPES) {
      const patch = observationBodyToPatch(body, OBSERVATION_EVENT_TYPES[type as keyof typeof OBSERVATION_EVENT_TYPES]);
      if (type.endsWith('-update') && !patch.id) throw new ValidationError('id is required for updates');
      return { eventId, eventTime, op: { kind: 'observation', patch } };
    }
    if (type === 'score-create') return { eventId, eventTime, op: { kind: 'score', input: scoreBodyToInput(body) } };
    // sdk-log and dataset runs carry nothing tracetop shows; accept them as Langfuse does.
    return { eventId, eventTime, op: { kind: 'none' } };
  } catch (error) {
    if (error instanceof ValidationError) {
      return { eventId, error: { id: eventId, status: 400, message: 'Invalid request data', error: error.message } };
    }
    return { eventId, error: { id: eventId, status: 500, message: 'Internal Server Error', error: String(error) } };
  }
}

/** Milliseconds of validation between yields to the event loop. */
const SLICE_MS = 8;

/**
 * The HTTP path: validates the events a slice at a time, yielding between slices so health
 * checks, reads and streams are served while a large batch is checked, then applies them in
 * one transaction.
 */
export async function ingestBatch(repo: Repository, events: Iterable<unknown>, now: Date = new Date()): Promise<AppliedBatch> {
  return applyPrepared(repo, await prepareBatch(events, now), now);
}

/** Validates a batch a slice at a time (see ingestBatch). `events` may parse each event as it
 * is iterated (readBatchJson), so no single JSON.parse covers the whole request. */
export async function prepareBatch(events: Iterable<unknown>, now: Date): Promise<PreparedEvent[]> {
  const nowIso = now.toISOString();
  const prepared: PreparedEvent[] = [];
  let sliceStart = performance.now();
  for (const raw of events) {
    prepared.push(prepareEvent(raw, nowIso));
    if (performance.now() - sliceStart > SLICE_MS) {
      await nextTurn();
      sliceStart = performance.now();
    }
  }
  return prepared;
}

export function applyIngestionBatch(repo: Repository, events: unknown[], now: Date = new Date()): AppliedBatch {
  const nowIso = now.toISOString();
  return applyPrepared(repo, events.map((raw) => prepareEvent(raw, nowIso)), now);
}

export function applyPrepared(repo: Repository, events: PreparedEvent[], now: Date = new Date()): AppliedBatch {
  const successes: IngestionSuccess[] = [];
  const errors: IngestionError[] = [];
  const nowIso = now.toISOString();
  const nowMs = now.getTime();
  const traces = new Map<string, TraceWork>();
  let changed = false;
  // Observations stored by the batch's events, whose metrics rows are written once at the end
  // (after the traces, whose fields they carry); a failed event's are cut off again.
  const storedObservations: ObservationRecord[] = [];
  // What the current event changed in memory, to put back if it fails half-way (its SQL is
  // rolled back to a savepoint): the traces' state before it touched them, or absence.
  let undo: Map<string, TraceWork | null> | null = null;

  const traceWork = (traceId: string, timestamp: string): TraceWork => {
    if (undo && !undo.has(traceId)) {
      const before = traces.get(traceId);
      // Records are replaced, never mutated (mergeTrace returns a new one); aggregates are
      // mutated in place, so they are copied.
      undo.set(traceId, before ? { ...before, stored: { ...before.stored, aggregates: { ...before.stored.aggregates } } } : null);
    }
    let work = traces.get(traceId);
    if (!work) {
      const stored = repo.getTrace(traceId) ?? {
        record: newTraceRecord(traceId, timestamp, nowIso),
        aggregates: emptyAggregates(),
        updatedMs: nowMs,
      };
      work = { stored, dirty: true, tagsChanged: false, recomputeSpan: false, orphaned: false };
      traces.set(traceId, work);
    }
    work.dirty = true;
    work.orphaned = false;
    return work;
  };

  inTransaction(repo.db, () => {
    for (const prepared of events) {
      const eventId = prepared.eventId;
      if ('error' in prepared) {
        errors.push(prepared.error);
        continue;
      }
      const { eventTime, op } = prepared;
      try {
        let apply: () => void;
        if (op.kind === 'trace') {
          const patch = op.patch;
          apply = () => {
            const traceId = patch.id ?? randomUUID();
            const work = traceWork(traceId, patch.timestamp ?? eventTime);
            const hadTags = work.stored.record.tags.length;
            const merged = mergeTrace(work.stored.record, { ...patch, id: traceId }, nowIso);
            checkMergedMetadata(work.stored.record.metadata, patch.metadata, merged.metadata);
            work.stored.record = merged;
            if (work.stored.record.tags.length !== hadTags) work.tagsChanged = true;
            changed = true;
          };
        } else if (op.kind === 'observation') {
          const patch = op.patch;
          apply = () => {
            const id = patch.id ?? randomUUID();
            const previous = repo.getObservation(id);
            // The latest traceId wins (as in Langfuse): an update that arrived before its
            // create, without a traceId, parked the observation on a placeholder trace.
            const traceId = patch.traceId ?? previous?.traceId ?? randomUUID();
            const base =
              previous ?? newObservationRecord(id, traceId, patch.type ?? 'SPAN', patch.startTime ?? eventTime, nowIso);
            const next = mergeObservation(base, { ...patch, id, traceId }, nowIso);
            checkMergedMetadata(base.metadata, patch.metadata, next.metadata);
            if (previous && previous.traceId !== traceId) {
              const old = traceWork(previous.traceId, previous.startTime);
              removeObservation(old.stored.aggregates, previous);
              old.recomputeSpan = true;
              if (old.stored.aggregates.obsCount === 0 && !old.stored.record.explicit) old.orphaned = true;
            }
            const work = traceWork(traceId, next.startTime);
            const moved = previous && previous.traceId !== traceId ? null : previous;
            if (applyObservationDelta(work.stored.aggregates, moved, next)) work.recomputeSpan = true;
            repo.putObservation(next);
            storedObservations.push(next);
            repo.appendChange('observation', id, traceId, nowMs);
            changed = true;
          };
        } else if (op.kind === 'score') {
          const input = op.input;
          apply = () => {
            // Checked against its config here (a ValidationError rolls this event back alone).
            const score = resolveScore(input, repo, eventTime);
            repo.putScore(score);
            repo.appendChange('score', score.id, score.traceId, nowMs);
            if (score.traceId) traceWork(score.traceId, score.timestamp);
            changed = true;
          };
        } else {
          apply = () => {};
        }

        // One savepoint per event: an event that fails half-way leaves no partial write.
        undo = new Map();
        const changedBefore = changed;
        const storedBefore = storedObservations.length;
        const savepoint = savepointsOf(repo);
        savepoint.begin.run();
        try {
          if (repo.claimEvent(eventId)) apply();
          savepoint.release.run();
        } catch (error) {
          // A full disk or an I/O error is the whole batch's failure (the caller answers 507/503), not this event's.
          if (storageFailure(error)) throw error;
          savepoint.rollback.run();
          savepoint.release.run();
          for (const [traceId, before] of undo) {
            if (before) traces.set(traceId, before);
            else traces.delete(traceId);
          }
          changed = changedBefore;
          storedObservations.length = storedBefore;
          throw error;
        } finally {
          undo = null;
        }
        successes.push({ id: eventId, status: 201 });
      } catch (error) {
        if (storageFailure(error)) throw error;
        if (error instanceof ValidationError) {
          errors.push({ id: eventId, status: 400, message: 'Invalid request data', error: error.message });
        } else {
          errors.push({ id: eventId, status: 500, message: 'Internal Server Error', error: String(error) });
        }
      }
    }

    for (const [traceId, work] of traces) {
      if (!work.dirty) continue;
      if (work.orphaned && repo.deleteTraceIfUnreferenced(traceId)) {
        repo.appendChange('trace', traceId, traceId, nowMs);
        continue;
      }
      if (work.recomputeSpan) Object.assign(work.stored.aggregates, repo.observationTimeSpan(traceId));
      repo.putTrace(work.stored.record, work.stored.aggregates, nowMs, work.tagsChanged);
      repo.appendChange('trace', traceId, traceId, nowMs);
    }
    // Each observation's last state in the batch (an update after a create is one row), with its
    // trace's fields as just written (every observation's trace is in `traces`).
    const last = new Map(storedObservations.map((record) => [record.id, record]));
    repo.putObservationFacts(
      [...last.values()].map((record) => ({ record, trace: traces.get(record.traceId)?.stored.record ?? repo.getTrace(record.traceId)?.record ?? null })),
    );
  });

  return { response: { successes, errors }, changed };
}
