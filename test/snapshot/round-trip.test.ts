import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serializeUser } from '../../src/http/serializers/user.js';
import { TokenCipher } from '../../src/oauth/crypto.js';
import { OrganizationService } from '../../src/organizations/service.js';
import { exportSnapshot, formatSnapshot } from '../../src/snapshot/export.js';
import { importSnapshot } from '../../src/snapshot/import.js';
import { Snapshot, SnapshotExternalAccount, SnapshotMembership, SnapshotOrganization, SnapshotUser } from '../../src/snapshot/schema.js';
import { ExternalAccountService } from '../../src/users/external-accounts.js';
import { UserService } from '../../src/users/service.js';
import { fillRichDatabase, memoryDatabase, normalise, OTHER_KEY, testConfig } from './factories.js';

/** export → import into an empty database → export: the same document, and the same users through the API. */

async function roundTrip() {
  const config = testConfig();
  const source = memoryDatabase();
  const target = memoryDatabase();
  const sourceCipher = new TokenCipher(config.encryptionKey);
  const targetCipher = new TokenCipher(OTHER_KEY);
  const data = await fillRichDatabase(source.db, config, sourceCipher);
  const first = exportSnapshot(source.db, sourceCipher);
  const result = await importSnapshot(target.db, targetCipher, JSON.parse(formatSnapshot(first)));
  const second = exportSnapshot(target.db, targetCipher);
  return { config, source, target, targetCipher, data, first, second, result };
}

test('export, import into an empty database and export again gives the same JSON', async () => {
  const { first, second, result, source, target } = await roundTrip();
  assert.equal(result.format, 'clerkd');
  assert.deepEqual(result.imported, { users: 5, organizations: 2, organization_memberships: 3 });
  assert.deepEqual(normalise(second), normalise(first));
  // Stronger than required: export is deterministic, so the files are byte-for-byte equal.
  assert.equal(formatSnapshot(second), formatSnapshot(first));
  source.close();
  target.close();
});

test('an export writes every field of every record, and the data exercises each of them', async () => {
  const { first, source, target } = await roundTrip();
  const everyKey = (records: object[] | undefined, schema: { properties: Record<string, unknown> }, label: string) => {
    assert.ok(records && records.length > 0, `${label}: some records`);
    for (const record of records) assert.deepEqual(Object.keys(record).sort(), Object.keys(schema.properties).sort(), `${label} carries every field`);
    for (const key of Object.keys(schema.properties)) {
      const used = records.some((record) => {
        const value = (record as Record<string, unknown>)[key];
        return value !== null && value !== false && !(Array.isArray(value) && value.length === 0) && !(typeof value === 'object' && value !== null && Object.keys(value).length === 0);
      });
      assert.ok(used, `${label}.${key} is set on some record, so the round trip proves it`);
    }
  };
  everyKey(first.users, SnapshotUser, 'users');
  everyKey(first.organizations, SnapshotOrganization, 'organizations');
  everyKey(first.organization_memberships, SnapshotMembership, 'organization_memberships');
  everyKey(first.users!.flatMap((user) => user.external_accounts ?? []), SnapshotExternalAccount, 'external_accounts');
  assert.deepEqual(Object.keys(first).sort(), Object.keys(Snapshot.properties).filter((key) => key !== '$schema').sort());
  source.close();
  target.close();
});

test('the imported users, organizations and memberships read the same through the services', async () => {
  const { config, source, target, data } = await roundTrip();
  const now = Date.now();
  const serialize = (db: typeof source.db) =>
    data.userIds.map((id) => serializeUser(new UserService({ db, config }).getUser(id), { publicUrl: 'http://clerkd.test', lockout: config.lockout, now }));
  assert.deepEqual(serialize(target.db), serialize(source.db));
  const orgs = (db: typeof source.db) => data.organizationIds.map((id) => new OrganizationService({ db, config }).getOrganization(id));
  assert.deepEqual(orgs(target.db), orgs(source.db));
  const memberships = (db: typeof source.db) => new OrganizationService({ db, config }).listUserMemberships(data.userIds[0]!, { limit: 10, offset: 0 });
  assert.deepEqual(memberships(target.db), memberships(source.db));
  source.close();
  target.close();
});

test("imported tokens are re-encrypted with the importing server's key and handed out by the OAuth token endpoint's service", async () => {
  const { target, targetCipher, data } = await roundTrip();
  const accounts = new ExternalAccountService({ db: target.db, cipher: targetCipher, providers: {}, refreshTimeoutMs: 1000 });
  const page = await accounts.accessTokens(data.tokenUserId, 'google', { limit: 10, offset: 0 });
  assert.equal(page.tokens[0]?.token, data.accessToken);
  assert.equal(page.tokens[0]?.idToken, 'eyJhbGciOiJSUzI1NiJ9.id.token');
  const twitter = await accounts.accessTokens(data.tokenUserId, 'twitter', { limit: 10, offset: 0 });
  assert.equal(twitter.tokens[0]?.tokenSecret, 'oauth1-secret');
  target.close();
});

test('imported users are found by the search index', async () => {
  const { config, target } = await roundTrip();
  const users = new UserService({ db: target.db, config });
  const found = users.listUsers({ query: 'lovelace' }, { field: 'created_at', direction: 'desc' }, { limit: 10, offset: 0 });
  assert.deepEqual(
    found.map((aggregate) => aggregate.user.username),
    ['ada_l'],
  );
  assert.equal(users.countUsers({ emailAddresses: ['grace@example.com'] }), 1);
  target.close();
});
