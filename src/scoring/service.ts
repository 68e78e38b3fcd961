// What the TUI and `label` ask of scoring: the backend's score configs, a score typed once and
// made durable before it shows as pending, undo, and the pending/failed counts.

import type { ScoreConfig } from '../domain/types.js';
import type { ScoreWriter } from '../api/types.js';
import { DurableScoreQueue, ScoreQueueError, type QueuedScoreBody } from './durable-queue.js';
import { ScoreSender, type SenderStatus } from './sender.js';
import { buildScore } from './score-input.js';

export interface ScoreTarget {
  traceId?: string;
  sessionId?: string;
  observationId?: string;
  queueId?: string;
}

export interface ScoringService {
  configs(): Promise<ScoreConfig[]>;
  /** Validates, journals (fsync) and queues; throws ScoreInputError on a bad value. */
  submit(target: ScoreTarget, name: string, value: string, comment?: string): QueuedScoreBody;
  /** Removes a score: dropped from the queue if not sent yet, else deleted on the backend. */
  undo(scoreId: string): Promise<void>;
  status(): SenderStatus;
  isPending(scoreId: string): boolean;
  failure(scoreId: string): string | null;
  onStatus(listener: (status: SenderStatus) => void): () => void;
  close(): void;
}

export function createScoringService(options: {
  writer: ScoreWriter;
  queuePath: string;
  /** Scores sent within this session, for undo. */
}): ScoringService {
  let queue: DurableScoreQueue;
  try {
    queue = DurableScoreQueue.open(options.queuePath);
  } catch (error) {
    // A read-only or full state dir must not keep the trace list from opening: scoring is
    // off (every attempt says why), reading works.
    if (error instanceof ScoreQueueError) return scoringUnavailable(options.writer, error);
    throw error;
  }
  const sender = new ScoreSender(queue, options.writer);
  // A previous run's queue is resumed at once.
  sender.start();
  let cachedConfigs: Promise<ScoreConfig[]> | null = null;
  let knownConfigs: ScoreConfig[] = [];
  return {
    configs() {
      cachedConfigs ??= options.writer.listScoreConfigs().then(
        (configs) => {
          knownConfigs = configs.filter((config) => !config.isArchived);
          return knownConfigs;
        },
        (error) => {
          cachedConfigs = null;
          throw error;
        },
      );
      return cachedConfigs;
    },
    submit(target, name, value, comment) {
      const score = buildScore({ ...target, name, value, comment, configs: knownConfigs });
      queue.enqueue(score);
      sender.kick();
      return score;
    },
    async undo(scoreId) {
      const entry = queue.get(scoreId);
      if (entry) {
        queue.drop(scoreId);
        // It may be in flight: delete on the backend too (a 404 means it never arrived).
      }
      try {
        await options.writer.deleteScore(scoreId);
      } catch (error) {
        if ((error as { status?: number }).status !== 404) throw error;
      }
    },
    status: () => sender.status(),
    isPending: (scoreId) => queue.get(scoreId)?.state === 'pending',
    failure: (scoreId) => (queue.get(scoreId)?.state === 'failed' ? (queue.get(scoreId)?.error ?? 'rejected') : null),
    onStatus: (listener) => sender.onStatus(listener),
    close() {
      sender.stop();
      queue.close();
    },
  };
}

/** Scoring without a durable queue: nothing can be promised, so nothing is accepted. */
function scoringUnavailable(writer: ScoreWriter, reason: ScoreQueueError): ScoringService {
  // The cause first: a status line cuts the end, and the path is the least of it.
  const detail = `scoring is off, the score queue cannot be opened: ${reason.reason} (${reason.message})`;
  return {
    configs: () => writer.listScoreConfigs().then((configs) => configs.filter((config) => !config.isArchived)),
    submit() {
      throw new ScoreQueueError(detail, reason.code, reason.reason);
    },
    async undo(scoreId) {
      try {
        await writer.deleteScore(scoreId);
      } catch (error) {
        if ((error as { status?: number }).status !== 404) throw error;
      }
    },
    status: () => ({ pending: 0, failed: 0, detail }),
    isPending: () => false,
    failure: () => null,
    onStatus: () => () => {},
    close() {},
  };
}
