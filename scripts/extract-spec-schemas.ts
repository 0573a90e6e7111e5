/**
 * Extracts the response schemas clerkd's tests validate against from Clerk's
 * official OpenAPI 3.0 spec and converts them to JSON Schema draft-07 (ajv).
 *
 *   npx tsx scripts/extract-spec-schemas.ts [path/to/2026-05-12.yml]
 *
 * Input defaults to ../shared/clerk-bapi/2026-05-12.yml (relative to the repo
 * root). Output: test/spec/clerk-bapi-schemas.json (checked in) plus a copy of
 * Clerk's MIT licence next to it. Tests never read the YAML; they only read the
 * generated JSON, so a fresh clone without ../shared still works.
 *
 * Conversion rules (OpenAPI 3.0 -> draft-07):
 *  - `$ref: '#/components/schemas/X'` -> `$ref: '#/definitions/X'`
 *  - `nullable: true` on a plain typed schema -> `type: [T, 'null']`
 *    (and `null` appended to `enum` if there is one)
 *  - `nullable: true` on a schema using `$ref` / `oneOf` / `anyOf` / `allOf`
 *    -> `anyOf: [<schema without nullable>, { type: 'null' }]`
 *  - `nullable: false` is dropped
 *  - every `oneOf` becomes `anyOf`: the verification unions rely on an OpenAPI
 *    `discriminator` on `object`, but `object` is not required in the variants
 *    and several variants are structurally identical otherwise, so plain
 *    `oneOf` rejects valid payloads when more than one variant matches.
 *    `additionalProperties: false` is kept, so misspelled keys still fail.
 *  - OpenAPI-only keywords are dropped: discriminator, example, examples,
 *    deprecated, externalDocs, xml, readOnly/writeOnly, x-*
 *  - `format` is kept only when ajv-formats knows it (int32/int64 are dropped:
 *    `type: integer` already says enough and Unix-ms timestamps are fine)
 */
import { readFileSync, writeFileSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { formatNames } from 'ajv-formats/dist/formats.js';

const ROOT_SCHEMAS = [
  'User',
  'EmailAddress',
  'PhoneNumber',
  'Web3Wallet',
  'Passkey',
  'ExternalAccountWithVerification',
  'SAMLAccount',
  'EnterpriseAccount',
  'DeletedObject',
  'TotalCount',
  'ClerkErrors',
  'ClerkError',
  'OAuthAccessToken',
  'OrganizationMembership',
  'OrganizationMemberships',
  'Organization',
] as const;

/** Formats ajv-formats implements, minus the numeric ones we deliberately drop. */
const DROPPED_FORMATS = new Set(['int32', 'int64']);
const KEPT_FORMATS = new Set<string>(formatNames.filter((f) => !DROPPED_FORMATS.has(f)));

const DROPPED_KEYWORDS = new Set([
  'discriminator',
  'example',
  'examples',
  'deprecated',
  'externalDocs',
  'xml',
  'readOnly',
  'writeOnly',
  'nullable',
]);

/** Keywords whose value is a single subschema. */
const SCHEMA_KEYWORDS = new Set(['not', 'additionalItems', 'contains', 'propertyNames', 'if', 'then', 'else']);
/** Keywords whose value is an array of subschemas. */
const SCHEMA_ARRAY_KEYWORDS = new Set(['allOf', 'anyOf', 'oneOf']);
/** Keywords whose value is a map name -> subschema. */
const SCHEMA_MAP_KEYWORDS = new Set(['properties', 'patternProperties', 'definitions', 'dependencies']);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const REF_PREFIX = '#/components/schemas/';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..');
const specPath = resolve(process.argv[2] ?? resolve(repoRoot, '../shared/clerk-bapi/2026-05-12.yml'));
const sharedDir = dirname(specPath);
const outDir = resolve(repoRoot, 'test/spec');
const outFile = resolve(outDir, 'clerk-bapi-schemas.json');

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function refName(ref: string): string {
  if (!ref.startsWith(REF_PREFIX)) throw new Error(`unsupported $ref ${ref}`);
  return ref.slice(REF_PREFIX.length);
}

function collectRefs(node: unknown, into: Set<string>): void {
  if (Array.isArray(node)) {
    for (const v of node) collectRefs(v, into);
  } else if (isObject(node)) {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') into.add(refName(v));
      else collectRefs(v, into);
    }
  }
}

function convert(schema: Json, path: string): Json {
  if (typeof schema === 'boolean') return schema;
  if (!isObject(schema)) throw new Error(`${path}: expected a schema object`);

  const out: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    if (DROPPED_KEYWORDS.has(key) || key.startsWith('x-')) continue;
    if (key === '$ref') {
      if (typeof value !== 'string') throw new Error(`${path}: bad $ref`);
      out.$ref = `#/definitions/${refName(value)}`;
    } else if (key === 'format') {
      if (typeof value === 'string' && KEPT_FORMATS.has(value)) out.format = value;
    } else if (SCHEMA_ARRAY_KEYWORDS.has(key)) {
      if (!Array.isArray(value)) throw new Error(`${path}/${key}: expected an array`);
      const converted = value.map((s, i) => convert(s, `${path}/${key}/${i}`));
      const target = key === 'oneOf' ? 'anyOf' : key;
      if (target in out) {
        // oneOf + anyOf on the same node: both must hold, so AND them.
        out.allOf = [...((out.allOf as Json[] | undefined) ?? []), { anyOf: converted }];
      } else {
        out[target] = converted;
      }
    } else if (SCHEMA_MAP_KEYWORDS.has(key)) {
      if (!isObject(value)) throw new Error(`${path}/${key}: expected an object`);
      const m: JsonObject = {};
      for (const [name, sub] of Object.entries(value)) {
        // `dependencies` may map to a string array; only convert schemas.
        m[name] = Array.isArray(sub) ? sub : convert(sub, `${path}/${key}/${name}`);
      }
      out[key] = m;
    } else if (key === 'items') {
      out.items = Array.isArray(value)
        ? value.map((s, i) => convert(s, `${path}/items/${i}`))
        : convert(value, `${path}/items`);
    } else if (key === 'additionalProperties') {
      out.additionalProperties = typeof value === 'boolean' ? value : convert(value, `${path}/${key}`);
    } else if (SCHEMA_KEYWORDS.has(key)) {
      out[key] = convert(value, `${path}/${key}`);
    } else {
      out[key] = value;
    }
  }

  if (schema.nullable !== true) return out;

  const composite = '$ref' in out || 'anyOf' in out || 'allOf' in out || 'oneOf' in out;
  if (!composite && typeof out.type === 'string') {
    out.type = [out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    return out;
  }
  // Composite (or untyped) nullable schema: the non-null branch is the schema
  // itself, the other branch is `null`. Keep documentation on the outside.
  const outer: JsonObject = {};
  for (const k of ['title', 'description', 'default'] as const) {
    if (k in out) {
      outer[k] = out[k] as Json;
      delete out[k];
    }
  }
  outer.anyOf = [out, { type: 'null' }];
  return outer;
}

/** Recursively sort object keys so the output is stable; arrays keep their order. */
function sortKeys(v: Json): Json {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const k of Object.keys(v).sort()) out[k] = sortKeys(v[k] as Json);
  return out;
}

/**
 * Where the spec and the official SDKs disagree, the SDKs win. @clerk/backend 3.25.0 sends
 * `timezone` on create/update and reads `user.timezone`, but the spec's User (closed with
 * additionalProperties: false) has no such key.
 */
function applySdkOverrides(definitions: JsonObject): void {
  const user = definitions.User;
  if (isObject(user) && isObject(user.properties)) {
    user.properties.timezone = { description: '[SDK] @clerk/backend reads user.timezone', type: ['string', 'null'] };
    definitions.User = sortKeys(user);
  }
}

function main(): void {
  if (!existsSync(specPath)) {
    throw new Error(`spec not found at ${specPath} (pass its path as the first argument)`);
  }
  const doc = parse(readFileSync(specPath, 'utf8'), { maxAliasCount: -1 }) as unknown;
  if (!isObject(doc) || !isObject(doc.components) || !isObject(doc.components.schemas)) {
    throw new Error(`${specPath}: no components.schemas`);
  }
  const all = doc.components.schemas;
  const info = isObject(doc.info) ? doc.info : {};

  // Transitive closure over $ref.
  const wanted = new Set<string>();
  const queue: string[] = [...ROOT_SCHEMAS];
  while (queue.length > 0) {
    const name = queue.pop() as string;
    if (wanted.has(name)) continue;
    const schema = all[name];
    if (schema === undefined) throw new Error(`components.schemas.${name} not found`);
    wanted.add(name);
    const refs = new Set<string>();
    collectRefs(schema, refs);
    queue.push(...refs);
  }

  const definitions: JsonObject = {};
  for (const name of [...wanted].sort()) {
    definitions[name] = sortKeys(convert(all[name] as Json, `#/components/schemas/${name}`));
  }

  applySdkOverrides(definitions);

  const sourcePath = resolve(sharedDir, 'SOURCE.txt');
  const source = existsSync(sourcePath)
    ? readFileSync(sourcePath, 'utf8').trim().replace(/\s+/g, ' ')
    : `Source: ${specPath}`;

  const result = {
    $comment:
      `GENERATED by scripts/extract-spec-schemas.ts - do not edit by hand. ` +
      `Response schemas from Clerk's Backend API OpenAPI spec ` +
      `("${String(info.title ?? 'Clerk Backend API')}", version ${String(info.version ?? '2026-05-12')}), ` +
      `converted from OpenAPI 3.0 to JSON Schema draft-07 (nullable -> null type, oneOf -> anyOf, ` +
      `OpenAPI-only keywords and int32/int64 formats dropped; User.timezone added because @clerk/backend sends and reads it). ${source} ` +
      `Copyright (c) 2025 Clerk, MIT License: see test/spec/LICENSE.clerk-openapi-specs.txt.`,
    definitions,
  };

  mkdirSync(outDir, { recursive: true });
  writeFileSync(outFile, `${JSON.stringify(result, null, 2)}\n`);
  const licence = resolve(sharedDir, 'LICENSE.clerk-openapi-specs.txt');
  if (existsSync(licence)) {
    // Not copyFileSync: the shared copy is read-only and the mode would carry over.
    const target = resolve(outDir, 'LICENSE.clerk-openapi-specs.txt');
    rmSync(target, { force: true });
    writeFileSync(target, readFileSync(licence), { mode: 0o644 });
  } else {
    console.warn(`warning: ${licence} not found; licence file not copied`);
  }
  console.log(`wrote ${Object.keys(definitions).length} definitions to ${outFile}`);
}

main();
