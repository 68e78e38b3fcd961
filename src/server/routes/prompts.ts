// Langfuse's prompt registry endpoints (served in every read generation; Langfuse does not
// gate them): create a version, list, get by version or label, add labels to a version, delete.

import { HttpError, badRequest, pageMeta, readJson } from '../http.js';
import { PRODUCTION_LABEL, PromptConflictError, PromptStore } from '../prompts/store.js';
import { parseCreatePrompt } from '../prompts/validate.js';
import type { Database } from '../db.js';
import { ok, type Route, type RouteContext } from './context.js';

const stores = new WeakMap<Database, PromptStore>();
const storeOf = (ctx: RouteContext): PromptStore => {
  let store = stores.get(ctx.repo.db);
  if (!store) stores.set(ctx.repo.db, (store = new PromptStore(ctx.repo.db)));
  return store;
};

/** A query value given twice arrives as an array in Next.js: a plain-string parameter 400s. */
function single(ctx: RouteContext, name: string): string | undefined {
  const values = ctx.url.searchParams.getAll(name);
  if (values.length > 1) throw badRequest(`${name} must be given once`);
  return values[0] === undefined || values[0] === '' ? undefined : values[0];
}

function intParam(ctx: RouteContext, name: string): number | undefined {
  const raw = single(ctx, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value)) throw badRequest(`${name} must be an integer`);
  return value;
}

async function createPrompt(ctx: RouteContext) {
  const parsed = parseCreatePrompt(await readJson(ctx.req));
  if (!parsed.ok) throw new HttpError(400, 'Invalid request data', parsed.issues);
  try {
    return ok(storeOf(ctx).create(parsed.prompt), 201);
  } catch (error) {
    if (error instanceof PromptConflictError) throw new HttpError(400, error.message, 'InvalidRequestError');
    throw error;
  }
}

function listPrompts(ctx: RouteContext) {
  const page = ctx.query.int('page', 1, 1, Number.MAX_SAFE_INTEGER);
  const limit = ctx.query.int('limit', 10, 1, 100);
  const { items, total } = storeOf(ctx).list(
    {
      name: single(ctx, 'name'),
      label: single(ctx, 'label'),
      tag: single(ctx, 'tag'),
      version: intParam(ctx, 'version'),
      fromUpdatedMs: ctx.query.datetime('fromUpdatedAt') ?? undefined,
      toUpdatedMs: ctx.query.datetime('toUpdatedAt') ?? undefined,
    },
    page,
    limit,
  );
  const meta = pageMeta(page, limit, total);
  return ok({ data: items, meta, pagination: meta });
}

function getPrompt(ctx: RouteContext) {
  const name = ctx.params.name!;
  const version = intParam(ctx, 'version');
  const label = single(ctx, 'label');
  if (version !== undefined && label !== undefined) throw badRequest('Cannot specify both version and label');
  const prompt = storeOf(ctx).get(name, version !== undefined ? { version } : { label: label ?? PRODUCTION_LABEL });
  if (!prompt) {
    const which = version !== undefined ? `with version ${version}` : `with label '${label ?? PRODUCTION_LABEL}'`;
    throw new HttpError(404, `Prompt not found: '${name}' ${which}`, 'LangfuseNotFoundError');
  }
  return ok(prompt);
}

async function updateVersion(ctx: RouteContext) {
  const body = await readJson(ctx.req);
  const newLabels = (body as { newLabels?: unknown } | null)?.newLabels;
  if (!Array.isArray(newLabels) || newLabels.some((label) => typeof label !== 'string')) {
    throw new HttpError(400, 'Invalid request data', [{ code: 'invalid_type', path: ['newLabels'], message: 'Invalid input: expected array of strings' }]);
  }
  const version = Number(ctx.params.version);
  const name = ctx.params.name!;
  const updated = Number.isInteger(version) ? storeOf(ctx).addLabels(name, version, newLabels as string[]) : null;
  if (!updated) return ok({ message: `Prompt not found: ${name}` }, 404);
  return ok(updated);
}

function deletePrompt(ctx: RouteContext) {
  const version = intParam(ctx, 'version');
  const label = single(ctx, 'label');
  if (version !== undefined && label !== undefined) throw new HttpError(400, 'Cannot specify both version and label', 'InvalidRequestError');
  const deleted = storeOf(ctx).delete(ctx.params.name!, { version, label });
  if (deleted === 0) throw new HttpError(404, 'Prompt not found', 'LangfuseNotFoundError');
  ctx.res.writeHead(204).end();
  return undefined;
}

export const promptRoutes: Route[] = [
  { method: 'POST', path: '/api/public/v2/prompts', handler: createPrompt },
  { method: 'GET', path: '/api/public/v2/prompts', handler: listPrompts },
  { method: 'GET', path: '/api/public/v2/prompts/:name', handler: getPrompt },
  { method: 'DELETE', path: '/api/public/v2/prompts/:name', handler: deletePrompt },
  { method: 'PATCH', path: '/api/public/v2/prompts/:name/versions/:version', handler: updateVersion },
];
