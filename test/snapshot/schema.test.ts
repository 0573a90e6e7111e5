import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import bcryptjs from 'bcryptjs';
import { TokenCipher } from '../../src/oauth/crypto.js';
import { exportSnapshot } from '../../src/snapshot/export.js';
import { importSnapshot } from '../../src/snapshot/import.js';
import { snapshotJsonSchema } from '../../src/snapshot/schema.js';
import { fillRichDatabase, memoryDatabase, testConfig } from './factories.js';

/** docs/snapshot.schema.json is the TypeBox schema in src/snapshot/schema.ts, and describes what export writes. */

const SCHEMA_FILE = fileURLToPath(new URL('../../docs/snapshot.schema.json', import.meta.url));
const committed = JSON.parse(fs.readFileSync(SCHEMA_FILE, 'utf8')) as Record<string, unknown>;

test('the committed JSON Schema is the one generated from src/snapshot/schema.ts (run `npx tsx scripts/write-snapshot-schema.ts`)', () => {
  assert.deepEqual(committed, snapshotJsonSchema());
});

test('an export validates against the committed JSON Schema with a stock draft-07 validator', async () => {
  const config = testConfig();
  const cipher = new TokenCipher(config.encryptionKey);
  const database = memoryDatabase();
  await fillRichDatabase(database.db, config, cipher);
  const validate = new Ajv({ strict: true, allowUnionTypes: true }).compile(committed);
  const snapshot = exportSnapshot(database.db, cipher);
  assert.ok(validate(snapshot), JSON.stringify(validate.errors));
  assert.ok(!validate({ ...snapshot, clerkd_snapshot: 2 }));
  database.close();
});

test('the README’s example seed file imports, with the password the README gives', async () => {
  const file = fileURLToPath(new URL('../../docs/seed.example.json', import.meta.url));
  const seed = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
  const validate = new Ajv({ strict: true, allowUnionTypes: true }).compile(committed);
  assert.ok(validate(seed), JSON.stringify(validate.errors));
  const config = testConfig();
  const database = memoryDatabase();
  const result = await importSnapshot(database.db, new TokenCipher(config.encryptionKey), seed);
  assert.deepEqual(result.imported, { users: 2, organizations: 1, organization_memberships: 2 });
  const alice = exportSnapshot(database.db, new TokenCipher(config.encryptionKey)).users!.find((user) => user.id === 'user_alice')!;
  assert.ok(bcryptjs.compareSync('correct-horse-battery', alice.password_digest!));
  database.close();
});
