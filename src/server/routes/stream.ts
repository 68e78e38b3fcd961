// GET /api/public/stream: tracetop's own live endpoint (stock Langfuse has none).

import { badRequest } from '../http.js';
import { traceSummary } from '../views.js';
import { withGenerationKeys } from '../metrics/generation-keys.js';
import { traceWhere } from './reads-v1.js';
import { ApiQuery } from '../filter/params.js';
import type { StreamKind } from '../stream-hub.js';
import type { Route, RouteContext } from './context.js';

const KINDS: StreamKind[] = ['trace', 'observation', 'score', 'dataset-run-item'];

function openStream(ctx: RouteContext) {
  const { query } = ctx;
  const header = ctx.req.headers['last-event-id'];
  const rawLastId = (Array.isArray(header) ? header[0] : header) ?? query.string('lastEventId');
  let lastEventId: number | null = null;
  if (rawLastId !== undefined && rawLastId !== null && rawLastId !== '') {
    lastEventId = Number(rawLastId);
    if (!Number.isSafeInteger(lastEventId) || lastEventId < 0) {
      throw badRequest('Last-Event-ID must be a non-negative integer from this stream');
    }
  }
  const requestedKinds = query.strings('kinds');
  for (const kind of requestedKinds) {
    if (!KINDS.includes(kind as StreamKind)) throw badRequest(`kinds must be a list of ${KINDS.join(', ')}`);
  }
  const fields = query.strings('fields');
  ctx.hub.attach(ctx.req, ctx.res, {
    lastEventId,
    // The database the client's Last-Event-ID came from (its hello's databaseId), if it knows.
    databaseId: query.string('databaseId'),
    kinds: new Set((requestedKinds.length ? requestedKinds : KINDS) as StreamKind[]),
    io: fields.includes('io'),
    filter: {
      userId: query.string('userId'),
      sessionId: query.string('sessionId'),
      name: query.string('name'),
      environments: query.strings('environment'),
      tags: query.repeated('tags'),
    },
  });
  return undefined;
}

type Row = Record<string, unknown>;

/**
 * GET /api/public/stream/traces: the newest trace summaries (with aggregates the Langfuse list
 * lacks: tokens, level counts, latest scores) — the history a live list starts from. Takes
 * the filters of GET /traces plus `limit` (≤ 1000).
 */
function recentSummaries(ctx: RouteContext) {
  const limit = ctx.query.int('limit', 100, 1, 1000);
  const { where, params } = traceWhere(new ApiQuery(ctx.url.searchParams));
  const ids = (
    ctx.repo.prepare(`SELECT t.id FROM traces t ${where} ORDER BY t.ts_ms DESC, t.id DESC LIMIT ?`).all(...params, limit) as Row[]
  ).map((row) => String(row.id));
  const stored = ctx.repo.getTraces(ids);
  const scores = ctx.repo.scoresOfTraces(ids);
  const io = ctx.query.strings('fields').includes('io');
  return {
    status: 200,
    body: { data: ids.flatMap((id) => (stored.has(id) ? [withGenerationKeys(ctx.repo.db, traceSummary(stored.get(id)!, scores.get(id) ?? [], { io }))] : [])) },
  };
}

export const streamRoutes: Route[] = [
  { method: 'GET', path: '/api/public/stream', handler: openStream },
  { method: 'GET', path: '/api/public/stream/traces', handler: recentSummaries },
];
