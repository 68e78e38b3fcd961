// POST /api/public/otel/v1/traces: OTLP/HTTP (JSON from @langfuse/otel, protobuf from the
// Python SDK), mapped to ingestion events and applied like a batch.

import { HttpError, readBody } from '../http.js';
import { applyIngestionBatch } from '../ingest/apply.js';
import { decodeOtlpRequest, mapOtlpToIngestion } from '../otlp/index.js';
import { MAX_DECOMPRESSED_BYTES } from '../http.js';
import { ok, type Route, type RouteContext } from './context.js';

async function exportTraces(ctx: RouteContext) {
  const ingestionVersion = Number(ctx.req.headers['x-langfuse-ingestion-version'] ?? 0);
  if (ingestionVersion > 4) throw new HttpError(400, 'Unsupported ingestion version', `x-langfuse-ingestion-version ${ingestionVersion}`);
  // readBody inflates gzip with a cap; the decoder sees plain bytes.
  const body = await readBody(ctx.req);
  const decoded = decodeOtlpRequest(body, ctx.req.headers['content-type'], undefined, {
    maxDecompressedBytes: MAX_DECOMPRESSED_BYTES,
  });
  if (!decoded.ok) throw new HttpError(decoded.status, decoded.message, decoded.message);
  const { events, errors } = mapOtlpToIngestion(decoded.request, new Date());
  if (errors.length > 0 && events.length === 0) {
    throw new HttpError(400, `Invalid OTLP trace export: ${errors.join('; ')}`, `Invalid OTLP trace export: ${errors.join('; ')}`);
  }
  if (events.length > 0) {
    const { changed } = applyIngestionBatch(ctx.repo, events);
    if (changed) ctx.hub.notify();
  }
  return ok({});
}

export const otelRoutes: Route[] = [{ method: 'POST', path: '/api/public/otel/v1/traces', handler: exportTraces }];
