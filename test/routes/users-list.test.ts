/**
 * GET /v1/users and GET /v1/users/count over raw HTTP: every filter, the orderings,
 * pagination (limit, offset, starting_after) and the Clerk-shaped validation errors.
 *
 * Each describe block runs its own server (own in-memory database), and every test creates
 * its own users with random markers, scoping its queries to them (usually with `user_id`),
 * so no test sees another test's users. Fields no API sets yet (last_active_at,
 * last_sign_in_at, updated_at) and organizations, memberships and external accounts are
 * seeded straight into the database, then asserted through HTTP.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { externalAccounts, organizationMemberships, organizations, users } from '../../src/db/schema.js';
import { api, startTestServer, type ApiResponse, type TestServer } from '../support/server.js';
import { assertArrayMatchesSpec, assertMatchesSpec } from '../support/spec-schema.js';
import { assertClerkError } from '../support/clerk-errors.js';

// ---------------------------------------------------------------------------------------------
// Fixtures

interface ListedUser {
  id: string;
  created_at: number;
}

interface ClerkErrorsBody {
  errors: { code: string; meta?: { param_name?: string } }[];
}

type UserBody = Record<string, unknown>;
type SeededColumns = Partial<Pick<typeof users.$inferInsert, 'lastActiveAt' | 'lastSignInAt' | 'updatedAt'>>;

/** A fixed past instant; created_at values are spread around it so order is under control. */
const BASE_MS = Date.UTC(2021, 5, 1, 12, 0, 0);

/** A random marker starting with a letter, valid inside usernames, emails and names. */
function marker(): string {
  return `m${randomBytes(6).toString('hex')}`;
}

/** `+44` and nine random digits: append one more digit to get a valid E.164 number. */
function phoneStem(): string {
  return `+44${randomInt(100_000_000, 1_000_000_000)}`;
}

/** `0x` and 38 random hex digits: append two more to get a valid wallet address. */
function walletStem(): string {
  return `0x${randomBytes(19).toString('hex')}`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** A random whole-second instant after BASE_MS, so tests' created_at values rarely coincide. */
function someInstant(): number {
  return BASE_MS + randomInt(1, 1_000_000) * 1000;
}

function swapCase(value: string): string {
  return [...value].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('');
}

/** Query string from key/value pairs, every value percent-encoded (so `+` becomes `%2B`). */
function q(...pairs: [string, string | number | boolean][]): string {
  return pairs.map(([key, value]) => `${key}=${encodeURIComponent(String(value))}`).join('&');
}

/** `user_id=a&user_id=b…`: restricts a query to a test's own users. */
function only(ids: string[]): string {
  return q(...ids.map((id): [string, string] => ['user_id', id]));
}

function join(...parts: string[]): string {
  return parts.filter((part) => part !== '').join('&');
}

function sortedIds(ids: string[]): string[] {
  // Plain code-unit order, which for ASCII ids is the byte order SQLite and Postgres "C" use.
  return [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

async function createUser(server: TestServer, body: UserBody = {}): Promise<string> {
  const response = await api(server, 'POST', '/v1/users', { body });
  assert.equal(response.status, 200, `POST /v1/users ${JSON.stringify(body)} failed: ${response.text}`);
  return (response.body as { id: string }).id;
}

function seedColumns(server: TestServer, userId: string, columns: SeededColumns): void {
  server.db.update(users).set(columns).where(eq(users.id, userId)).run();
}

function seedOrganization(server: TestServer): string {
  const id = `org_${marker()}`;
  const now = Date.now();
  server.db.insert(organizations).values({ id, name: `Org ${id}`, slug: id, createdAt: now, updatedAt: now }).run();
  return id;
}

function seedMembership(server: TestServer, organizationId: string, userId: string): void {
  const now = Date.now();
  server.db
    .insert(organizationMemberships)
    .values({ id: `orgmem_${marker()}`, organizationId, userId, role: 'org:member', createdAt: now, updatedAt: now })
    .run();
}

function seedExternalAccount(server: TestServer, userId: string, provider: string, providerUserId: string): void {
  const now = Date.now();
  server.db
    .insert(externalAccounts)
    .values({ id: `eac_${marker()}`, userId, provider, providerUserId, createdAt: now, updatedAt: now })
    .run();
}

function assertJson(response: ApiResponse): void {
  assert.equal(response.headers.get('content-type'), 'application/json');
}

/** GET /v1/users?query, asserting a 200 bare array of spec-valid users. */
async function listUsers(server: TestServer, query: string): Promise<ListedUser[]> {
  const response = await api(server, 'GET', `/v1/users?${query}`);
  assert.equal(response.status, 200, `GET /v1/users?${query} → ${response.status} ${response.text}`);
  assertJson(response);
  assert.ok(Array.isArray(response.body), 'the list is a bare JSON array');
  assertArrayMatchesSpec('User', response.body);
  return response.body as ListedUser[];
}

async function listIds(server: TestServer, query: string): Promise<string[]> {
  return (await listUsers(server, query)).map((user) => user.id);
}

/** GET /v1/users/count?query, asserting a 200 spec-valid TotalCount; returns total_count. */
async function countUsers(server: TestServer, query: string): Promise<number> {
  const response = await api(server, 'GET', `/v1/users/count?${query}`);
  assert.equal(response.status, 200, `GET /v1/users/count?${query} → ${response.status} ${response.text}`);
  assertJson(response);
  assertMatchesSpec('TotalCount', response.body);
  const body = response.body as { object: string; total_count: number };
  assert.equal(body.object, 'total_count');
  return body.total_count;
}


function withServer(): () => TestServer {
  let server: TestServer | undefined;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server?.close();
  });
  return () => {
    assert.ok(server, 'server started');
    return server;
  };
}

// ---------------------------------------------------------------------------------------------
// Filters: each case seeds its own users and yields a query plus the users it must select.
// Every case runs twice: against the list (which users) and against the count (how many).

interface Selection {
  query: string;
  expected: string[];
}

interface FilterCase {
  behaviour: string;
  seed: (server: TestServer) => Promise<Selection>;
}

function describeFilters(section: string, cases: FilterCase[]): void {
  describe(section, () => {
    const server = withServer();
    for (const filter of cases) {
      test(`GET /v1/users: ${filter.behaviour}`, async () => {
        const { query, expected } = await filter.seed(server());
        const ids = await listIds(server(), join(query, 'limit=500'));
        assert.deepEqual(sortedIds(ids), sortedIds(expected));
      });
      test(`GET /v1/users/count: ${filter.behaviour}`, async () => {
        const { query, expected } = await filter.seed(server());
        assert.equal(await countUsers(server(), query), expected.length);
      });
    }
  });
}

describeFilters('identifier filters', [
  {
    behaviour: 'email_address selects only the user who owns that address',
    seed: async (s) => {
      const m = marker();
      const owner = await createUser(s, { email_address: [`${m}a@example.com`] });
      await createUser(s, { email_address: [`${m}b@example.com`] });
      return { query: q(['email_address', `${m}a@example.com`]), expected: [owner] };
    },
  },
  {
    behaviour: 'email_address also matches an address that is not the primary one',
    seed: async (s) => {
      const m = marker();
      const owner = await createUser(s, { email_address: [`${m}primary@example.com`, `${m}second@example.com`] });
      return { query: q(['email_address', `${m}second@example.com`]), expected: [owner] };
    },
  },
  {
    behaviour: 'repeated email_address keys select the owners of every listed address',
    seed: async (s) => {
      const m = marker();
      const first = await createUser(s, { email_address: [`${m}a@example.com`] });
      const second = await createUser(s, { email_address: [`${m}b@example.com`] });
      await createUser(s, { email_address: [`${m}c@example.com`] });
      return { query: q(['email_address', `${m}a@example.com`], ['email_address', `${m}b@example.com`]), expected: [first, second] };
    },
  },
  {
    behaviour: 'email_address matches regardless of letter case',
    seed: async (s) => {
      const m = marker();
      const owner = await createUser(s, { email_address: [`Mixed.${m}@Example.com`] });
      return { query: q(['email_address', `MIXED.${m.toUpperCase()}@EXAMPLE.COM`]), expected: [owner] };
    },
  },
  {
    behaviour: 'email_address values that match nobody are ignored',
    seed: async (s) => {
      const m = marker();
      const owner = await createUser(s, { email_address: [`${m}a@example.com`] });
      return { query: q(['email_address', `${m}a@example.com`], ['email_address', `${m}nobody@example.com`]), expected: [owner] };
    },
  },
  {
    behaviour: 'email_address matching nobody selects nobody',
    seed: async (s) => {
      const m = marker();
      await createUser(s, { email_address: [`${m}a@example.com`] });
      return { query: q(['email_address', `${m}nobody@example.com`]), expected: [] };
    },
  },
  {
    behaviour: 'phone_number (with its + sent as %2B) selects only the user who owns that number',
    seed: async (s) => {
      const stem = phoneStem();
      const owner = await createUser(s, { phone_number: [`${stem}1`] });
      await createUser(s, { phone_number: [`${stem}2`] });
      return { query: q(['phone_number', `${stem}1`]), expected: [owner] };
    },
  },
  {
    behaviour: 'repeated phone_number keys select the owners of every listed number',
    seed: async (s) => {
      const stem = phoneStem();
      const first = await createUser(s, { phone_number: [`${stem}1`] });
      const second = await createUser(s, { phone_number: [`${stem}2`] });
      await createUser(s, { phone_number: [`${stem}3`] });
      return { query: q(['phone_number', `${stem}1`], ['phone_number', `${stem}2`]), expected: [first, second] };
    },
  },
  {
    behaviour: 'phone_number still matches when its leading + is sent unencoded (arriving as a space)',
    seed: async (s) => {
      const stem = phoneStem();
      const owner = await createUser(s, { phone_number: [`${stem}1`] });
      return { query: `phone_number=${stem}1`, expected: [owner] };
    },
  },
  {
    behaviour: 'username selects only the user with that username, regardless of letter case',
    seed: async (s) => {
      const m = marker();
      const owner = await createUser(s, { username: `Cool_${m}` });
      await createUser(s, { username: `cool_${m}x` });
      return { query: q(['username', `COOL_${m.toUpperCase()}`]), expected: [owner] };
    },
  },
  {
    behaviour: 'repeated username keys select every listed user',
    seed: async (s) => {
      const m = marker();
      const first = await createUser(s, { username: `${m}_a` });
      const second = await createUser(s, { username: `${m}_b` });
      await createUser(s, { username: `${m}_c` });
      return { query: q(['username', `${m}_a`], ['username', `${m}_b`]), expected: [first, second] };
    },
  },
  {
    behaviour: 'web3_wallet in lower case matches a wallet stored in mixed (checksum) case',
    seed: async (s) => {
      const wallet = `${walletStem()}ab`;
      const mixed = `0x${[...wallet.slice(2)].map((c, i) => (i % 2 === 0 ? c.toUpperCase() : c)).join('')}`;
      const owner = await createUser(s, { web3_wallet: [mixed] });
      await createUser(s, { web3_wallet: [`${walletStem()}ab`] });
      return { query: q(['web3_wallet', wallet.toLowerCase()]), expected: [owner] };
    },
  },
  {
    behaviour: 'web3_wallet in upper case matches a wallet stored in lower case',
    seed: async (s) => {
      const wallet = `${walletStem()}cd`;
      const owner = await createUser(s, { web3_wallet: [wallet] });
      return { query: q(['web3_wallet', `0x${wallet.slice(2).toUpperCase()}`]), expected: [owner] };
    },
  },
  {
    behaviour: 'repeated web3_wallet keys select the owners of every listed wallet',
    seed: async (s) => {
      const stem = walletStem();
      const first = await createUser(s, { web3_wallet: [`${stem}01`] });
      const second = await createUser(s, { web3_wallet: [`${stem}02`] });
      await createUser(s, { web3_wallet: [`${stem}03`] });
      return { query: q(['web3_wallet', `${stem}01`], ['web3_wallet', `${stem}02`]), expected: [first, second] };
    },
  },
  {
    behaviour: 'different filters combine with AND',
    seed: async (s) => {
      const m = marker();
      const banned = await createUser(s, { email_address: [`${m}a@example.com`], banned: true });
      await createUser(s, { email_address: [`${m}b@example.com`] });
      return {
        query: q(['email_address', `${m}a@example.com`], ['email_address', `${m}b@example.com`], ['banned', true]),
        expected: [banned],
      };
    },
  },
]);

async function externalIdTrio(s: TestServer): Promise<{ m: string; a: string; b: string; none: string }> {
  const m = marker();
  const a = await createUser(s, { external_id: `${m}-a` });
  const b = await createUser(s, { external_id: `${m}-b` });
  const none = await createUser(s, { first_name: m });
  return { m, a, b, none };
}

async function organizationFixture(s: TestServer) {
  const orgOne = seedOrganization(s);
  const orgTwo = seedOrganization(s);
  const inOne = await createUser(s);
  const inTwo = await createUser(s);
  const inBoth = await createUser(s);
  const inNone = await createUser(s);
  seedMembership(s, orgOne, inOne);
  seedMembership(s, orgTwo, inTwo);
  seedMembership(s, orgOne, inBoth);
  seedMembership(s, orgTwo, inBoth);
  return { orgOne, orgTwo, inOne, inTwo, inBoth, inNone, all: [inOne, inTwo, inBoth, inNone] };
}

describeFilters('include/exclude filters (external_id, user_id, organization_id)', [
  {
    behaviour: 'external_id without a prefix selects the user with that external id',
    seed: async (s) => {
      const { m, a } = await externalIdTrio(s);
      return { query: q(['external_id', `${m}-a`]), expected: [a] };
    },
  },
  {
    behaviour: 'external_id with a + prefix (sent as %2B) includes the user with that external id',
    seed: async (s) => {
      const { m, a } = await externalIdTrio(s);
      return { query: q(['external_id', `+${m}-a`]), expected: [a] };
    },
  },
  {
    behaviour: 'external_id with a - prefix excludes the user with that external id',
    seed: async (s) => {
      const { m, a, b, none } = await externalIdTrio(s);
      return { query: join(q(['external_id', `-${m}-a`]), only([a, b, none])), expected: [b, none] };
    },
  },
  {
    behaviour: 'external_id includes and excludes combine',
    seed: async (s) => {
      const { m, a } = await externalIdTrio(s);
      return { query: q(['external_id', `${m}-a`], ['external_id', `+${m}-b`], ['external_id', `-${m}-b`]), expected: [a] };
    },
  },
  {
    behaviour: 'user_id without a prefix selects the listed users',
    seed: async (s) => {
      const a = await createUser(s);
      const b = await createUser(s);
      await createUser(s);
      return { query: q(['user_id', a], ['user_id', b]), expected: [a, b] };
    },
  },
  {
    behaviour: 'user_id with a + prefix (sent as %2B) includes that user',
    seed: async (s) => {
      const a = await createUser(s);
      await createUser(s);
      return { query: q(['user_id', `+${a}`]), expected: [a] };
    },
  },
  {
    behaviour: 'user_id with an unencoded + prefix (arriving as a space) still includes that user',
    seed: async (s) => {
      const a = await createUser(s);
      await createUser(s);
      return { query: `user_id=+${a}`, expected: [a] };
    },
  },
  {
    behaviour: 'user_id with a - prefix excludes that user',
    seed: async (s) => {
      const m = marker();
      const a = await createUser(s, { last_name: m });
      const b = await createUser(s, { last_name: m });
      const c = await createUser(s, { last_name: m });
      return { query: q(['name_query', m], ['user_id', `-${b}`]), expected: [a, c] };
    },
  },
  {
    behaviour: 'user_id includes and excludes combine',
    seed: async (s) => {
      const a = await createUser(s);
      const b = await createUser(s);
      return { query: q(['user_id', a], ['user_id', `+${b}`], ['user_id', `-${b}`]), expected: [a] };
    },
  },
  {
    behaviour: 'user_id values that match nobody are ignored',
    seed: async (s) => {
      const a = await createUser(s);
      return { query: q(['user_id', a], ['user_id', 'user_doesnotexist000000000000000']), expected: [a] };
    },
  },
  {
    behaviour: 'organization_id without a prefix selects the members of that organization',
    seed: async (s) => {
      const f = await organizationFixture(s);
      return { query: q(['organization_id', f.orgOne]), expected: [f.inOne, f.inBoth] };
    },
  },
  {
    behaviour: 'organization_id with a + prefix (sent as %2B) selects the members of that organization',
    seed: async (s) => {
      const f = await organizationFixture(s);
      return { query: q(['organization_id', `+${f.orgTwo}`]), expected: [f.inTwo, f.inBoth] };
    },
  },
  {
    behaviour: 'repeated organization_id keys select members of any listed organization, each once',
    seed: async (s) => {
      const f = await organizationFixture(s);
      return { query: q(['organization_id', f.orgOne], ['organization_id', f.orgTwo]), expected: [f.inOne, f.inTwo, f.inBoth] };
    },
  },
  {
    behaviour: 'organization_id with a - prefix excludes the members of that organization',
    seed: async (s) => {
      const f = await organizationFixture(s);
      return { query: join(q(['organization_id', `-${f.orgOne}`]), only(f.all)), expected: [f.inTwo, f.inNone] };
    },
  },
  {
    behaviour: 'organization_id includes and excludes combine',
    seed: async (s) => {
      const f = await organizationFixture(s);
      return { query: q(['organization_id', f.orgTwo], ['organization_id', `-${f.orgOne}`]), expected: [f.inTwo] };
    },
  },
]);

describeFilters('search filters (query, *_query, name_query)', [
  {
    behaviour: 'query matches part of an email address, regardless of letter case',
    seed: async (s) => {
      const m = marker();
      const owner = await createUser(s, { email_address: [`${m}.smith@example.com`] });
      await createUser(s, { email_address: [`${marker()}.smith@example.com`] });
      return { query: q(['query', m.slice(1, 10).toUpperCase()]), expected: [owner] };
    },
  },
  {
    behaviour: 'query matches part of a phone number',
    seed: async (s) => {
      const stem = phoneStem();
      const owner = await createUser(s, { phone_number: [`${stem}7`] });
      return { query: q(['query', stem.slice(4, 12)]), expected: [owner] };
    },
  },
  {
    behaviour: 'query matches part of a username, regardless of letter case',
    seed: async (s) => {
      const m = marker();
      const owner = await createUser(s, { username: `the_${m}_user` });
      return { query: q(['query', `E_${m.toUpperCase()}`]), expected: [owner] };
    },
  },
  {
    behaviour: 'query matches part of a web3 wallet, regardless of letter case',
    seed: async (s) => {
      const wallet = `${walletStem()}ef`;
      const owner = await createUser(s, { web3_wallet: [wallet] });
      return { query: q(['query', wallet.slice(10, 30).toUpperCase()]), expected: [owner] };
    },
  },
  {
    behaviour: 'query matches part of the user id, regardless of letter case',
    seed: async (s) => {
      const owner = await createUser(s);
      await createUser(s);
      return { query: q(['query', swapCase(owner.slice(8, 22))]), expected: [owner] };
    },
  },
  {
    behaviour: 'query matches part of the first name, regardless of letter case',
    seed: async (s) => {
      const m = marker();
      const owner = await createUser(s, { first_name: `Ada${m}` });
      return { query: q(['query', `DA${m.toUpperCase()}`]), expected: [owner] };
    },
  },
  {
    behaviour: 'query matches part of the last name, regardless of letter case',
    seed: async (s) => {
      const m = marker();
      const owner = await createUser(s, { last_name: `Lovelace${m}` });
      return { query: q(['query', `ELACE${m.toUpperCase()}`]), expected: [owner] };
    },
  },
  {
    behaviour: 'query treats % as a literal character, not a wildcard',
    seed: async (s) => {
      const m = marker();
      await createUser(s, { first_name: `${m}XYZtail` });
      const literal = await createUser(s, { first_name: `${m}%tail` });
      return { query: q(['query', `${m}%tail`]), expected: [literal] };
    },
  },
  {
    behaviour: 'query treats _ as a literal character, not a wildcard',
    seed: async (s) => {
      const m = marker();
      await createUser(s, { first_name: `${m}Xtail` });
      const literal = await createUser(s, { first_name: `${m}_tail` });
      return { query: q(['query', `${m}_tail`]), expected: [literal] };
    },
  },
  {
    behaviour: 'email_address_query matches part of an email address, regardless of letter case, and nothing else',
    seed: async (s) => {
      const m = marker();
      const owner = await createUser(s, { email_address: [`HELLO${m}@example.com`] });
      await createUser(s, { username: `ello${m}`, first_name: `ello${m}` });
      return { query: q(['email_address_query', `Ello${m}`]), expected: [owner] };
    },
  },
  {
    behaviour: 'phone_number_query matches part of a phone number, and nothing else',
    seed: async (s) => {
      const stem = phoneStem();
      const digits = stem.slice(4, 11);
      const owner = await createUser(s, { phone_number: [`${stem}5`] });
      await createUser(s, { first_name: `n${digits}`, email_address: [`e${digits}@example.com`] });
      return { query: q(['phone_number_query', digits]), expected: [owner] };
    },
  },
  {
    behaviour: 'username_query matches part of a username, regardless of letter case, and nothing else',
    seed: async (s) => {
      const m = marker();
      const owner = await createUser(s, { username: `some${m}cooluser` });
      await createUser(s, { first_name: `${m}CoolUser`, email_address: [`${m}cooluser@example.com`] });
      return { query: q(['username_query', `${m}CoolUser`]), expected: [owner] };
    },
  },
  {
    behaviour: 'name_query matches part of the first name, regardless of letter case',
    seed: async (s) => {
      const m = marker();
      const owner = await createUser(s, { first_name: `Grace${m}`, last_name: 'Hopper' });
      await createUser(s, { email_address: [`grace${m}@example.com`], username: `grace${m}` });
      return { query: q(['name_query', `RACE${m.toUpperCase()}`]), expected: [owner] };
    },
  },
  {
    behaviour: 'name_query matches part of the last name, regardless of letter case',
    seed: async (s) => {
      const m = marker();
      const owner = await createUser(s, { first_name: 'Grace', last_name: `Hopper${m}` });
      return { query: q(['name_query', `OPPER${m.toUpperCase()}`]), expected: [owner] };
    },
  },
  {
    behaviour: 'name_query matches "first last" across both names',
    seed: async (s) => {
      const m = marker();
      const owner = await createUser(s, { first_name: `Grace${m}`, last_name: 'Hopper' });
      await createUser(s, { first_name: `Grace${m}`, last_name: 'Murray' });
      return { query: q(['name_query', `grace${m} hopper`]), expected: [owner] };
    },
  },
]);

async function createdAtTrio(s: TestServer) {
  const t = someInstant();
  const early = await createUser(s, { created_at: iso(t - 1) });
  const exact = await createUser(s, { created_at: iso(t) });
  const late = await createUser(s, { created_at: iso(t + 1) });
  return { t, early, exact, late, scope: only([early, exact, late]) };
}

/** Users whose `column` is t-1, t, t+1 and null (never). */
async function timestampQuartet(s: TestServer, column: 'lastActiveAt' | 'lastSignInAt') {
  const t = someInstant();
  const early = await createUser(s);
  const exact = await createUser(s);
  const late = await createUser(s);
  const never = await createUser(s);
  seedColumns(s, early, { [column]: t - 1 });
  seedColumns(s, exact, { [column]: t });
  seedColumns(s, late, { [column]: t + 1 });
  return { t, early, exact, late, never, scope: only([early, exact, late, never]) };
}

describeFilters('state and date filters', [
  {
    behaviour: 'banned=true selects only banned users',
    seed: async (s) => {
      const banned = await createUser(s, { banned: true });
      const free = await createUser(s);
      return { query: join('banned=true', only([banned, free])), expected: [banned] };
    },
  },
  {
    behaviour: 'banned=false selects only users who are not banned',
    seed: async (s) => {
      const banned = await createUser(s, { banned: true });
      const free = await createUser(s);
      return { query: join('banned=false', only([banned, free])), expected: [free] };
    },
  },
  {
    behaviour: 'created_at_after selects users created strictly after the instant',
    seed: async (s) => {
      const f = await createdAtTrio(s);
      return { query: join(q(['created_at_after', f.t]), f.scope), expected: [f.late] };
    },
  },
  {
    behaviour: 'created_at_before selects users created strictly before the instant',
    seed: async (s) => {
      const f = await createdAtTrio(s);
      return { query: join(q(['created_at_before', f.t]), f.scope), expected: [f.early] };
    },
  },
  {
    behaviour: 'created_at_after and created_at_before together select the window between them',
    seed: async (s) => {
      const f = await createdAtTrio(s);
      return { query: join(q(['created_at_after', f.t - 1], ['created_at_before', f.t + 1]), f.scope), expected: [f.exact] };
    },
  },
  {
    behaviour: 'last_active_at_after selects users active strictly after the instant',
    seed: async (s) => {
      const f = await timestampQuartet(s, 'lastActiveAt');
      return { query: join(q(['last_active_at_after', f.t]), f.scope), expected: [f.late] };
    },
  },
  {
    behaviour: 'last_active_at_before selects users active strictly before the instant, never those never active',
    seed: async (s) => {
      const f = await timestampQuartet(s, 'lastActiveAt');
      return { query: join(q(['last_active_at_before', f.t]), f.scope), expected: [f.early] };
    },
  },
  {
    behaviour: 'last_active_at_since (deprecated) selects users active at or after the instant',
    seed: async (s) => {
      const f = await timestampQuartet(s, 'lastActiveAt');
      return { query: join(q(['last_active_at_since', f.t]), f.scope), expected: [f.exact, f.late] };
    },
  },
  {
    behaviour: 'last_sign_in_at_after selects users who signed in strictly after the instant',
    seed: async (s) => {
      const f = await timestampQuartet(s, 'lastSignInAt');
      return { query: join(q(['last_sign_in_at_after', f.t]), f.scope), expected: [f.late] };
    },
  },
  {
    behaviour: 'last_sign_in_at_before selects users who signed in strictly before the instant, never those who never did',
    seed: async (s) => {
      const f = await timestampQuartet(s, 'lastSignInAt');
      return { query: join(q(['last_sign_in_at_before', f.t]), f.scope), expected: [f.early] };
    },
  },
]);

async function providerFixture(s: TestServer) {
  const m = marker();
  const google = await createUser(s);
  const otherGoogle = await createUser(s);
  const github = await createUser(s);
  seedExternalAccount(s, google, 'oauth_google', `${m}-1`);
  seedExternalAccount(s, otherGoogle, 'oauth_google', `${m}-2`);
  seedExternalAccount(s, github, 'oauth_github', `${m}-1`);
  return { m, google, otherGoogle, github };
}

describeFilters('provider filter', [
  {
    behaviour: 'provider with provider_user_id selects the user linked to that account of that provider only',
    seed: async (s) => {
      const f = await providerFixture(s);
      return { query: q(['provider', 'oauth_google'], ['provider_user_id', `${f.m}-1`]), expected: [f.google] };
    },
  },
  {
    behaviour: 'repeated provider_user_id keys select every linked user of that provider',
    seed: async (s) => {
      const f = await providerFixture(s);
      return {
        query: q(['provider', 'oauth_google'], ['provider_user_id', `${f.m}-1`], ['provider_user_id', `${f.m}-2`], ['provider_user_id', `${f.m}-9`]),
        expected: [f.google, f.otherGoogle],
      };
    },
  },
]);

// ---------------------------------------------------------------------------------------------
// Response shapes

describe('response shapes', () => {
  const server = withServer();

  test('GET /v1/users returns a bare JSON array of spec-valid User objects', async () => {
    const s = server();
    const m = marker();
    const rich = await createUser(s, {
      email_address: [`${m}@example.com`],
      phone_number: [`${phoneStem()}1`],
      web3_wallet: [`${walletStem()}aa`],
      username: m,
      first_name: 'Rich',
      last_name: 'User',
      external_id: m,
    });
    seedExternalAccount(s, rich, 'oauth_google', m);
    seedMembership(s, seedOrganization(s), rich);
    seedColumns(s, rich, { lastActiveAt: BASE_MS, lastSignInAt: BASE_MS });
    const plain = await createUser(s);
    const response = await api(s, 'GET', `/v1/users?${only([rich, plain])}`);
    assert.equal(response.status, 200);
    assertJson(response);
    assert.ok(Array.isArray(response.body));
    assert.equal(response.body.length, 2);
    assertArrayMatchesSpec('User', response.body);
  });

  test('GET /v1/users returns an empty JSON array when no user matches', async () => {
    const response = await api(server(), 'GET', `/v1/users?${q(['email_address', `${marker()}@example.com`])}`);
    assert.equal(response.status, 200);
    assertJson(response);
    assert.deepEqual(response.body, []);
  });

  test('GET /v1/users/count returns exactly {"object":"total_count","total_count":N}', async () => {
    const s = server();
    const ids = [await createUser(s), await createUser(s)];
    const response = await api(s, 'GET', `/v1/users/count?${only(ids)}`);
    assert.equal(response.status, 200);
    assertJson(response);
    assertMatchesSpec('TotalCount', response.body);
    assert.deepEqual(response.body, { object: 'total_count', total_count: 2 });
  });

  test('GET /v1/users/count without filters counts every user', async () => {
    const own = await startTestServer();
    try {
      for (let i = 0; i < 3; i += 1) await createUser(own);
      assert.equal(await countUsers(own, ''), 3);
    } finally {
      await own.close();
    }
  });

  test('GET /v1/users/count ignores limit and offset', async () => {
    const s = server();
    const ids = [await createUser(s), await createUser(s), await createUser(s)];
    assert.equal(await countUsers(s, join(only(ids), 'limit=1&offset=2')), 3);
  });
});

// ---------------------------------------------------------------------------------------------
// Pagination

/** `n` users created one second apart, oldest first, all sharing a last_name marker. */
async function createdSeries(s: TestServer, n: number): Promise<{ ids: string[]; scope: string }> {
  const m = marker();
  const t = someInstant();
  const ids: string[] = [];
  for (let i = 0; i < n; i += 1) ids.push(await createUser(s, { last_name: m, created_at: iso(t + i * 1000) }));
  return { ids, scope: q(['name_query', m]) };
}

describe('pagination: limit and offset', () => {
  const server = withServer();

  test('limit defaults to 10', async () => {
    const { ids, scope } = await createdSeries(server(), 11);
    const listed = await listIds(server(), scope);
    assert.deepEqual(listed, ids.slice(1).reverse());
  });

  test('limit caps the number of users returned', async () => {
    const { ids, scope } = await createdSeries(server(), 3);
    assert.deepEqual(await listIds(server(), join(scope, 'limit=2')), [ids[2], ids[1]]);
  });

  test('limit=1 is accepted and returns one user', async () => {
    const { ids, scope } = await createdSeries(server(), 2);
    assert.deepEqual(await listIds(server(), join(scope, 'limit=1')), [ids[1]]);
  });

  test('limit=500 is accepted', async () => {
    const { ids, scope } = await createdSeries(server(), 12);
    assert.deepEqual(await listIds(server(), join(scope, 'limit=500')), [...ids].reverse());
  });

  test('offset skips the first users of the ordering', async () => {
    const { ids, scope } = await createdSeries(server(), 4);
    assert.deepEqual(await listIds(server(), join(scope, 'offset=1&limit=2')), [ids[2], ids[1]]);
  });

  test('offset applies to ascending order too', async () => {
    const { ids, scope } = await createdSeries(server(), 4);
    assert.deepEqual(await listIds(server(), join(scope, 'order_by=created_at&offset=1&limit=2')), [ids[1], ids[2]]);
  });

  test('offset past the last user returns an empty array', async () => {
    const { scope } = await createdSeries(server(), 2);
    assert.deepEqual(await listIds(server(), join(scope, 'offset=2')), []);
  });
});

describe('pagination: starting_after', () => {
  const server = withServer();

  test('starting_after returns the users after the cursor in the default newest-first order', async () => {
    const { ids, scope } = await createdSeries(server(), 4);
    assert.deepEqual(await listIds(server(), join(scope, q(['starting_after', ids[2]!]))), [ids[1], ids[0]]);
  });

  test('starting_after honours limit', async () => {
    const { ids, scope } = await createdSeries(server(), 4);
    assert.deepEqual(await listIds(server(), join(scope, q(['starting_after', ids[3]!]), 'limit=2')), [ids[2], ids[1]]);
  });

  test('starting_after with order_by=-created_at behaves like the default order', async () => {
    const { ids, scope } = await createdSeries(server(), 4);
    assert.deepEqual(await listIds(server(), join(scope, 'order_by=-created_at', q(['starting_after', ids[2]!]))), [ids[1], ids[0]]);
  });

  test('starting_after with order_by=created_at returns the users created after the cursor, oldest first', async () => {
    const { ids, scope } = await createdSeries(server(), 4);
    assert.deepEqual(await listIds(server(), join(scope, 'order_by=created_at', q(['starting_after', ids[1]!]))), [ids[2], ids[3]]);
  });

  test('starting_after with order_by=%2Bcreated_at returns the users created after the cursor, oldest first', async () => {
    const { ids, scope } = await createdSeries(server(), 4);
    assert.deepEqual(await listIds(server(), join(scope, 'order_by=%2Bcreated_at', q(['starting_after', ids[1]!]))), [ids[2], ids[3]]);
  });

  test('starting_after on the last user returns an empty array', async () => {
    const { ids, scope } = await createdSeries(server(), 2);
    assert.deepEqual(await listIds(server(), join(scope, q(['starting_after', ids[0]!]))), []);
  });

  test('starting_after with an explicit offset=0 is accepted', async () => {
    const { ids, scope } = await createdSeries(server(), 3);
    assert.deepEqual(await listIds(server(), join(scope, 'offset=0', q(['starting_after', ids[2]!]))), [ids[1], ids[0]]);
  });

  test('starting_after is accepted when the first of repeated order_by values is created_at', async () => {
    const { ids, scope } = await createdSeries(server(), 3);
    const query = join(scope, 'order_by=created_at&order_by=username', q(['starting_after', ids[0]!]));
    assert.deepEqual(await listIds(server(), query), [ids[1], ids[2]]);
  });

  test('walking pages with starting_after visits users sharing a created_at exactly once each', async () => {
    const s = server();
    const m = marker();
    const t = someInstant();
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) ids.push(await createUser(s, { last_name: m, created_at: iso(t) }));
    ids.push(await createUser(s, { last_name: m, created_at: iso(t - 1000) }));
    const scope = q(['name_query', m]);
    const everyone = await listIds(s, scope);
    assert.equal(everyone.length, 6);
    const walked: string[] = [];
    let cursor: string | undefined;
    for (let round = 0; round < 10; round += 1) {
      const page = await listIds(s, join(scope, 'limit=2', cursor === undefined ? '' : q(['starting_after', cursor])));
      walked.push(...page);
      if (page.length < 2) break;
      cursor = page[page.length - 1];
    }
    assert.deepEqual(walked, everyone);
  });

  test('starting_after walks ascending order through users sharing a created_at exactly once each', async () => {
    const s = server();
    const m = marker();
    const t = someInstant();
    for (let i = 0; i < 4; i += 1) await createUser(s, { last_name: m, created_at: iso(t) });
    const scope = join(q(['name_query', m]), 'order_by=created_at');
    const everyone = await listIds(s, scope);
    const walked: string[] = [];
    let cursor: string | undefined;
    for (let round = 0; round < 10; round += 1) {
      const page = await listIds(s, join(scope, 'limit=1', cursor === undefined ? '' : q(['starting_after', cursor])));
      walked.push(...page);
      if (page.length < 1) break;
      cursor = page[0];
    }
    assert.deepEqual(walked, everyone);
  });

  for (const orderBy of ['username', '-updated_at', '%2Bemail_address', 'last_active_at']) {
    test(`starting_after with order_by=${orderBy} is rejected with 422 form_conditional_param_disallowed`, async () => {
      const id = await createUser(server());
      const response = await api(server(), 'GET', `/v1/users?order_by=${orderBy}&${q(['starting_after', id])}`);
      assertClerkError(response, 422, 'form_conditional_param_disallowed', 'starting_after');
    });
  }

  test('starting_after with a non-zero offset is rejected with 422 form_conditional_param_disallowed', async () => {
    const id = await createUser(server());
    const response = await api(server(), 'GET', `/v1/users?offset=1&${q(['starting_after', id])}`);
    assertClerkError(response, 422, 'form_conditional_param_disallowed', 'starting_after');
  });

  test('starting_after naming an unknown user is rejected with 422', async () => {
    const response = await api(server(), 'GET', `/v1/users?${q(['starting_after', 'user_2doesnotexist000000000000'])}`);
    assertClerkError(response, 422, 'form_param_value_invalid', 'starting_after');
  });
});

// ---------------------------------------------------------------------------------------------
// Ordering

interface OrderContext {
  m: string;
  phone: string;
  wallet: string;
}

interface OrderedField {
  name: string;
  nullable: boolean;
  /** Creates a user whose value for the field has `rank` (0 < 1 < 2), or no value when rank is null. */
  make: (s: TestServer, ctx: OrderContext, rank: number | null, createdAt: number) => Promise<string>;
}

const LETTERS = ['a', 'b', 'c'];

function bodyField(field: string, value: (ctx: OrderContext, rank: number) => unknown): OrderedField['make'] {
  return (s, ctx, rank, createdAt) => createUser(s, { created_at: iso(createdAt), ...(rank === null ? {} : { [field]: value(ctx, rank) }) });
}

function columnField(column: 'lastActiveAt' | 'lastSignInAt' | 'updatedAt'): OrderedField['make'] {
  return async (s, _ctx, rank, createdAt) => {
    const id = await createUser(s, { created_at: iso(createdAt) });
    // Values in the future so they sort apart from the updated_at every other user has.
    seedColumns(s, id, { [column]: rank === null ? null : Date.now() + 10_000_000 + rank * 1000 });
    return id;
  };
}

const ORDERED_FIELDS: OrderedField[] = [
  { name: 'created_at', nullable: false, make: (s, _ctx, rank, createdAt) => createUser(s, { created_at: iso(createdAt + (rank ?? 0) * 60_000) }) },
  { name: 'updated_at', nullable: false, make: columnField('updatedAt') },
  { name: 'email_address', nullable: true, make: bodyField('email_address', (ctx, rank) => [`${ctx.m}${LETTERS[rank]}@example.com`]) },
  { name: 'web3wallet', nullable: true, make: bodyField('web3_wallet', (ctx, rank) => [`${ctx.wallet}0${LETTERS[rank]}`]) },
  { name: 'first_name', nullable: true, make: bodyField('first_name', (ctx, rank) => `${ctx.m}${LETTERS[rank]}`) },
  { name: 'last_name', nullable: true, make: bodyField('last_name', (ctx, rank) => `${ctx.m}${LETTERS[rank]}`) },
  { name: 'phone_number', nullable: true, make: bodyField('phone_number', (ctx, rank) => [`${ctx.phone}${rank + 1}`]) },
  { name: 'username', nullable: true, make: bodyField('username', (ctx, rank) => `${ctx.m}${LETTERS[rank]}`) },
  { name: 'last_active_at', nullable: true, make: columnField('lastActiveAt') },
  { name: 'last_sign_in_at', nullable: true, make: columnField('lastSignInAt') },
];

function orderContext(): OrderContext {
  return { m: marker(), phone: phoneStem(), wallet: walletStem() };
}

/**
 * Users ranked low/high (and one without a value when the field is nullable), created so that
 * creation order differs from the field's order: the default order cannot pass for it.
 */
async function rankedUsers(s: TestServer, field: OrderedField) {
  const ctx = orderContext();
  const t = someInstant();
  if (field.nullable) {
    const high = await field.make(s, ctx, 1, t);
    const none = await field.make(s, ctx, null, t + 1000);
    const low = await field.make(s, ctx, 0, t + 2000);
    return { ascending: [low, high, none], descending: [none, high, low], scope: only([low, high, none]) };
  }
  const high = await field.make(s, ctx, 2, t);
  const low = await field.make(s, ctx, 0, t + 1000);
  const middle = await field.make(s, ctx, 1, t + 2000);
  return { ascending: [low, middle, high], descending: [high, middle, low], scope: only([low, middle, high]) };
}

describe('ordering', () => {
  const server = withServer();

  test('without order_by, users are listed newest first (-created_at)', async () => {
    const { ids, scope } = await createdSeries(server(), 3);
    assert.deepEqual(await listIds(server(), scope), [...ids].reverse());
  });

  for (const field of ORDERED_FIELDS) {
    const nullsAsc = field.nullable ? `, users without ${field.name} last` : '';
    const nullsDesc = field.nullable ? `, users without ${field.name} first` : '';
    test(`order_by=%2B${field.name} sorts ascending${nullsAsc}`, async () => {
      const f = await rankedUsers(server(), field);
      assert.deepEqual(await listIds(server(), join(f.scope, `order_by=%2B${field.name}`)), f.ascending);
    });
    test(`order_by=${field.name} without a sign sorts ascending${nullsAsc}`, async () => {
      const f = await rankedUsers(server(), field);
      assert.deepEqual(await listIds(server(), join(f.scope, `order_by=${field.name}`)), f.ascending);
    });
    test(`order_by=-${field.name} sorts descending${nullsDesc}`, async () => {
      const f = await rankedUsers(server(), field);
      assert.deepEqual(await listIds(server(), join(f.scope, `order_by=-${field.name}`)), f.descending);
    });
  }

  test('order_by with an unencoded + (arriving as a space) sorts ascending', async () => {
    const f = await rankedUsers(server(), ORDERED_FIELDS.find((field) => field.name === 'first_name')!);
    assert.deepEqual(await listIds(server(), join(f.scope, 'order_by=+first_name')), f.ascending);
  });

  test('users created at the same instant are listed by id descending under the default order', async () => {
    const s = server();
    const t = someInstant();
    const ids = [await createUser(s, { created_at: iso(t) }), await createUser(s, { created_at: iso(t) }), await createUser(s, { created_at: iso(t) })];
    assert.deepEqual(await listIds(s, only(ids)), sortedIds(ids).reverse());
  });

  test('users created at the same instant are listed by id ascending under order_by=created_at', async () => {
    const s = server();
    const t = someInstant();
    const ids = [await createUser(s, { created_at: iso(t) }), await createUser(s, { created_at: iso(t) }), await createUser(s, { created_at: iso(t) })];
    assert.deepEqual(await listIds(s, join(only(ids), 'order_by=created_at')), sortedIds(ids));
  });

  test('users sharing a first_name are listed by id ascending under order_by=first_name', async () => {
    const s = server();
    const name = marker();
    const ids = [await createUser(s, { first_name: name }), await createUser(s, { first_name: name }), await createUser(s, { first_name: name })];
    assert.deepEqual(await listIds(s, join(only(ids), 'order_by=first_name')), sortedIds(ids));
  });

  test('users sharing a first_name are listed by id descending under order_by=-first_name', async () => {
    const s = server();
    const name = marker();
    const ids = [await createUser(s, { first_name: name }), await createUser(s, { first_name: name }), await createUser(s, { first_name: name })];
    assert.deepEqual(await listIds(s, join(only(ids), 'order_by=-first_name')), sortedIds(ids).reverse());
  });

  test('users without an email address come last under order_by=email_address, by id ascending', async () => {
    const s = server();
    const withEmail = await createUser(s, { email_address: [`${marker()}@example.com`] });
    const without = [await createUser(s), await createUser(s), await createUser(s)];
    assert.deepEqual(await listIds(s, join(only([withEmail, ...without]), 'order_by=email_address')), [withEmail, ...sortedIds(without)]);
  });

  test('users without an email address come first under order_by=-email_address, by id descending', async () => {
    const s = server();
    const withEmail = await createUser(s, { email_address: [`${marker()}@example.com`] });
    const without = [await createUser(s), await createUser(s), await createUser(s)];
    assert.deepEqual(await listIds(s, join(only([withEmail, ...without]), 'order_by=-email_address')), [...sortedIds(without).reverse(), withEmail]);
  });

  test('order_by=email_address sorts by the primary email address', async () => {
    const s = server();
    const m = marker();
    const primaryB = await createUser(s, { email_address: [`${m}b@example.com`, `${m}a@example.com`] });
    const primaryC = await createUser(s, { email_address: [`${m}c@example.com`] });
    assert.deepEqual(await listIds(s, join(only([primaryC, primaryB]), 'order_by=email_address')), [primaryB, primaryC]);
  });

  test('when order_by is repeated only the first one counts', async () => {
    const s = server();
    const m = marker();
    const t = someInstant();
    const older = await createUser(s, { first_name: `${m}b`, created_at: iso(t) });
    const newer = await createUser(s, { first_name: `${m}a`, created_at: iso(t + 1000) });
    const olderFirst = await listIds(s, join(only([older, newer]), 'order_by=-first_name&order_by=-created_at'));
    assert.deepEqual(olderFirst, [older, newer]);
  });

  for (const orderBy of ['password', '-email', 'web3_wallet', 'created_at%20desc']) {
    test(`order_by=${orderBy} is rejected with 400 invalid_query_parameter_value`, async () => {
      const response = await api(server(), 'GET', `/v1/users?order_by=${orderBy}`);
      assertClerkError(response, 400, 'invalid_query_parameter_value', 'order_by');
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Validation errors

const DATE_PARAMS = [
  'created_at_before',
  'created_at_after',
  'last_active_at_before',
  'last_active_at_after',
  'last_active_at_since',
  'last_sign_in_at_before',
  'last_sign_in_at_after',
];

const ARRAY_PARAMS = ['email_address', 'phone_number', 'external_id', 'username', 'web3_wallet', 'user_id', 'organization_id', 'provider_user_id'];

function manyValues(param: string, n: number): string {
  const values = Array.from({ length: n }, (_, i): [string, string] => [param, `v${i}x`]);
  return join(param === 'provider_user_id' ? 'provider=oauth_google' : '', q(...values));
}

describe('validation errors', () => {
  const server = withServer();

  for (const [value, code] of [
    ['0', 'form_param_value_invalid'],
    ['501', 'form_param_value_invalid'],
    ['-1', 'form_param_value_invalid'],
    ['abc', 'form_param_type_invalid'],
    ['1.5', 'form_param_type_invalid'],
  ] as const) {
    test(`limit=${value} is rejected with 422 ${code}`, async () => {
      const response = await api(server(), 'GET', `/v1/users?limit=${value}`);
      assertClerkError(response, 422, code, 'limit');
    });
  }

  test('offset=-1 is rejected with 422 form_param_value_invalid', async () => {
    const response = await api(server(), 'GET', '/v1/users?offset=-1');
    assertClerkError(response, 422, 'form_param_value_invalid', 'offset');
  });

  test('offset=abc is rejected with 422 form_param_type_invalid', async () => {
    const response = await api(server(), 'GET', '/v1/users?offset=abc');
    assertClerkError(response, 422, 'form_param_type_invalid', 'offset');
  });

  for (const path of ['/v1/users', '/v1/users/count']) {
    test(`GET ${path} with banned=maybe is rejected with 422 form_param_type_invalid`, async () => {
      const response = await api(server(), 'GET', `${path}?banned=maybe`);
      assertClerkError(response, 422, 'form_param_type_invalid', 'banned');
    });

    for (const param of DATE_PARAMS) {
      test(`GET ${path} with ${param}=yesterday is rejected with 422 form_param_invalid_date`, async () => {
        const response = await api(server(), 'GET', `${path}?${param}=yesterday`);
        assertClerkError(response, 422, 'form_param_invalid_date', param);
      });
    }

    test(`GET ${path} with provider but no provider_user_id is rejected with 422 form_conditional_param_missing`, async () => {
      const response = await api(server(), 'GET', `${path}?provider=oauth_google`);
      assertClerkError(response, 422, 'form_conditional_param_missing', 'provider_user_id');
    });

    test(`GET ${path} with provider_user_id but no provider is rejected with 422 form_conditional_param_missing`, async () => {
      const response = await api(server(), 'GET', `${path}?provider_user_id=12345`);
      assertClerkError(response, 422, 'form_conditional_param_missing', 'provider');
    });

    for (const param of ARRAY_PARAMS) {
      test(`GET ${path} with 101 ${param} values is rejected with 422 form_param_value_invalid`, async () => {
        const response = await api(server(), 'GET', `${path}?${manyValues(param, 101)}`);
        assertClerkError(response, 422, 'form_param_value_invalid', param);
      });
    }

    test(`GET ${path} accepts exactly 100 email_address values`, async () => {
      const response = await api(server(), 'GET', `${path}?${manyValues('email_address', 100)}`);
      assert.equal(response.status, 200, response.text);
    });
  }
});
