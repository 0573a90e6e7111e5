import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { assertClerkError } from '../support/clerk-errors.js';
import { fingerprint, sqliteOf } from '../support/db-fingerprint.js';
import { api, startTestServer, unique, uniqueEmail, uniquePhone, uniqueWallet, type ApiResponse, type TestServer } from '../support/server.js';

/**
 * Integer parameters and fields, at and past what JSON and the database hold exactly. Every
 * one is bounded (src/schemas/types.ts BoundedInteger): a value past 2^53 - 1, a `1e400`
 * (Infinity once parsed), a negative or fractional one is a 422 in Clerk's shape, never a
 * 500; a stored number that is not a safe integer (written by hand, or by an older build)
 * reads as null (or 0) instead of breaking every read of its row; and a write whose answer
 * would be a 5xx does not commit.
 */

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

let server: TestServer;
let userId: string;
let organizationId: string;
before(async () => {
  server = await startTestServer();
  const user = await api(server, 'POST', '/v1/users', { body: { email_address: [uniqueEmail('n')], phone_number: [uniquePhone()], web3_wallet: [uniqueWallet()], username: unique('n') } });
  assert.equal(user.status, 200, user.text);
  userId = (user.body as { id: string }).id;
  const account = await api(server, 'POST', `/_clerkd/users/${userId}/external_accounts`, {
    body: { provider: 'oauth_google', provider_user_id: unique('g'), access_token: unique('at') },
  });
  assert.equal(account.status, 200, account.text);
  const organization = await api(server, 'POST', '/v1/organizations', { body: { name: unique('Org '), created_by: userId } });
  assert.equal(organization.status, 200, organization.text);
  organizationId = (organization.body as { id: string }).id;
});
after(async () => {
  await server.close();
});

function json(text: string) {
  return { rawBody: text, headers: { 'content-type': 'application/json' } };
}

const lists = () => [
  '/v1/users',
  '/v1/organizations',
  `/v1/users/${userId}/organization_memberships`,
  `/v1/organizations/${organizationId}/memberships`,
  `/v1/users/${userId}/oauth_access_tokens/oauth_google?paginated=true`,
];

function withQuery(path: string, query: string): string {
  return `${path}${path.includes('?') ? '&' : '?'}${query}`;
}

/** Every read that shows the fixture user, organization or membership. */
async function assertEveryReadAnswers(context: string): Promise<ApiResponse[]> {
  const reads = [`/v1/users/${userId}`, `/v1/organizations/${organizationId}`, ...lists(), '/v1/users/count'];
  const responses: ApiResponse[] = [];
  for (const path of reads) {
    const response = await api(server, 'GET', path);
    const shown = `${context}: GET ${path} → ${response.status} ${response.text.slice(0, 300)}`;
    // A stored expiry in the past (-Infinity, 1.5) means an expired token, which cannot be refreshed here.
    if (path.includes('/oauth_access_tokens/') && response.status === 422) assertClerkError(response, 422, 'oauth_missing_refresh_token');
    else assert.equal(response.status, 200, shown);
    responses.push(response);
  }
  return responses;
}

describe('limit and offset on every list', () => {
  const PAST_SAFE = ['9223372036854775807', '1e19', '18446744073709551616', '1e400', '9007199254740993'];

  for (const value of PAST_SAFE) {
    test(`offset=${value} answers 422 form_param_value_invalid on every list`, async () => {
      for (const path of lists()) assertClerkError(await api(server, 'GET', withQuery(path, `offset=${value}`)), 422, 'form_param_value_invalid', 'offset');
    });
    test(`limit=${value} answers 422 form_param_value_invalid on every list`, async () => {
      for (const path of lists()) assertClerkError(await api(server, 'GET', withQuery(path, `limit=${value}`)), 422, 'form_param_value_invalid', 'limit');
    });
  }

  test('offset=-1, offset=Infinity and limit=0 answer 422 form_param_value_invalid; 1.5, NaN and text answer 422 form_param_type_invalid', async () => {
    for (const path of lists()) {
      for (const value of ['-1', 'Infinity', '-Infinity']) assertClerkError(await api(server, 'GET', withQuery(path, `offset=${value}`)), 422, 'form_param_value_invalid', 'offset');
      assertClerkError(await api(server, 'GET', withQuery(path, 'limit=0')), 422, 'form_param_value_invalid', 'limit');
      for (const value of ['1.5', 'NaN', 'ten']) {
        assertClerkError(await api(server, 'GET', withQuery(path, `offset=${value}`)), 422, 'form_param_type_invalid', 'offset');
      }
    }
  });

  test('the largest offset (2^53 - 1) answers an empty page with the true total', async () => {
    for (const path of lists()) {
      const response = await api(server, 'GET', withQuery(path, `offset=${MAX_SAFE}`));
      assert.equal(response.status, 200, `${path}: ${response.text}`);
      const body = response.body as { data: unknown[]; total_count: number } | unknown[];
      const data = Array.isArray(body) ? body : body.data;
      assert.deepEqual(data, [], path);
      if (!Array.isArray(body)) assert.ok(body.total_count >= 1, path);
    }
  });

  test('GET /v1/users/count ignores limit and offset, and bounds its date filters', async () => {
    const ignored = await api(server, 'GET', '/v1/users/count?offset=1e400&limit=9223372036854775807');
    assert.equal(ignored.status, 200, ignored.text);
    for (const value of ['1e400', '9223372036854775807', '8640000000000001']) {
      for (const path of ['/v1/users/count', '/v1/users']) {
        assertClerkError(await api(server, 'GET', `${path}?created_at_before=${value}`), 422, 'form_param_invalid_date', 'created_at_before');
      }
    }
  });
});

describe('integer body fields', () => {
  test('POST /v1/users with create_organizations_limit 1e400 answers 422 and creates no user', async () => {
    const before = fingerprint(server.db).hash;
    for (const value of ['1e400', '9223372036854775807', '9007199254740992', '-1e400']) {
      assertClerkError(await api(server, 'POST', '/v1/users', json(`{"username":"${unique('c')}","create_organizations_limit":${value}}`)), 422, 'form_param_value_invalid', 'create_organizations_limit');
    }
    assert.equal(fingerprint(server.db).hash, before, 'a refused create wrote to the database');
  });

  test('PATCH /v1/users/{id} with create_organizations_limit 1e400 answers 422, changes nothing, and every read still answers', async () => {
    const before = fingerprint(server.db).hash;
    assertClerkError(await api(server, 'PATCH', `/v1/users/${userId}`, json('{"create_organizations_limit":1e400}')), 422, 'form_param_value_invalid', 'create_organizations_limit');
    assert.equal(fingerprint(server.db).hash, before);
    await assertEveryReadAnswers('after the refused PATCH');
  });

  test('the largest create_organizations_limit (2^53 - 1) is stored and read back exactly', async () => {
    const patched = await api(server, 'PATCH', `/v1/users/${userId}`, json(`{"create_organizations_limit":${MAX_SAFE}}`));
    assert.equal(patched.status, 200, patched.text);
    assert.match(patched.text, new RegExp(`"create_organizations_limit":${MAX_SAFE}[,}]`));
    const read = await api(server, 'GET', `/v1/users/${userId}`);
    assert.equal((read.body as { create_organizations_limit: number }).create_organizations_limit, MAX_SAFE);
  });

  test('max_allowed_memberships past 2^53 - 1 answers 422 on create and update of an organization', async () => {
    const before = fingerprint(server.db).hash;
    for (const value of ['1e400', '9223372036854775807', '-1']) {
      assertClerkError(await api(server, 'POST', '/v1/organizations', json(`{"name":"${unique('o')}","max_allowed_memberships":${value}}`)), 422, 'form_param_value_invalid', 'max_allowed_memberships');
      assertClerkError(await api(server, 'PATCH', `/v1/organizations/${organizationId}`, json(`{"max_allowed_memberships":${value}}`)), 422, 'form_param_value_invalid', 'max_allowed_memberships');
    }
    assert.equal(fingerprint(server.db).hash, before);
  });

  test('expires_at past the last JavaScript date and expires_in past ~31,700 years answer 422 on the control surface', async () => {
    const before = fingerprint(server.db).hash;
    const create = (field: string, value: string) =>
      api(server, 'POST', `/_clerkd/users/${userId}/external_accounts`, json(`{"provider":"oauth_github","provider_user_id":"${unique('gh')}","access_token":"t","${field}":${value}}`));
    for (const value of ['1e400', '8640000000000001', '9223372036854775807']) assertClerkError(await create('expires_at', value), 422, 'form_param_value_invalid', 'expires_at');
    for (const value of ['1e400', '1000000000001', '9223372036854775807']) assertClerkError(await create('expires_in', value), 422, 'form_param_value_invalid', 'expires_in');
    assert.equal(fingerprint(server.db).hash, before);
  });
});

describe('a stored number that is not a safe integer', () => {
  /** REAL infinities, a REAL past 2^63, an INTEGER past 2^53, text and a blob, each where an integer belongs. */
  const STORED = [
    { label: 'Infinity', sql: '9e999' },
    { label: '-Infinity', sql: '-9e999' },
    { label: '1e20 (REAL)', sql: '1e20' },
    { label: '2^53 + 1', sql: '9007199254740993' },
    { label: '1.5', sql: '1.5' },
    { label: 'text', sql: "'many'" },
    { label: 'a blob', sql: "x'00ff'" },
  ];

  for (const { label, sql } of STORED) {
    test(`${label} in the integer columns of a user, an organization, a membership and an external account breaks no read`, async () => {
      const sqlite = sqliteOf(server.db);
      const snapshot = {
        user: sqlite.prepare('SELECT create_organizations_limit, last_active_at, created_at, updated_at FROM users WHERE id = ?').get(userId),
        organization: sqlite.prepare('SELECT max_allowed_memberships, created_at, updated_at FROM organizations WHERE id = ?').get(organizationId),
        membership: sqlite.prepare('SELECT created_at FROM organization_memberships WHERE organization_id = ?').get(organizationId),
        account: sqlite.prepare('SELECT access_token_expires_at FROM external_accounts WHERE user_id = ?').get(userId),
      } as Record<string, Record<string, unknown>>;
      try {
        // Only the columns a read shows; created_at also orders the lists and anchors their pages.
        sqlite.prepare(`UPDATE users SET create_organizations_limit = ${sql}, last_active_at = ${sql}, updated_at = ${sql} WHERE id = ?`).run(userId);
        sqlite.prepare(`UPDATE organizations SET max_allowed_memberships = ${sql}, updated_at = ${sql} WHERE id = ?`).run(organizationId);
        sqlite.prepare(`UPDATE organization_memberships SET updated_at = ${sql} WHERE organization_id = ?`).run(organizationId);
        sqlite.prepare(`UPDATE external_accounts SET access_token_expires_at = ${sql} WHERE user_id = ?`).run(userId);

        const [user, organization] = await assertEveryReadAnswers(`${label} stored`);
        const userJson = user!.body as { create_organizations_limit: unknown; last_active_at: unknown; updated_at: unknown };
        assert.equal(userJson.create_organizations_limit, null);
        assert.equal(userJson.last_active_at, null);
        assert.equal(userJson.updated_at, 0);
        assert.equal((organization!.body as { max_allowed_memberships: unknown }).max_allowed_memberships, 0);
      } finally {
        sqlite.prepare('UPDATE users SET create_organizations_limit = ?, last_active_at = ?, updated_at = ? WHERE id = ?').run(
          snapshot.user!.create_organizations_limit ?? null,
          snapshot.user!.last_active_at ?? null,
          snapshot.user!.updated_at,
          userId,
        );
        sqlite.prepare('UPDATE organizations SET max_allowed_memberships = ?, updated_at = ? WHERE id = ?').run(snapshot.organization!.max_allowed_memberships, snapshot.organization!.updated_at, organizationId);
        sqlite.prepare('UPDATE organization_memberships SET updated_at = created_at WHERE organization_id = ?').run(organizationId);
        sqlite.prepare('UPDATE external_accounts SET access_token_expires_at = ? WHERE user_id = ?').run(snapshot.account!.access_token_expires_at ?? null, userId);
      }
    });
  }

  test('any hostile value in any INTEGER column of any table a read shows breaks no read', async () => {
    const sqlite = sqliteOf(server.db);
    const owners: Record<string, [string, () => string]> = {
      users: ['id = ?', () => userId],
      email_addresses: ['user_id = ?', () => userId],
      phone_numbers: ['user_id = ?', () => userId],
      web3_wallets: ['user_id = ?', () => userId],
      external_accounts: ['user_id = ?', () => userId],
      organizations: ['id = ?', () => organizationId],
      organization_memberships: ['organization_id = ?', () => organizationId],
    };
    const columns = Object.keys(owners).flatMap((table) =>
      (sqlite.prepare(`PRAGMA table_info(${table})`).all() as { name: string; type: string; pk: number }[])
        .filter((column) => column.type.toUpperCase() === 'INTEGER' && column.pk === 0)
        .map((column) => ({ table, column: column.name })),
    );
    assert.ok(columns.length >= 20, `only ${columns.length} integer columns`);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...columns), fc.constantFrom(...STORED), async ({ table, column }, { label, sql }) => {
        const [where, param] = owners[table]!;
        const rows = sqlite.prepare(`SELECT rowid AS r, "${column}" AS v FROM ${table} WHERE ${where}`).all(param()) as { r: number; v: unknown }[];
        try {
          sqlite.prepare(`UPDATE ${table} SET "${column}" = ${sql} WHERE ${where}`).run(param());
          await assertEveryReadAnswers(`${table}.${column} = ${label}`);
        } finally {
          const restore = sqlite.prepare(`UPDATE ${table} SET "${column}" = ? WHERE rowid = ?`);
          for (const row of rows) restore.run(row.v, row.r);
        }
      }),
      { numRuns: Number(process.env.CLERKD_FUZZ_RUNS ?? 60) },
    );
  });

  test('stored metadata and backup codes that are not JSON read as empty instead of failing', async () => {
    const sqlite = sqliteOf(server.db);
    const before = sqlite.prepare('SELECT public_metadata, backup_codes FROM users WHERE id = ?').get(userId) as { public_metadata: string; backup_codes: string | null };
    try {
      sqlite.prepare("UPDATE users SET public_metadata = '{not json', backup_codes = '[broken' WHERE id = ?").run(userId);
      sqlite.prepare("UPDATE organizations SET private_metadata = 'nope' WHERE id = ?").run(organizationId);
      const [user] = await assertEveryReadAnswers('damaged JSON');
      assert.deepEqual((user!.body as { public_metadata: unknown }).public_metadata, {});
      assert.equal((user!.body as { backup_code_enabled: unknown }).backup_code_enabled, false);
    } finally {
      sqlite.prepare('UPDATE users SET public_metadata = ?, backup_codes = ? WHERE id = ?').run(before.public_metadata, before.backup_codes, userId);
      sqlite.prepare("UPDATE organizations SET private_metadata = '{}' WHERE id = ?").run(organizationId);
    }
  });
});

describe('a write whose answer would be a 5xx', () => {
  test('PATCH of a user whose stored create_organizations_limit is Infinity answers 200, or, if it fails, commits nothing', async () => {
    const sqlite = sqliteOf(server.db);
    sqlite.prepare('UPDATE users SET create_organizations_limit = 9e999 WHERE id = ?').run(userId);
    try {
      const before = fingerprint(server.db).hash;
      const firstName = unique('F');
      const response = await api(server, 'PATCH', `/v1/users/${userId}`, { body: { first_name: firstName } });
      if (response.status >= 500) assert.equal(fingerprint(server.db).hash, before, `answered ${response.status} but committed the change`);
      assert.equal(response.status, 200, response.text);
      assert.equal((response.body as { first_name: string }).first_name, firstName);
      assert.equal((response.body as { create_organizations_limit: unknown }).create_organizations_limit, null);
    } finally {
      sqlite.prepare('UPDATE users SET create_organizations_limit = NULL WHERE id = ?').run(userId);
    }
  });

  test('adding a member to an organization whose stored max_allowed_memberships is Infinity answers without a 5xx, or commits nothing', async () => {
    const sqlite = sqliteOf(server.db);
    const member = await api(server, 'POST', '/v1/users', { body: { username: unique('m') } });
    assert.equal(member.status, 200, member.text);
    sqlite.prepare('UPDATE organizations SET max_allowed_memberships = 9e999 WHERE id = ?').run(organizationId);
    try {
      const before = fingerprint(server.db).hash;
      const response = await api(server, 'POST', `/v1/organizations/${organizationId}/memberships`, { body: { user_id: (member.body as { id: string }).id, role: 'org:member' } });
      if (response.status >= 500) assert.equal(fingerprint(server.db).hash, before, `answered ${response.status} but committed the membership`);
      assert.ok(response.status < 500, response.text);
    } finally {
      sqlite.prepare('UPDATE organizations SET max_allowed_memberships = 0 WHERE id = ?').run(organizationId);
    }
  });
});
