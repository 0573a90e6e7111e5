import assert from 'node:assert/strict';
import { test } from 'node:test';
import bcryptjs from 'bcryptjs';
import { findBackupCode } from '../../src/mfa/backup-codes.js';
import { TokenCipher } from '../../src/oauth/crypto.js';
import { SnapshotError } from '../../src/snapshot/errors.js';
import { exportSnapshot } from '../../src/snapshot/export.js';
import { importSnapshot } from '../../src/snapshot/import.js';
import { memoryDatabase, testConfig, TOTP_SECRET } from './factories.js';

/**
 * The user array Clerk's migration tool reads (github.com/clerk/migration-tool, `userSchema`
 * in src/migrate/validator.ts), imported directly.
 */

const cipher = new TokenCipher(testConfig().encryptionKey);
const DIGEST = bcryptjs.hashSync('migrated-password', 4);

const FILE = [
  {
    userId: 'auth0|100',
    email: ['ada@example.com'],
    emailAddresses: ['ada@example.com', 'ada@work.example.com'],
    unverifiedEmailAddresses: 'ada-old@example.com',
    phone: '+1 (415) 555-0100',
    username: 'ada_l',
    firstName: 'Ada',
    lastName: 'Lovelace',
    password: DIGEST,
    passwordHasher: 'bcrypt',
    totpSecret: TOTP_SECRET,
    backupCodesEnabled: true,
    backupCodes: ['code-one-1', 'code-two-2'],
    publicMetadata: { plan: 'pro' },
    privateMetadata: { source: 'auth0' },
    unsafeMetadata: { theme: 'dark' },
    bypassClientTrust: true,
    createOrganizationEnabled: false,
    createOrganizationsLimit: 2,
    deleteSelfEnabled: false,
    createdAt: '2022-02-03T04:05:06Z',
    legalAcceptedAt: '2022-02-04T00:00:00Z',
    skipPasswordChecks: true,
    someSourceField: 'ignored, as the tool ignores unknown keys',
  },
  { userId: 'auth0|101', phoneNumbers: ['+442071838750'], unverifiedPhoneNumbers: ['+442071838751'], username: null, firstName: 'Grace' },
];

test('a migration-tool file imports with each field where the tool would send it', async () => {
  const database = memoryDatabase();
  const result = await importSnapshot(database.db, cipher, FILE, { now: 1_750_000_000_000 });
  assert.equal(result.format, 'migration-tool');
  assert.deepEqual(result.imported, { users: 2, organizations: 0, organization_memberships: 0 });

  const [ada, grace] = exportSnapshot(database.db, cipher).users!;
  assert.equal(ada!.external_id, 'auth0|100');
  assert.match(ada!.id!, /^user_[0-9A-Za-z]{27}$/);
  assert.deepEqual(
    ada!.email_addresses!.map((email) => [email.email_address, email.status]),
    [
      ['ada@example.com', 'verified'],
      ['ada@work.example.com', 'verified'],
      ['ada-old@example.com', 'reserved'],
    ],
  );
  assert.equal(ada!.primary_email_address_id, ada!.email_addresses![0]!.id);
  assert.equal(ada!.phone_numbers![0]!.phone_number, '+14155550100');
  assert.equal(ada!.primary_phone_number_id, ada!.phone_numbers![0]!.id);
  assert.equal(ada!.username, 'ada_l');
  assert.equal(ada!.first_name, 'Ada');
  assert.equal(ada!.last_name, 'Lovelace');
  assert.equal(ada!.password_digest, DIGEST);
  assert.equal(ada!.password_hasher, 'bcrypt');
  assert.equal(ada!.totp_secret, TOTP_SECRET);
  assert.equal(ada!.backup_codes!.length, 2);
  assert.equal(await findBackupCode('code-one-1', ada!.backup_codes!, cipher.encryptionKey), ada!.backup_codes![0]);
  assert.equal(ada!.mfa_enabled_at, Date.parse('2022-02-03T04:05:06Z'));
  assert.deepEqual([ada!.public_metadata, ada!.private_metadata, ada!.unsafe_metadata], [{ plan: 'pro' }, { source: 'auth0' }, { theme: 'dark' }]);
  assert.equal(ada!.bypass_client_trust, true);
  assert.equal(ada!.create_organization_enabled, false);
  assert.equal(ada!.create_organizations_limit, 2);
  assert.equal(ada!.delete_self_enabled, false);
  assert.equal(ada!.created_at, Date.parse('2022-02-03T04:05:06Z'));
  assert.equal(ada!.legal_accepted_at, Date.parse('2022-02-04T00:00:00Z'));

  assert.equal(grace!.external_id, 'auth0|101');
  assert.equal(grace!.username, null, 'null values read as absent');
  assert.deepEqual(
    grace!.phone_numbers!.map((phone) => [phone.phone_number, phone.status]),
    [
      ['+442071838750', 'verified'],
      ['+442071838751', 'reserved'],
    ],
  );
  assert.equal(grace!.created_at, 1_750_000_000_000);
  database.close();
});

async function refused(file: unknown[], message: string): Promise<void> {
  const database = memoryDatabase();
  await assert.rejects(importSnapshot(database.db, cipher, file), (error: unknown) => {
    assert.ok(error instanceof SnapshotError);
    assert.equal(error.message, message);
    return true;
  });
  assert.equal(exportSnapshot(database.db, cipher).users!.length, 0);
  database.close();
}

test('errors name the record and field of the migration-tool file', async () => {
  await refused([{ userId: 'a', email: 'a@example.com' }, { userId: 'b', password: DIGEST }], '[1].passwordHasher: is required when password is provided');
  await refused(
    [
      { userId: 'a', email: 'a@example.com' },
      { userId: 'b', emailAddresses: ['b@example.com', 'not-an-email'] },
    ],
    '[1].emailAddresses[1]: is not a valid email address',
  );
  await refused(
    [
      { userId: 'a', email: 'same@example.com' },
      { userId: 'b', email: 'b@example.com' },
      { userId: 'c', email: 'SAME@example.com' },
    ],
    '[2].email: duplicate of [0]',
  );
  await refused([{ userId: 'a', email: 5 }], '[0].email: must be a string or an array of strings');
  await refused([{ email: 'a@example.com' }], '[0].userId: is required');
  await refused([{ userId: 'a', passwordHasher: 'rot13', password: 'x' }], '[0].passwordHasher: must be one of "argon2i", "argon2id", "awscognito", "bcrypt", "bcrypt_peppered", "bcrypt_sha256_django", "hmac_sha256_utf16_b64", "ldap_ssha", "md5", "md5_phpass", "md5_salted", "pbkdf2_sha1", "pbkdf2_sha256", "pbkdf2_sha256_django", "pbkdf2_sha512", "pbkdf2_sha512_hex", "phpass", "scrypt_firebase", "scrypt_werkzeug", "sha256", "sha256_salted", "sha512_symfony"');
  await refused([{ userId: 'a', password: 'plain text', passwordHasher: 'bcrypt' }], '[0].password: is not in the format of the bcrypt hasher');
  await refused([{ userId: 'a', publicMetadata: 'nope' }], '[0].publicMetadata: must be an object');
  await refused([{ userId: 'a', createdAt: 'yesterday' }], '[0].createdAt: must be an RFC 3339 date-time, like 2024-05-01T12:00:00Z');
  await refused([{ userId: 'a' }, { userId: 'a' }], '[1].userId: duplicate of [0]');
});
