// Datasets, dataset items, dataset runs and run items (Langfuse's v1/v2 dataset API), the v4
// experiments reads, and GET /projects (the v5 experiment runner asks for it). What Langfuse
// answers in each mode: `--read-api v2` plays a v4 server in events_only mode (run reads 404
// before auth, POST /dataset-run-items writes nothing and answers a stable run id); `v1` plays
// v3.225.4 (no experiments API); `both` serves everything.

import { randomUUID } from 'node:crypto';
import { HttpError, notFound, pageMeta, readJson } from '../http.js';
import { ApiQuery, invalidRequestData } from '../filter/params.js';
import { asBody, assertDepth, assertWellFormed, checkId, ValidationError } from '../ingest/normalize.js';
import { inTransaction } from '../db.js';
import { PROJECT_ID } from '../views.js';
import {
  DatasetStore,
  stableRunId,
  type ApiDataset,
  type ApiDatasetItem,
  type ApiDatasetRun,
  type ApiDatasetRunItem,
  type DatasetStatus,
} from '../datasets/repository.js';
import { experimentRoutes } from './experiments.js';
import { ok, type ReadApi, type Reply, type Route, type RouteContext } from './context.js';

type Body = Record<string, unknown>;

/** A failed body or query parse, as Zod reports it: 400 `{message:"Invalid request data", error:[issue]}`. */
const invalid = (path: string[], message: string, code = 'custom', extra: Record<string, unknown> = {}): HttpError =>
  invalidRequestData([{ code, ...extra, path, message }]);
const typeIssue = (key: string, expected: string, value: unknown): HttpError =>
  invalid([key], `Invalid input: expected ${expected}, received ${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value}`, 'invalid_type', { expected });

export const EVENTS_ONLY_MESSAGE =
  'This endpoint is not available on deployments running in Langfuse v4 events_only mode. Learn more about Langfuse v4 at: https://langfuse.com/docs/v4';

const store = (ctx: RouteContext) => DatasetStore.of(ctx.repo.db);

async function body(ctx: RouteContext): Promise<Body> {
  const payload = await readJson(ctx.req);
  try {
    const parsed = asBody(payload, 'body');
    assertDepth(parsed, 'body');
    return parsed;
  } catch (error) {
    if (error instanceof ValidationError) throw invalid([], error.message);
    throw error;
  }
}

const query = (ctx: RouteContext) => new ApiQuery(ctx.url.searchParams);

function paging(ctx: RouteContext) {
  const page = query(ctx).page();
  const limit = query(ctx).limit();
  return { page, limit, offset: (page - 1) * limit };
}

/** Langfuse decodes dataset-name path parameters a second time (`queryStringZod`). */
function decodedAgain(value: string, what: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw invalid(['name'], `${what} is not valid percent-encoding`);
  }
}

// zod's z.string(): a string, nothing coerced.
function requiredString(input: Body, key: string): string {
  const value = input[key];
  if (typeof value !== 'string') throw typeIssue(key, 'string', value);
  return wellFormed(value, key);
}

/** Names and ids are looked up by equality: a lone surrogate (stored as U+FFFD) would never match. */
function wellFormed(value: string, key: string): string {
  try {
    return assertWellFormed(value, key);
  } catch (error) {
    throw invalid([key], (error as Error).message);
  }
}

function nullishString(input: Body, key: string): string | null | undefined {
  const value = input[key];
  if (value === undefined || value === null) return value as null | undefined;
  if (typeof value !== 'string') throw typeIssue(key, 'string', value);
  return wellFormed(value, key);
}

function nullishId(input: Body, key: string): string | null | undefined {
  const value = nullishString(input, key);
  if (typeof value !== 'string') return value;
  if (value.length < 1) throw invalid([key], 'ID must not be empty', 'too_small', { origin: 'string', minimum: 1 });
  if (value.length > 255) throw invalid([key], 'ID must be at most 255 characters', 'too_big', { origin: 'string', maximum: 255 });
  try {
    return checkId(value, key);
  } catch (error) {
    throw invalid([key], (error as Error).message);
  }
}

/** A JSON Schema (inputSchema / expectedOutputSchema): an object, or null/absent. */
function nullishSchema(input: Body, key: string): unknown {
  const value = input[key];
  if (value === undefined || value === null) return value;
  if (typeof value !== 'object' || Array.isArray(value)) throw typeIssue(key, 'object (a JSON Schema)', value);
  return value;
}

/** `z.coerce.date()`: anything Date parses; returns epoch ms. */
function coercedDate(raw: unknown, key: string): number | null {
  if (raw === undefined || raw === null || raw === '') return null;
  const ms = typeof raw === 'number' ? raw : typeof raw === 'string' ? Date.parse(raw) : Number.NaN;
  if (!Number.isFinite(ms)) throw invalid([key], 'Invalid input: expected date, received Date', 'invalid_type', { expected: 'date', received: 'Invalid Date' });
  return ms;
}

// ---- datasets ---------------------------------------------------------------------------

async function upsertDataset(ctx: RouteContext): Promise<ApiDataset> {
  const input = await body(ctx);
  const name = requiredString(input, 'name');
  const description = nullishString(input, 'description');
  const metadata = input.metadata;
  const inputSchema = nullishSchema(input, 'inputSchema');
  const expectedOutputSchema = nullishSchema(input, 'expectedOutputSchema');
  const datasets = store(ctx);
  const now = new Date().toISOString();
  const existing = datasets.datasetByName(name);
  const dataset: ApiDataset = existing
    ? {
        ...existing,
        description: description ?? existing.description,
        metadata: metadata ?? existing.metadata,
        inputSchema: inputSchema ?? existing.inputSchema,
        expectedOutputSchema: expectedOutputSchema ?? existing.expectedOutputSchema,
        updatedAt: now,
      }
    : {
        id: randomUUID(),
        projectId: PROJECT_ID,
        name,
        description: description ?? null,
        metadata: metadata ?? null,
        inputSchema: inputSchema ?? null,
        expectedOutputSchema: expectedOutputSchema ?? null,
        createdAt: now,
        updatedAt: now,
      };
  datasets.putDataset(dataset);
  return dataset;
}

function requireDataset(ctx: RouteContext, name: string): ApiDataset {
  const dataset = store(ctx).datasetByName(name);
  if (!dataset) throw notFound('Dataset');
  return dataset;
}

function listDatasetsV2(ctx: RouteContext) {
  const { page, limit, offset } = paging(ctx);
  const { items, total } = store(ctx).listDatasets(limit, offset);
  return ok({ data: items, meta: pageMeta(page, limit, total) });
}

function allActiveItems(ctx: RouteContext, datasetId: string): ApiDatasetItem[] {
  return store(ctx).listItems({ datasetId, sourceTraceId: null, sourceObservationId: null, versionMs: null }, Number.MAX_SAFE_INTEGER, 0).items;
}

function runNames(ctx: RouteContext, datasetId: string): string[] {
  return store(ctx).listRuns(datasetId, Number.MAX_SAFE_INTEGER, 0).items.map((run) => run.name);
}

function listDatasetsV1(ctx: RouteContext) {
  const { page, limit, offset } = paging(ctx);
  const { items, total } = store(ctx).listDatasets(limit, offset);
  return ok({
    data: items.map((dataset) => ({
      ...dataset,
      items: allActiveItems(ctx, dataset.id).map((item) => item.id),
      runs: runNames(ctx, dataset.id),
    })),
    meta: pageMeta(page, limit, total),
  });
}

function getDatasetV1(ctx: RouteContext) {
  const dataset = requireDataset(ctx, decodedAgain(ctx.params.name as string, 'the dataset name'));
  return ok({ ...dataset, items: allActiveItems(ctx, dataset.id), runs: runNames(ctx, dataset.id) });
}

// ---- dataset items ----------------------------------------------------------------------

async function upsertItem(ctx: RouteContext) {
  const input = await body(ctx);
  const datasetName = requiredString(input, 'datasetName');
  const id = nullishId(input, 'id');
  const sourceTraceId = nullishString(input, 'sourceTraceId');
  const sourceObservationId = nullishString(input, 'sourceObservationId');
  const status = input.status;
  if (status !== undefined && status !== null && status !== 'ACTIVE' && status !== 'ARCHIVED') {
    throw invalid(['status'], 'Invalid option: expected one of "ACTIVE"|"ARCHIVED"', 'invalid_value', { values: ['ACTIVE', 'ARCHIVED'] });
  }
  const datasets = store(ctx);
  const dataset = requireDataset(ctx, datasetName);
  const existing = id ? datasets.item(id) : null;
  if (existing && existing.datasetId !== dataset.id) {
    throw new HttpError(404, `The dataset item with id ${id} already exists in a dataset other than ${datasetName}`, 'LangfuseNotFoundError');
  }
  const now = Date.now();
  const nowIso = new Date(now).toISOString();
  // A null field is "not given" (`?? undefined` in Langfuse): an update keeps the old value.
  const given = (key: string) => (input[key] === undefined || input[key] === null ? undefined : input[key]);
  const item: ApiDatasetItem = existing
    ? {
        ...existing,
        input: given('input') ?? existing.input,
        expectedOutput: given('expectedOutput') ?? existing.expectedOutput,
        metadata: given('metadata') ?? existing.metadata,
        sourceTraceId: sourceTraceId ?? existing.sourceTraceId,
        sourceObservationId: sourceObservationId ?? existing.sourceObservationId,
        status: (status as DatasetStatus | null | undefined) ?? existing.status,
        updatedAt: nowIso,
      }
    : {
        id: id ?? randomUUID(),
        datasetId: dataset.id,
        datasetName: dataset.name,
        status: (status as DatasetStatus | null | undefined) ?? 'ACTIVE',
        input: given('input') ?? null,
        expectedOutput: given('expectedOutput') ?? null,
        metadata: given('metadata') ?? null,
        sourceTraceId: sourceTraceId ?? null,
        sourceObservationId: sourceObservationId ?? null,
        createdAt: nowIso,
        updatedAt: nowIso,
        mediaReferences: [],
      };
  inTransaction(ctx.repo.db, () => datasets.putItem(item, now));
  return ok(item);
}

function listItems(ctx: RouteContext) {
  const { page, limit, offset } = paging(ctx);
  const q = query(ctx);
  const datasetName = q.string('datasetName');
  const versionMs = coercedDate(q.string('version'), 'version');
  if (versionMs !== null && datasetName === null) throw invalid(['datasetName'], 'datasetName is required when version parameter is provided');
  const dataset = datasetName === null ? null : requireDataset(ctx, datasetName);
  const { items, total } = store(ctx).listItems(
    {
      datasetId: dataset?.id ?? null,
      sourceTraceId: q.string('sourceTraceId'),
      sourceObservationId: q.string('sourceObservationId'),
      versionMs,
    },
    limit,
    offset,
  );
  return ok({ data: items, meta: pageMeta(page, limit, total) });
}

function requireItem(ctx: RouteContext): ApiDatasetItem {
  const item = store(ctx).item(ctx.params.itemId as string);
  if (!item) throw notFound('Dataset item');
  return item;
}

function deleteItem(ctx: RouteContext) {
  const datasets = store(ctx);
  const item = datasets.item(ctx.params.itemId as string);
  if (!item) {
    throw new HttpError(404, `Dataset item with id ${ctx.params.itemId} not found for project ${PROJECT_ID}`, 'LangfuseNotFoundError');
  }
  inTransaction(ctx.repo.db, () => datasets.deleteItem(item, Date.now()));
  return ok({ message: 'Dataset item successfully deleted' });
}

// ---- runs -------------------------------------------------------------------------------

function requireRun(ctx: RouteContext): { dataset: ApiDataset; run: ApiDatasetRun } {
  const dataset = requireDataset(ctx, decodedAgain(ctx.params.name as string, 'the dataset name'));
  const run = store(ctx).run(dataset.id, decodedAgain(ctx.params.runName as string, 'the run name'));
  if (!run) throw notFound('Dataset run');
  return { dataset, run };
}

function listRuns(ctx: RouteContext) {
  const dataset = requireDataset(ctx, decodedAgain(ctx.params.name as string, 'the dataset name'));
  const { page, limit, offset } = paging(ctx);
  const { items, total } = store(ctx).listRuns(dataset.id, limit, offset);
  return ok({ data: items, meta: pageMeta(page, limit, total) });
}

function getRun(ctx: RouteContext) {
  const { run } = requireRun(ctx);
  const { items } = store(ctx).listRunItems(run.id, Number.MAX_SAFE_INTEGER, 0);
  return ok({ ...run, datasetRunItems: items });
}

function deleteRun(ctx: RouteContext) {
  const { run } = requireRun(ctx);
  inTransaction(ctx.repo.db, () => store(ctx).deleteRun(run));
  return ok({ message: 'Dataset run successfully deleted' });
}

// ---- run items --------------------------------------------------------------------------

const RUN_ITEM_KEYS = new Set(['runName', 'runDescription', 'metadata', 'datasetItemId', 'observationId', 'traceId', 'datasetVersion', 'createdAt']);

function runItemBody(input: Body) {
  // The body schema is `.strict()`: an unknown key is a 400 (zod's unrecognized_keys).
  const unknown = Object.keys(input).filter((key) => !RUN_ITEM_KEYS.has(key));
  if (unknown.length > 0) {
    throw invalidRequestData([
      { code: 'unrecognized_keys', keys: unknown, path: [], message: `Unrecognized key${unknown.length > 1 ? 's' : ''}: ${unknown.map((key) => `"${key}"`).join(', ')}` },
    ]);
  }
  const runName = requiredString(input, 'runName');
  const datasetItemId = requiredString(input, 'datasetItemId');
  const traceId = nullishString(input, 'traceId');
  const observationId = nullishString(input, 'observationId');
  if (!traceId && !observationId) throw invalid(['observationId', 'traceId'], 'observationId or traceId must be provided');
  const createdAtRaw = nullishString(input, 'createdAt');
  let createdAt: string | null = null;
  if (createdAtRaw) {
    const ms = Date.parse(createdAtRaw);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(createdAtRaw) || !Number.isFinite(ms)) throw invalid(['createdAt'], 'Invalid ISO datetime', 'invalid_format', { format: 'datetime' });
    createdAt = new Date(ms).toISOString();
  }
  return {
    runName,
    runDescription: nullishString(input, 'runDescription'),
    metadata: input.metadata,
    datasetItemId,
    traceId: traceId || null,
    observationId: observationId || null,
    datasetVersionMs: coercedDate(input.datasetVersion, 'datasetVersion'),
    createdAt,
  };
}

function activeItemAt(ctx: RouteContext, id: string, versionMs: number | null): ApiDatasetItem {
  const item = store(ctx).itemAt(id, versionMs);
  if (!item || item.status !== 'ACTIVE') throw notFound('Dataset item');
  return item;
}

async function createRunItem(ctx: RouteContext, readApi: ReadApi): Promise<Reply> {
  const request = runItemBody(await body(ctx));
  const item = activeItemAt(ctx, request.datasetItemId, request.datasetVersionMs);
  const createdAt = request.createdAt ?? new Date().toISOString();
  if (readApi === 'v2') {
    // events_only: nothing is written; the run id is stable for (project, dataset, run name).
    return ok({
      id: randomUUID(),
      datasetRunId: stableRunId(item.datasetId, request.runName),
      datasetRunName: request.runName,
      datasetItemId: item.id,
      traceId: request.traceId ?? '',
      observationId: request.observationId,
      createdAt,
      updatedAt: createdAt,
    } satisfies ApiDatasetRunItem);
  }
  let traceId = request.traceId;
  if (!traceId && request.observationId) {
    const observation = ctx.repo.getObservation(request.observationId);
    if (!observation) throw notFound('Observation');
    traceId = observation.traceId;
  }
  if (!traceId) throw notFound('Trace');
  const datasets = store(ctx);
  const dataset = datasets.datasetById(item.datasetId);
  if (!dataset) throw notFound('Dataset');
  const metadata = {
    ...(request.metadata && typeof request.metadata === 'object' && !Array.isArray(request.metadata) ? (request.metadata as Body) : {}),
    ...(request.datasetVersionMs !== null ? { dataset_version: new Date(request.datasetVersionMs).toISOString() } : {}),
  };
  const now = Date.now();
  const runItem = inTransaction(ctx.repo.db, () => {
    const run = datasets.createOrFetchRun(dataset, request.runName, request.runDescription, Object.keys(metadata).length ? metadata : undefined, createdAt);
    const created: ApiDatasetRunItem = {
      id: datasets.newRunItemId(),
      datasetRunId: run.id,
      datasetRunName: run.name,
      datasetItemId: item.id,
      traceId: traceId!,
      observationId: request.observationId,
      createdAt,
      updatedAt: createdAt,
    };
    datasets.putRunItem(created);
    ctx.repo.appendChange('dataset-run-item', created.id, created.traceId, now);
    return created;
  });
  ctx.hub.notify();
  return ok(runItem);
}

function listRunItems(ctx: RouteContext) {
  const q = query(ctx);
  const datasetId = q.string('datasetId');
  const runName = q.string('runName');
  if (datasetId === null) throw typeIssue('datasetId', 'string', undefined);
  if (runName === null) throw typeIssue('runName', 'string', undefined);
  const { page, limit, offset } = paging(ctx);
  const datasets = store(ctx);
  const run = datasets.run(datasetId, runName);
  if (!run) throw new HttpError(404, 'Dataset run not found for the given project and dataset id', 'LangfuseNotFoundError');
  const { items, total } = datasets.listRunItems(run.id, limit, offset);
  return ok({ data: items, meta: pageMeta(page, limit, total) });
}

// ---- projects ---------------------------------------------------------------------------

const listProjects = () => ok({ data: [{ id: PROJECT_ID, name: 'tracetop', organization: { id: 'tracetop', name: 'tracetop' }, metadata: {} }] });

// ---- the table --------------------------------------------------------------------------

/** The events_only gate: answered before auth, so a request without keys gets it too. */
const eventsOnly = (method: Route['method'], path: string): Route => ({
  method,
  path,
  public: true,
  handler: () => ({ status: 404, body: { message: EVENTS_ONLY_MESSAGE } }),
});

export function datasetRoutes(readApi: ReadApi): Route[] {
  const legacyRead = (method: Route['method'], path: string, handler: Route['handler']): Route =>
    readApi === 'v2' ? eventsOnly(method, path) : { method, path, handler };
  return [
    { method: 'POST', path: '/api/public/v2/datasets', handler: async (ctx) => ok(await upsertDataset(ctx)) },
    { method: 'GET', path: '/api/public/v2/datasets', handler: listDatasetsV2 },
    {
      method: 'GET',
      path: '/api/public/v2/datasets/:name',
      handler: (ctx) => ok(requireDataset(ctx, decodedAgain(ctx.params.name as string, 'the dataset name'))),
    },
    { method: 'POST', path: '/api/public/datasets', handler: async (ctx) => ok({ ...(await upsertDataset(ctx)), items: [], runs: [] }) },
    { method: 'GET', path: '/api/public/datasets', handler: listDatasetsV1 },
    { method: 'GET', path: '/api/public/datasets/:name', handler: getDatasetV1 },
    legacyRead('GET', '/api/public/datasets/:name/runs', listRuns),
    legacyRead('GET', '/api/public/datasets/:name/runs/:runName', getRun),
    legacyRead('DELETE', '/api/public/datasets/:name/runs/:runName', deleteRun),
    { method: 'POST', path: '/api/public/dataset-items', handler: upsertItem },
    { method: 'GET', path: '/api/public/dataset-items', handler: listItems },
    { method: 'GET', path: '/api/public/dataset-items/:itemId', handler: (ctx) => ok(requireItem(ctx)) },
    { method: 'DELETE', path: '/api/public/dataset-items/:itemId', handler: deleteItem },
    { method: 'POST', path: '/api/public/dataset-run-items', handler: (ctx) => createRunItem(ctx, readApi) },
    legacyRead('GET', '/api/public/dataset-run-items', listRunItems),
    ...experimentRoutes(readApi),
    { method: 'GET', path: '/api/public/projects', handler: listProjects },
  ];
}
