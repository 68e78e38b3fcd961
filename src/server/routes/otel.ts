// POST /api/public/otel/v1/traces: OTLP/HTTP (JSON from @langfuse/otel, protobuf from the
// Python SDK), mapped to ingestion events and applied like a batch.

import { HttpError, readBody } from '../http.js';
import { ok, type Route, type RouteContext } from './context.js';

async function exportTraces(ctx: RouteContext) {
  const ingestionVersion = Number(ctx.req.headers['x-langfuse-ingestion-version'] ?? 0);
  if (ingestionVersion > 4) throw new HttpError(400, 'Unsupported ingestion version', `x-langfuse-ingestion-version ${ingestionVersion}`);
  // readBody inflates gzip with a cap; the write worker counts, decodes and stores (a JSON or
  // protobuf bomb is a 413 before it is parsed).
  const body = await readBody(ctx.req);
  const { status, body: reply, changed } = await ctx.writer.run({ kind: 'otlp', body, contentType: ctx.req.headers['content-type'] });
  if (changed) ctx.hub.notify();
  return ok(reply, status);
}

export const otelRoutes: Route[] = [{ method: 'POST', path: '/api/public/otel/v1/traces', handler: exportTraces }];
