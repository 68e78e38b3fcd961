// The write side: batch ingestion, scores, score configs and annotation queues.

import { randomUUID } from 'node:crypto';
import type {
  AnnotationItemStatus,
  AnnotationObjectType,
  AnnotationQueue,
  AnnotationQueueItem,
  ScoreCategory,
  ScoreConfig,
} from '../../domain/types.js';
import { badRequest, notFound, pageMeta, readBatchBody, readJson } from '../http.js';
import { asBody, scoreBodyToInput, ValidationError } from '../ingest/normalize.js';
import { inTransaction } from '../db.js';
import { resolveScore } from '../ingest/scores.js';
import { PROJECT_ID } from '../views.js';
import { ok, type Route, type RouteContext } from './context.js';

/** Runs fn, turning a ValidationError into Langfuse's 400 shape. */
function validated<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof ValidationError) throw badRequest(error.message);
    throw error;
  }
}

async function ingest(ctx: RouteContext) {
  // The body is read here; it is counted, parsed, validated and written on the write worker
  // (src/server/ingest/writer.ts).
  const body = await readBatchBody(ctx.req);
  const { status, body: response, changed } = await ctx.writer.run({ kind: 'batch', body });
  if (changed) ctx.hub.notify();
  return ok(response, status);
}

async function createScore(ctx: RouteContext) {
  const payload = await readJson(ctx.req);
  const now = new Date();
  const score = validated(() => resolveScore(scoreBodyToInput(asBody(payload, 'body')), ctx.repo, now.toISOString()));
  inTransaction(ctx.repo.db, () => {
    ctx.repo.putScore(score);
    ctx.repo.appendChange('score', score.id, score.traceId, now.getTime());
    if (score.traceId) touchTrace(ctx, score.traceId, now);
  });
  ctx.hub.notify();
  return ok({ id: score.id });
}

/** A score changes its trace's summary, so the trace is re-announced on the stream. */
function touchTrace(ctx: RouteContext, traceId: string, now: Date) {
  const stored = ctx.repo.getTrace(traceId);
  if (!stored) return;
  ctx.repo.putTrace(stored.record, stored.aggregates, now.getTime(), false);
  ctx.repo.appendChange('trace', traceId, traceId, now.getTime());
}

function deleteScore(ctx: RouteContext) {
  const now = new Date();
  const removed = inTransaction(ctx.repo.db, () => {
    const record = ctx.repo.deleteScore(ctx.params.scoreId as string);
    if (record) ctx.repo.appendChange('score', record.id, record.traceId, now.getTime());
    if (record?.traceId) touchTrace(ctx, record.traceId, now);
    return record;
  });
  if (!removed) throw notFound(`Score ${ctx.params.scoreId}`);
  ctx.hub.notify();
  return ok({ message: 'Score deleted successfully' }, 202);
}

function paging(ctx: RouteContext) {
  const page = ctx.query.int('page', 1, 1, Number.MAX_SAFE_INTEGER);
  const limit = ctx.query.int('limit', 50, 1, 100);
  return { page, limit, offset: (page - 1) * limit };
}

function listScoreConfigs(ctx: RouteContext) {
  const { page, limit, offset } = paging(ctx);
  const { items, total } = ctx.repo.listJson<ScoreConfig>('score_configs', limit, offset);
  return ok({ data: items, meta: pageMeta(page, limit, total) });
}

function getScoreConfig(ctx: RouteContext) {
  const config = ctx.repo.getJson<ScoreConfig>('score_configs', ctx.params.configId as string);
  if (!config) throw notFound(`Score config ${ctx.params.configId}`);
  return ok(config);
}

function parseCategories(raw: unknown): ScoreCategory[] | null {
  if (raw === undefined || raw === null) return null;
  if (!Array.isArray(raw)) throw badRequest('categories must be an array');
  return raw.map((item: unknown) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw badRequest('each category must be an object with a string label and a numeric value');
    }
    const category = item as Partial<ScoreCategory>;
    if (typeof category.label !== 'string' || typeof category.value !== 'number' || !Number.isFinite(category.value)) {
      throw badRequest('each category needs a string label and a numeric value');
    }
    return { label: category.label, value: category.value };
  });
}

function configFields(body: Record<string, unknown>, dataType: ScoreConfig['dataType']) {
  const categories = parseCategories(body.categories);
  if (dataType === 'CATEGORICAL' && (!categories || categories.length === 0)) {
    throw badRequest('CATEGORICAL score configs need categories');
  }
  const minValue = body.minValue;
  const maxValue = body.maxValue;
  for (const [key, value] of [['minValue', minValue], ['maxValue', maxValue]] as const) {
    if (value !== undefined && value !== null && (typeof value !== 'number' || !Number.isFinite(value))) {
      throw badRequest(`${key} must be a number`);
    }
  }
  if (typeof minValue === 'number' && typeof maxValue === 'number' && minValue > maxValue) {
    throw badRequest('minValue must not exceed maxValue');
  }
  return {
    categories:
      dataType === 'BOOLEAN'
        ? [
            { label: 'True', value: 1 },
            { label: 'False', value: 0 },
          ]
        : categories,
    minValue: typeof minValue === 'number' ? minValue : null,
    maxValue: typeof maxValue === 'number' ? maxValue : null,
  };
}

async function postScoreConfig(ctx: RouteContext) {
  const payload = await readJson(ctx.req);
  const body = validated(() => asBody(payload, 'body'));
  const name = body.name;
  if (typeof name !== 'string' || name.length === 0 || name.length > 35) {
    throw badRequest('name must be a string of 1 to 35 characters');
  }
  const dataType = body.dataType;
  if (dataType !== 'NUMERIC' && dataType !== 'BOOLEAN' && dataType !== 'CATEGORICAL' && dataType !== 'TEXT') {
    throw badRequest('dataType must be one of NUMERIC, BOOLEAN, CATEGORICAL, TEXT');
  }
  const now = new Date().toISOString();
  const config: ScoreConfig = {
    id: randomUUID(),
    name,
    projectId: PROJECT_ID,
    dataType,
    isArchived: false,
    ...configFields(body, dataType),
    description: typeof body.description === 'string' ? body.description : null,
    createdAt: now,
    updatedAt: now,
  };
  ctx.repo.putScoreConfig(config);
  return ok(config);
}

async function patchScoreConfig(ctx: RouteContext) {
  const existing = ctx.repo.getJson<ScoreConfig>('score_configs', ctx.params.configId as string);
  if (!existing) throw notFound(`Score config ${ctx.params.configId}`);
  const payload = await readJson(ctx.req);
  const body = validated(() => asBody(payload, 'body'));
  // Every field given is checked as POST checks it; nothing bad is silently ignored.
  if ('name' in body && (typeof body.name !== 'string' || body.name.length === 0 || body.name.length > 35)) {
    throw badRequest('name must be a string of 1 to 35 characters');
  }
  if ('isArchived' in body && typeof body.isArchived !== 'boolean') throw badRequest('isArchived must be a boolean');
  if ('description' in body && body.description !== null && typeof body.description !== 'string') {
    throw badRequest('description must be a string or null');
  }
  if ('dataType' in body && body.dataType !== existing.dataType) {
    throw badRequest(`dataType cannot be changed (it is ${existing.dataType})`);
  }
  const merged: ScoreConfig = { ...existing };
  if (typeof body.isArchived === 'boolean') merged.isArchived = body.isArchived;
  if (typeof body.name === 'string') merged.name = body.name;
  if ('description' in body) merged.description = (body.description as string | null) ?? null;
  if ('categories' in body || 'minValue' in body || 'maxValue' in body) {
    Object.assign(merged, configFields({ ...existing, ...body }, existing.dataType));
  }
  merged.updatedAt = new Date().toISOString();
  ctx.repo.putScoreConfig(merged);
  return ok(merged);
}

function listQueues(ctx: RouteContext) {
  const { page, limit, offset } = paging(ctx);
  const { items, total } = ctx.repo.listJson<AnnotationQueue>('annotation_queues', limit, offset);
  return ok({ data: items, meta: pageMeta(page, limit, total) });
}

function requireQueue(ctx: RouteContext): AnnotationQueue {
  const queue = ctx.repo.getJson<AnnotationQueue>('annotation_queues', ctx.params.queueId as string);
  if (!queue) throw notFound(`Annotation queue ${ctx.params.queueId}`);
  return queue;
}

async function createQueue(ctx: RouteContext) {
  const payload = await readJson(ctx.req);
  const body = validated(() => asBody(payload, 'body'));
  if (typeof body.name !== 'string' || body.name.length === 0) throw badRequest('name is required');
  const configIds = body.scoreConfigIds;
  if (!Array.isArray(configIds) || configIds.length === 0 || configIds.some((id) => typeof id !== 'string')) {
    throw badRequest('scoreConfigIds must be a non-empty array of ids');
  }
  for (const id of configIds as string[]) {
    if (!ctx.repo.getJson('score_configs', id)) throw badRequest(`score config ${id} not found`);
  }
  const now = new Date().toISOString();
  const queue: AnnotationQueue = {
    id: randomUUID(),
    name: body.name,
    description: typeof body.description === 'string' ? body.description : null,
    scoreConfigIds: configIds as string[],
    createdAt: now,
    updatedAt: now,
  };
  ctx.repo.putQueue(queue);
  return ok(queue);
}

function listQueueItems(ctx: RouteContext) {
  const queue = requireQueue(ctx);
  const { page, limit, offset } = paging(ctx);
  for (const key of ctx.url.searchParams.keys()) {
    if (!['status', 'page', 'limit'].includes(key)) throw badRequest(`unknown query parameter ${key}`);
  }
  const status = ctx.query.oneOf('status', ['PENDING', 'COMPLETED'] as const);
  const { items, total } = ctx.repo.listQueueItems(queue.id, status, limit, offset);
  return ok({ data: items, meta: pageMeta(page, limit, total) });
}

function requireItem(ctx: RouteContext, queueId: string): AnnotationQueueItem {
  const item = ctx.repo.getJson<AnnotationQueueItem>('annotation_queue_items', ctx.params.itemId as string);
  if (!item || item.queueId !== queueId) throw notFound(`Annotation queue item ${ctx.params.itemId}`);
  return item;
}

async function createQueueItem(ctx: RouteContext) {
  const queue = requireQueue(ctx);
  const payload = await readJson(ctx.req);
  const body = validated(() => asBody(payload, 'body'));
  if (typeof body.objectId !== 'string' || body.objectId.length === 0) throw badRequest('objectId is required');
  const objectType = body.objectType as AnnotationObjectType;
  if (!['TRACE', 'OBSERVATION', 'SESSION'].includes(objectType)) {
    throw badRequest('objectType must be TRACE, OBSERVATION or SESSION');
  }
  const status = (body.status ?? 'PENDING') as AnnotationItemStatus;
  if (status !== 'PENDING' && status !== 'COMPLETED') throw badRequest('status must be PENDING or COMPLETED');
  const now = new Date().toISOString();
  const item: AnnotationQueueItem = {
    id: randomUUID(),
    queueId: queue.id,
    objectId: body.objectId,
    objectType,
    status,
    completedAt: status === 'COMPLETED' ? now : null,
    createdAt: now,
    updatedAt: now,
  };
  ctx.repo.putQueueItem(item);
  return ok(item);
}

async function patchQueueItem(ctx: RouteContext) {
  const queue = requireQueue(ctx);
  const item = requireItem(ctx, queue.id);
  const payload = await readJson(ctx.req);
  const body = validated(() => asBody(payload, 'body'));
  const status = body.status;
  if (status !== undefined && status !== 'PENDING' && status !== 'COMPLETED') {
    throw badRequest('status must be PENDING or COMPLETED');
  }
  const now = new Date().toISOString();
  const updated: AnnotationQueueItem = {
    ...item,
    ...(status ? { status, completedAt: status === 'COMPLETED' ? (item.completedAt ?? now) : null } : {}),
    updatedAt: now,
  };
  ctx.repo.putQueueItem(updated);
  return ok(updated);
}

function deleteQueueItem(ctx: RouteContext) {
  const queue = requireQueue(ctx);
  const item = requireItem(ctx, queue.id);
  ctx.repo.deleteQueueItem(item.id);
  return ok({ success: true, message: 'Item removed from queue' });
}

export const writeRoutes: Route[] = [
  { method: 'POST', path: '/api/public/ingestion', handler: ingest },
  { method: 'POST', path: '/api/public/scores', handler: createScore },
  { method: 'DELETE', path: '/api/public/scores/:scoreId', handler: deleteScore },
  { method: 'GET', path: '/api/public/score-configs', handler: listScoreConfigs },
  { method: 'POST', path: '/api/public/score-configs', handler: postScoreConfig },
  { method: 'GET', path: '/api/public/score-configs/:configId', handler: getScoreConfig },
  { method: 'PATCH', path: '/api/public/score-configs/:configId', handler: patchScoreConfig },
  { method: 'GET', path: '/api/public/annotation-queues', handler: listQueues },
  { method: 'POST', path: '/api/public/annotation-queues', handler: createQueue },
  { method: 'GET', path: '/api/public/annotation-queues/:queueId', handler: (ctx) => ok(requireQueue(ctx)) },
  { method: 'GET', path: '/api/public/annotation-queues/:queueId/items', handler: listQueueItems },
  { method: 'POST', path: '/api/public/annotation-queues/:queueId/items', handler: createQueueItem },
  {
    method: 'GET',
    path: '/api/public/annotation-queues/:queueId/items/:itemId',
    handler: (ctx) => ok(requireItem(ctx, requireQueue(ctx).id)),
  },
  { method: 'PATCH', path: '/api/public/annotation-queues/:queueId/items/:itemId', handler: patchQueueItem },
  { method: 'DELETE', path: '/api/public/annotation-queues/:queueId/items/:itemId', handler: deleteQueueItem },
];
