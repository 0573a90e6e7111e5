import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import bcryptjs from 'bcryptjs';
import { findBackupCode } from '../../src/mfa/backup-codes.js';
import { TokenCipher } from '../../src/oauth/crypto.js';
import { SnapshotError } from '../../src/snapshot/errors.js';
import { exportSnapshot } from '../../src/snapshot/export.js';
import { importSnapshot } from '../../src/snapshot/import.js';
import { snapshotRepository } from '../../src/snapshot/repository.js';
import type { Snapshot, SnapshotUser } from '../../src/snapshot/schema.js';
import { fingerprint } from '../support/db-fingerprint.js';
import { fillRichDatabase, memoryDatabase, testConfig } from './factories.js';

/** One bad record anywhere: nothing is written, and the error names the record and the field. */

const config = testConfig();
const cipher = new TokenCipher(config.encryptionKey);

function users(count: number): SnapshotUser[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `user_bulk${i}`,
    email_addresses: [{ id: `idn_bulk${i}`, email_address: `person${i}@example.com` }],
    first_name: `Person ${i}`,
  }));
}

function snapshot(overrides: Partial<Snapshot> = {}): Snapshot {
  return {
    clerkd_snapshot: 1,
    users: users(20),
    organizations: [
      { id: 'org_one', name: 'One' },
      { id: 'org_two', name: 'Two', slug: 'two' },
    ],
    organization_memberships: [
      { organization_id: 'org_one', user_id: 'user_bulk0', role: 'org:admin' },
      { organization_id: 'org_two', user_id: 'user_bulk1' },
    ],
    ...overrides,
  };
}

async function seededDatabase() {
  const database = memoryDatabase();
  await fillRichDatabase(database.db, config, cipher);
  return database;
}

async function refused(input: unknown, message: string | RegExp, options: { replace?: boolean } = {}): Promise<void> {
  const database = await seededDatabase();
  const before = fingerprint(database.db);
  const exported = exportSnapshot(database.db, cipher);
  await assert.rejects(importSnapshot(database.db, cipher, input, options), (error: unknown) => {
    assert.ok(error instanceof SnapshotError, `a SnapshotError, got ${String(error)}`);
    if (typeof message === 'string') assert.equal(error.message, message);
    else assert.match(error.message, message);
    return true;
  });
  assert.deepEqual(fingerprint(database.db), before, 'the database is unchanged');
  assert.deepEqual(exportSnapshot(database.db, cipher), exported);
  database.close();
}

test('a valid snapshot imports every record', async () => {
  const database = memoryDatabase();
  const result = await importSnapshot(database.db, cipher, snapshot());
  assert.deepEqual(result.imported, { users: 20, organizations: 2, organization_memberships: 2 });
  const exported = exportSnapshot(database.db, cipher);
  assert.equal(exported.users!.find((user) => user.id === 'user_bulk12')!.primary_email_address_id, 'idn_bulk12');
  assert.equal(exported.organization_memberships!.find((membership) => membership.user_id === 'user_bulk1')!.role, 'org:member');
  database.close();
});

test('an email address used by an earlier user names both records and writes nothing', async () => {
  const bad = snapshot();
  bad.users![12]!.email_addresses = [{ email_address: 'PERSON3@example.com' }];
  await refused(bad, 'users[12].email_addresses[0].email_address: duplicate of users[3]');
});

test('a membership of an unknown user writes nothing', async () => {
  const bad = snapshot();
  bad.organization_memberships![1]!.user_id = 'user_nobody';
  await refused(bad, 'organization_memberships[1].user_id: user_nobody is not a user in this snapshot or in the database');
});

test('a password digest that does not parse for its hasher writes nothing', async () => {
  const bad = snapshot();
  bad.users![5]!.password_digest = 'not-a-bcrypt-digest';
  bad.users![5]!.password_hasher = 'bcrypt';
  await refused(bad, 'users[5].password_digest: is not in the format of the bcrypt hasher');
});

test('a field of the wrong type is named by the schema check', async () => {
  const bad = snapshot() as unknown as { users: Record<string, unknown>[] };
  bad.users[7]!.banned = 'yes';
  await refused(bad, 'users[7].banned: must be boolean');
});

test('an unknown field is refused rather than ignored', async () => {
  const bad = snapshot() as unknown as { users: Record<string, unknown>[] };
  bad.users[9]!.emial_addresses = [];
  await refused(bad, 'users[9].emial_addresses: is not a field of this format');
});

test('a primary id that is not one of the user’s identifications is refused', async () => {
  const bad = snapshot();
  bad.users![4]!.primary_email_address_id = 'idn_bulk5';
  await refused(bad, "users[4].primary_email_address_id: idn_bulk5 is not one of this user's email_addresses");
});

test('an identifier the database already holds is refused when not replacing', async () => {
  const bad = snapshot();
  bad.users![2]!.email_addresses = [{ email_address: 'grace@example.com' }];
  await refused(bad, /^users\[2\]\.email_addresses\[0\]\.email_address: already used by user_\w+ in the database$/);
});

test('a snapshot of another version is refused with the version it reads', async () => {
  await refused({ clerkd_snapshot: 2, users: [] }, 'clerkd_snapshot: version 2 is not supported by this clerkd (it reads version 1)');
});

test('a bad record keeps a replacing import from deleting anything', async () => {
  const bad = snapshot();
  bad.users![15]!.username = 'no spaces allowed';
  await refused(bad, 'users[15].username: Usernames can only contain letters, numbers, underscores (_) and dashes (-).', { replace: true });
});

test('a failure half-way through the inserts rolls every insert back', async () => {
  const database = await seededDatabase();
  const before = fingerprint(database.db);
  const failing = mock.method(snapshotRepository, 'insertMemberships', () => {
    throw new Error('disk full');
  });
  try {
    await assert.rejects(importSnapshot(database.db, cipher, snapshot(), { replace: true }), /disk full/);
  } finally {
    failing.mock.restore();
  }
  assert.deepEqual(fingerprint(database.db), before);
  database.close();
});

test('replace swaps the whole database for the snapshot and reports the image files to remove', async () => {
  const database = await seededDatabase();
  const result = await importSnapshot(database.db, cipher, snapshot(), { replace: true });
  assert.deepEqual(result.deleted, { users: 5, organizations: 2, organization_memberships: 3 });
  assert.equal(result.removedImageKeys.length, 1);
  assert.deepEqual(snapshotRepository.counts(database.db), { users: 20, organizations: 2, organization_memberships: 2 });
  database.close();
});

test('seed-style records get the defaults the API would give', async () => {
  const database = memoryDatabase();
  const digest = bcryptjs.hashSync('seed-password', 4);
  await importSnapshot(
    database.db,
    cipher,
    {
      clerkd_snapshot: 1,
      users: [{ email_addresses: [{ email_address: 'Seed@Example.com' }], username: 'SeedUser', password_digest: digest, password_hasher: 'bcrypt', backup_codes: ['plain-code-1'] }],
      organizations: [{ name: 'Seeded Org' }],
    },
    { now: 1_700_000_000_000 },
  );
  const [user] = exportSnapshot(database.db, cipher).users!;
  assert.match(user!.id!, /^user_[0-9A-Za-z]{27}$/);
  assert.equal(user!.email_addresses![0]!.email_address, 'seed@example.com');
  assert.equal(user!.email_addresses![0]!.status, 'verified');
  assert.equal(user!.primary_email_address_id, user!.email_addresses![0]!.id);
  assert.equal(user!.username, 'seeduser');
  assert.equal(user!.created_at, 1_700_000_000_000);
  assert.equal(user!.password_last_updated_at, 1_700_000_000_000);
  assert.equal(user!.mfa_enabled_at, 1_700_000_000_000);
  assert.equal(await findBackupCode('plain-code-1', user!.backup_codes!, cipher.encryptionKey), user!.backup_codes![0], 'plain backup codes are stored as digests that verify');
  assert.equal(exportSnapshot(database.db, cipher).organizations![0]!.slug, 'seeded-org');
  database.close();
});
