/**
 * Response validation against Clerk's official Backend API schemas.
 *
 * The schemas live in test/spec/clerk-bapi-schemas.json, generated from the
 * OpenAPI spec by scripts/extract-spec-schemas.ts (see the $comment there for
 * source, commit and licence). Only that JSON is read at test time.
 *
 *   assertMatchesSpec('User', body);
 *   assertArrayMatchesSpec('User', listBody);
 *
 * Note: `OAuthAccessToken` is itself an array schema in the spec (the endpoint
 * returns a bare array), so validate the token list with
 * `assertMatchesSpec('OAuthAccessToken', tokens)` (or `body.data` for the
 * paginated form), not with `assertArrayMatchesSpec`.
 */
import { AssertionError } from 'node:assert';
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import * as ajvFormats from 'ajv-formats';

export type SpecSchemaName =
  | 'User'
  | 'EmailAddress'
  | 'PhoneNumber'
  | 'Web3Wallet'
  | 'Passkey'
  | 'ExternalAccountWithVerification'
  | 'SAMLAccount'
  | 'EnterpriseAccount'
  | 'DeletedObject'
  | 'TotalCount'
  | 'ClerkErrors'
  | 'ClerkError'
  | 'OAuthAccessToken'
  | 'OrganizationMembership'
  | 'OrganizationMemberships'
  | 'Organization';

const SCHEMA_ID = 'https://clerkd.invalid/spec/clerk-bapi-schemas.json';

type FormatsPlugin = (ajv: Ajv) => Ajv;
// ajv-formats is CommonJS; depending on the loader the plugin is the module
// itself or its `default` export.
const addFormats: FormatsPlugin = (() => {
  const mod = ajvFormats as unknown as { default?: unknown };
  const candidate =
    typeof mod.default === 'function' ? mod.default : (mod.default as { default?: unknown } | undefined)?.default;
  if (typeof candidate !== 'function') throw new Error('ajv-formats: plugin function not found');
  return candidate as FormatsPlugin;
})();

let ajv: Ajv | undefined;
const single = new Map<SpecSchemaName, ValidateFunction>();
const arrays = new Map<SpecSchemaName, ValidateFunction>();

function getAjv(): Ajv {
  if (ajv) return ajv;
  const raw = readFileSync(new URL('../spec/clerk-bapi-schemas.json', import.meta.url), 'utf8');
  const doc = JSON.parse(raw) as { definitions: Record<string, unknown> };
  const instance = new Ajv({ allErrors: true, strict: false });
  addFormats(instance);
  instance.addSchema({ ...doc, $id: SCHEMA_ID });
  ajv = instance;
  return instance;
}

function compile(name: SpecSchemaName, asArray: boolean): ValidateFunction {
  const cache = asArray ? arrays : single;
  const cached = cache.get(name);
  if (cached) return cached;
  const a = getAjv();
  const ref = { $ref: `${SCHEMA_ID}#/definitions/${name}` };
  if (!a.getSchema(ref.$ref)) throw new Error(`unknown spec schema ${name}`);
  const validate = a.compile(asArray ? { type: 'array', items: ref } : ref);
  cache.set(name, validate);
  return validate;
}

function formatErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .map((e) => {
      const where = e.instancePath === '' ? '(root)' : e.instancePath;
      const params = Object.keys(e.params).length > 0 ? ` ${JSON.stringify(e.params)}` : '';
      return `  - ${where}: ${e.message ?? e.keyword}${params} [${e.schemaPath}]`;
    })
    .join('\n');
}

function check(name: SpecSchemaName, value: unknown, asArray: boolean, caller: Function): void {
  const validate = compile(name, asArray);
  if (validate(value)) return;
  const label = asArray ? `${name}[]` : name;
  const errors = validate.errors ?? [];
  throw new AssertionError({
    message:
      `value does not match Clerk spec schema ${label} (${errors.length} error${errors.length === 1 ? '' : 's'}):\n` +
      formatErrors(errors),
    actual: value,
    expected: label,
    operator: 'matchesSpec',
    stackStartFn: caller,
  });
}

/** Throws an AssertionError listing every ajv error if `value` is not a valid `name`. */
export function assertMatchesSpec(name: SpecSchemaName, value: unknown): void {
  check(name, value, false, assertMatchesSpec);
}

/** Throws an AssertionError unless `value` is an array whose every element is a valid `name`. */
export function assertArrayMatchesSpec(name: SpecSchemaName, value: unknown): void {
  check(name, value, true, assertArrayMatchesSpec);
}
