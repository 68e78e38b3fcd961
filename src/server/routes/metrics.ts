// GET /metrics (v1: served by Langfuse v3, 404 in v4 events_only) and GET /v2/metrics (v4 /
// Cloud): Langfuse's metrics API, the query object in `?query=`, compiled to SQL.

import { HttpError } from '../http.js';
import { parseMetricsQuery, type ApiVersion } from '../metrics/query.js';
import { runMetricsQuery } from '../metrics/run.js';
import { ok, type Route, type RouteContext } from './context.js';

function handler(version: ApiVersion) {
  return (ctx: RouteContext) => {
    const values = ctx.url.searchParams.getAll('query');
    if (values.length > 1) throw new HttpError(400, 'Invalid request data', [{ code: 'invalid_type', path: ['query'], message: 'Invalid input: expected string, received array' }]);
    const query = parseMetricsQuery(values[0] ?? null, version);
    return ok({ data: runMetricsQuery(ctx.repo.db, query) });
  };
}

export const metricsRoutes: Route[] = [
  { method: 'GET', path: '/api/public/metrics', handler: handler('v1'), generation: 'v1' },
  {
    method: 'GET',
    path: '/api/public/v2/metrics',
    handler: handler('v2'),
    generation: 'v2',
    v4OnlyMessage: 'The v2 metrics API is only available in a Langfuse v4 write mode with the preview opt-in enabled.',
  },
];
