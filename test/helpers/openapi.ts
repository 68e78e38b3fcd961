// Validates response bodies against the component schemas of Langfuse's OpenAPI spec
// (test/fixtures/openapi/langfuse-openapi.yml, a copy; see its README): the contract our server
// answers to.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';

/** The specs in test/fixtures/openapi: the current one, and the last v3 self-hosted release's. */
export type SpecVersion = 'current' | 'v3.225.4';
const SPEC_FILES: Record<SpecVersion, string> = { current: 'langfuse-openapi.yml', 'v3.225.4': 'langfuse-openapi-v3.225.4.yml' };
const specPath = (version: SpecVersion) => fileURLToPath(new URL(`../fixtures/openapi/${SPEC_FILES[version]}`, import.meta.url));

const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;

const compilers = new Map<SpecVersion, Ajv>();

/** OpenAPI 3.0's `nullable` → JSON Schema: a null is allowed alongside the declared shape. */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (typeof node !== 'object' || node === null) return node;
  const source = node as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    // `properties` maps names to schemas; a property may be called "nullable" or "type".
    out[key] = key === 'properties' && typeof value === 'object' && value !== null
      ? Object.fromEntries(Object.entries(value).map(([name, schema]) => [name, toJsonSchema(schema)]))
      : toJsonSchema(value);
  }
  if (out.nullable !== true) {
    delete out.nullable;
    return out;
  }
  delete out.nullable;
  if (typeof out.type === 'string') {
    out.type = [out.type, 'null'];
    if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
    return out;
  }
  if (out.$ref || out.allOf || out.oneOf || out.anyOf) return { anyOf: [out, { type: 'null' }] };
  return out;
}
const validators = new Map<string, ValidateFunction>();

function compiler(version: SpecVersion): Ajv {
  const cached = compilers.get(version);
  if (cached) return cached;
  const spec = parse(readFileSync(specPath(version), 'utf8'), { maxAliasCount: -1 }) as { components: { schemas: Record<string, unknown> } };
  // OpenAPI 3.0 `nullable` is understood by Ajv; other OpenAPI keywords are ignored.
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  (addFormats as unknown as (instance: Ajv) => void)(ajv);
  ajv.addSchema({ $id: 'langfuse', components: toJsonSchema(spec.components) }, 'langfuse');
  compilers.set(version, ajv);
  return ajv;
}

export function assertMatchesSchema(schemaName: string, body: unknown, version: SpecVersion = 'current'): void {
  let validate = validators.get(`${version} ${schemaName}`);
  if (!validate) {
    validate = compiler(version).compile({ $ref: `langfuse#/components/schemas/${schemaName}` });
    validators.set(`${version} ${schemaName}`, validate);
  }
  if (!validate(body)) {
    const problems = (validate.errors ?? []).slice(0, 8).map((error) => `${error.instancePath || '/'} ${error.message} ${JSON.stringify(error.params)}`);
    throw new Error(`response does not match ${schemaName}:\n  ${problems.join('\n  ')}`);
  }
}
