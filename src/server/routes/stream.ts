// GET /api/public/stream: tracetop's own live endpoint (stock Langfuse has none).

import { badRequest } from '../http.js';
import type { StreamKind } from '../stream-hub.js';
import type { Route, RouteContext } from './context.js';

const KINDS: StreamKind[] = ['trace', 'observation', 'score'];

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

export const streamRoutes: Route[] = [{ method: 'GET', path: '/api/public/stream', handler: openStream }];
