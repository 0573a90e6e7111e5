import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { pathFromPointer, SnapshotError } from './errors.js';
import { MigrationToolUsers, Snapshot, SNAPSHOT_VERSION, type MigrationToolUser } from './schema.js';

/**
 * The JSON Schema check, before any rule that needs the whole document or the database:
 * the first violation becomes a SnapshotError naming the record and field.
 */

const ajv = new Ajv({ allErrors: false, strict: false, coerceTypes: false, useDefaults: false, verbose: true });
const snapshotValidator = ajv.compile(Snapshot);
const migrationToolValidator = ajv.compile(MigrationToolUsers);

function describe(error: ErrorObject): { path: string; detail: string } {
  const path = pathFromPointer(error.instancePath);
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(error.params.additionalProperty);
      return { path: path === '' ? key : `${path}.${key}`, detail: 'is not a field of this format' };
    }
    case 'required': {
      const key = String(error.params.missingProperty);
      return { path: path === '' ? key : `${path}.${key}`, detail: 'is required' };
    }
    case 'enum':
      return { path, detail: `must be one of ${(error.params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(', ')}` };
    case 'const':
      return { path, detail: `must be ${JSON.stringify(error.params.allowedValue)}` };
    case 'pattern':
      return { path, detail: `must match ${String(error.params.pattern)}` };
    case 'anyOf': {
      const description = (error.parentSchema as { description?: string } | undefined)?.description ?? '';
      const expected = /: (a string or an array of strings)$/.exec(description)?.[1] ?? 'of another type';
      return { path, detail: `must be ${expected}` };
    }
    default:
      return { path, detail: error.message ?? 'is invalid' };
  }
}

function firstError(validator: ValidateFunction): ErrorObject | undefined {
  const errors = validator.errors ?? [];
  // anyOf reports each branch's failure first; the anyOf error itself reads better.
  return errors.find((error) => error.keyword === 'anyOf') ?? errors[0];
}

function fail(validator: ValidateFunction): never {
  const error = firstError(validator);
  if (!error) throw new SnapshotError('', 'is invalid');
  const { path, detail } = describe(error);
  throw new SnapshotError(path, detail);
}

export type DetectedDocument = { format: 'clerkd'; snapshot: Snapshot } | { format: 'migration-tool'; users: MigrationToolUser[] };

/** Null-valued keys read as absent in the migration tool's format (Clerk's own exports write `null`s). */
function withoutNulls(record: unknown): unknown {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) return record;
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== null));
}

/** Which of the two accepted formats `input` is, checked against its schema. */
export function detectAndValidate(input: unknown): DetectedDocument {
  if (Array.isArray(input)) {
    const users = input.map(withoutNulls);
    if (!migrationToolValidator(users)) fail(migrationToolValidator);
    return { format: 'migration-tool', users: users as MigrationToolUser[] };
  }
  if (input === null || typeof input !== 'object') {
    throw new SnapshotError('', 'is neither a clerkd snapshot (an object with "clerkd_snapshot": 1) nor a migration-tool user array');
  }
  const version = (input as Record<string, unknown>).clerkd_snapshot;
  if (version === undefined) {
    throw new SnapshotError('clerkd_snapshot', 'is required (a clerkd snapshot is an object with "clerkd_snapshot": 1; a migration-tool file is an array of users)');
  }
  if (version !== SNAPSHOT_VERSION) {
    throw new SnapshotError('clerkd_snapshot', `version ${JSON.stringify(version)} is not supported by this clerkd (it reads version ${SNAPSHOT_VERSION})`);
  }
  if (!snapshotValidator(input)) fail(snapshotValidator);
  return { format: 'clerkd', snapshot: input as Snapshot };
}
