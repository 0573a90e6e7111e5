/**
 * The official @clerk/backend SDK (pinned 3.25.0) driven against a real clerkd, through
 * every users method the server implements. `clerk` talks to the server directly, exactly
 * as an app would; `recorded` goes through a transparent recording proxy so a test can
 * also see what went over the wire (the SDK drops the raw JSON of counts, deleted objects
 * and errors).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createClerkClient, type ClerkClient, type User } from '@clerk/backend';
import { isClerkAPIResponseError, type ClerkAPIResponseError } from '@clerk/backend/errors';
import { type TestServer, unique, uniqueEmail, uniquePhone, uniqueWallet } from '../support/server.js';
import { assertArrayMatchesSpec, assertMatchesSpec } from '../support/spec-schema.js';
import type { Exchange, RecordingProxy } from './recording-proxy.js';
import { startSdkSuite } from './sdk-suite.js';

let server: TestServer;
let proxy: RecordingProxy;
let clerk: ClerkClient;
let recorded: ClerkClient;
let close: () => Promise<void>;

before(async () => {
  ({ server, proxy, clerk, recorded, close } = await startSdkSuite());
});

after(async () => {
  await close();
});

// ---------------------------------------------------------------------------------------
// Factories and assertions
// ---------------------------------------------------------------------------------------




function uniqueUsername(prefix = 'user'): string {
  return unique(prefix).toLowerCase();
}

/** A real SDK User (not raw JSON) whose raw JSON matches the spec's User schema. */
function assertSdkUser(user: User): void {
  // The class is exported as a type only, so recognise an instance by its prototype getters
  // and camelCased fields (raw JSON would have neither).
  const prototype: unknown = Object.getPrototypeOf(user);
  assert.notEqual(prototype, Object.prototype, 'expected an SDK User instance, got a plain object');
  for (const getter of ['fullName', 'primaryEmailAddress', 'primaryPhoneNumber', 'primaryWeb3Wallet', 'raw']) {
    assert.equal(typeof Object.getOwnPropertyDescriptor(prototype, getter)?.get, 'function', `User.${getter} getter missing`);
  }
  assert.equal(typeof user.passwordEnabled, 'boolean');
  assert.equal('password_enabled' in user, false);
  assert.equal(typeof user.id, 'string');
  assertMatchesSpec('User', user.raw);
  assert.equal(user.raw?.id, user.id);
}

async function createMinimalUser(extra: Parameters<ClerkClient['users']['createUser']>[0] = {}): Promise<User> {
  const user = await clerk.users.createUser({ emailAddress: [uniqueEmail()], ...extra });
  assertSdkUser(user);
  return user;
}

/** Checks the SDK error and the raw error body, and returns the SDK error. */
async function rejectsWith(work: () => Promise<unknown>, status: number, code: string): Promise<ClerkAPIResponseError> {
  const { error, exchanges } = await proxy.recordFailure(work);
  assert.ok(isClerkAPIResponseError(error), `expected a ClerkAPIResponseError, got ${String(error)}`);
  assert.equal(error.status, status);
  assert.equal(error.errors[0]?.code, code, `errors: ${JSON.stringify(error.errors)}`);
  const last = exchanges.at(-1);
  assert.ok(last, 'expected the SDK to reach the server');
  assert.equal(last.status, status);
  assert.equal(last.responseHeaders['content-type'], 'application/json');
  assertMatchesSpec('ClerkErrors', last.json);
  return error;
}

function only(exchanges: Exchange[], method: string, path: string): Exchange {
  const matching = exchanges.filter((e) => e.method === method && e.path === path);
  assert.equal(matching.length, 1, `expected one ${method} ${path}, saw: ${exchanges.map((e) => `${e.method} ${e.path}`).join(', ')}`);
  return matching[0]!;
}

function ids(users: User[]): string[] {
  return users.map((user) => user.id);
}

// ---------------------------------------------------------------------------------------
// createUser
// ---------------------------------------------------------------------------------------

test('createUser with every identifier returns an SDK User whose primary identifiers are the ones given', async () => {
  const email = uniqueEmail();
  const phone = uniquePhone();
  const wallet = uniqueWallet();
  const username = uniqueUsername();
  const externalId = unique('ext');

  // CreateUserParams in 3.25.0 does not declare web3Wallet, but the SDK forwards any key
  // (snake_cased), and the spec's CreateUser body has web3_wallet.
  const params = {
    emailAddress: [email],
    phoneNumber: [phone],
    web3Wallet: [wallet],
    username,
    firstName: 'Ada',
    lastName: 'Lovelace',
    externalId,
    password: 'correct-horse-battery',
  };
  const user = await clerk.users.createUser(params as Parameters<ClerkClient['users']['createUser']>[0]);

  assertSdkUser(user);
  assert.equal(user.primaryEmailAddress?.emailAddress, email);
  assert.equal(user.primaryPhoneNumber?.phoneNumber, phone);
  assert.equal(user.primaryWeb3Wallet?.web3Wallet, wallet);
  assert.equal(user.username, username);
  assert.equal(user.firstName, 'Ada');
  assert.equal(user.lastName, 'Lovelace');
  assert.equal(user.fullName, 'Ada Lovelace');
  assert.equal(user.externalId, externalId);
  assert.equal(user.passwordEnabled, true);
  assert.equal(user.banned, false);
  assert.equal(user.locked, false);
});

test('createUser creates email addresses and phone numbers as verified by the admin strategy', async () => {
  const user = await createMinimalUser({ phoneNumber: [uniquePhone()] });
  assert.equal(user.emailAddresses.length, 1);
  assert.equal(user.emailAddresses[0]?.verification?.status, 'verified');
  assert.equal(user.emailAddresses[0]?.verification?.strategy, 'admin');
  assert.deepEqual(user.emailAddresses[0]?.linkedTo, []);
  assert.equal(user.phoneNumbers.length, 1);
  assert.equal(user.phoneNumbers[0]?.verification?.status, 'verified');
  assert.equal(user.phoneNumbers[0]?.verification?.strategy, 'admin');
});

test('createUser makes the first of several email addresses the primary one', async () => {
  const first = uniqueEmail('first');
  const second = uniqueEmail('second');
  const user = await clerk.users.createUser({ emailAddress: [first, second] });
  assertSdkUser(user);
  assert.equal(user.primaryEmailAddress?.emailAddress, first);
  assert.deepEqual(
    user.emailAddresses.map((e) => e.emailAddress).sort(),
    [first, second].sort(),
  );
});

test('createUser without a password gives a user with password_enabled false', async () => {
  const user = await createMinimalUser();
  assert.equal(user.passwordEnabled, false);
});

test('createUser returns nested camelCase keys of all three metadata objects untouched', async () => {
  const publicMetadata = { planTier: 'pro', featureFlags: { betaAccess: true, maxSeats: 3 }, listOfThings: [{ itemId: 1 }] };
  const privateMetadata = { stripeCustomerId: 'cus_123', billingInfo: { lastInvoiceAt: 1700000000000 } };
  const unsafeMetadata = { uiPrefs: { darkMode: true, fontSizePx: 14 } };

  const user = await createMinimalUser({ publicMetadata, privateMetadata, unsafeMetadata });

  assert.deepEqual(user.publicMetadata, publicMetadata);
  assert.deepEqual(user.privateMetadata, privateMetadata);
  assert.deepEqual(user.unsafeMetadata, unsafeMetadata);
  assert.deepEqual(user.raw?.public_metadata, publicMetadata);
  assert.deepEqual(user.raw?.private_metadata, privateMetadata);
  assert.deepEqual(user.raw?.unsafe_metadata, unsafeMetadata);
});

test('createUser stores a createdAt Date as the user creation time in milliseconds', async () => {
  const createdAt = new Date('2019-06-01T12:34:56.789Z');
  const user = await createMinimalUser({ createdAt });
  assert.equal(user.createdAt, createdAt.getTime());
});

test('createUser accepts a createdAt years in the past, as for users migrated from an older system', async () => {
  // Clerk ids embed a KSUID timestamp whose epoch is 2014-05-13; a sign-up date before it
  // must still be accepted, because importing old accounts is what createdAt is for.
  const createdAt = new Date('2010-03-04T05:06:07.000Z');
  const user = await clerk.users.createUser({ emailAddress: [uniqueEmail('legacy')], createdAt });
  assertSdkUser(user);
  assert.equal(user.createdAt, createdAt.getTime());
});

test('createUser stores a legalAcceptedAt Date in milliseconds', async () => {
  const legalAcceptedAt = new Date('2023-02-03T04:05:06.007Z');
  const user = await createMinimalUser({ legalAcceptedAt });
  assert.equal(user.legalAcceptedAt, legalAcceptedAt.getTime());
});

test('createUser without legalAcceptedAt leaves legal_accepted_at null', async () => {
  const user = await createMinimalUser();
  assert.equal(user.legalAcceptedAt, null);
});

test('createUser with skipPasswordChecks accepts a password shorter than the policy allows', async () => {
  const user = await createMinimalUser({ password: 'abc', skipPasswordChecks: true });
  assert.equal(user.passwordEnabled, true);
});

test('createUser sends snake_cased keys and an ISO createdAt, and the server answers with exact application/json', async () => {
  const createdAt = new Date('2020-01-02T03:04:05.006Z');
  const email = uniqueEmail();
  const { result: user, exchanges } = await proxy.record(() =>
    recorded.users.createUser({ emailAddress: [email], firstName: 'Wire', createdAt, publicMetadata: { someKey: 1 } }),
  );
  assertSdkUser(user);
  const exchange = only(exchanges, 'POST', '/v1/users');
  assert.deepEqual(JSON.parse(exchange.requestBody), {
    email_address: [email],
    first_name: 'Wire',
    created_at: createdAt.toISOString(),
    public_metadata: { someKey: 1 },
  });
  assert.equal(exchange.status, 200);
  assert.equal(exchange.responseHeaders['content-type'], 'application/json');
  assert.deepEqual(exchange.json, user.raw);
});

// ---------------------------------------------------------------------------------------
// createUser errors
// ---------------------------------------------------------------------------------------

test('createUser with an email address another user has rejects with 422 form_identifier_exists on email_address', async () => {
  const email = uniqueEmail();
  await createMinimalUser({ emailAddress: [email] });
  const error = await rejectsWith(() => recorded.users.createUser({ emailAddress: [email] }), 422, 'form_identifier_exists');
  assert.equal(error.errors[0]?.meta?.paramName, 'email_address');
});

test('createUser treats an email address differing only in case as taken', async () => {
  const email = uniqueEmail();
  await createMinimalUser({ emailAddress: [email] });
  const error = await rejectsWith(() => recorded.users.createUser({ emailAddress: [email.toUpperCase()] }), 422, 'form_identifier_exists');
  assert.equal(error.errors[0]?.meta?.paramName, 'email_address');
});

test('createUser with a taken username rejects with 422 form_identifier_exists on username', async () => {
  const username = uniqueUsername();
  await createMinimalUser({ username });
  const error = await rejectsWith(
    () => recorded.users.createUser({ emailAddress: [uniqueEmail()], username }),
    422,
    'form_identifier_exists',
  );
  assert.equal(error.errors[0]?.meta?.paramName, 'username');
});

test('createUser with a phone number another user has rejects with 422 form_identifier_exists on phone_number', async () => {
  const phone = uniquePhone();
  await createMinimalUser({ phoneNumber: [phone] });
  const error = await rejectsWith(
    () => recorded.users.createUser({ emailAddress: [uniqueEmail()], phoneNumber: [phone] }),
    422,
    'form_identifier_exists',
  );
  assert.equal(error.errors[0]?.meta?.paramName, 'phone_number');
});

test('createUser with an external id another user has rejects with 422 form_identifier_exists on external_id', async () => {
  const externalId = unique('ext');
  await createMinimalUser({ externalId });
  const error = await rejectsWith(
    () => recorded.users.createUser({ emailAddress: [uniqueEmail()], externalId }),
    422,
    'form_identifier_exists',
  );
  assert.equal(error.errors[0]?.meta?.paramName, 'external_id');
});

test('createUser that is rejected for a taken identifier leaves no user behind', async () => {
  const taken = uniqueEmail('taken');
  const fresh = uniqueEmail('fresh');
  await createMinimalUser({ emailAddress: [taken] });
  await rejectsWith(() => recorded.users.createUser({ emailAddress: [fresh, taken] }), 422, 'form_identifier_exists');
  assert.equal(await clerk.users.getCount({ emailAddress: [fresh] }), 0);
});

test('createUser with a malformed email address rejects with 422 form_param_format_invalid on email_address', async () => {
  const error = await rejectsWith(
    () => recorded.users.createUser({ emailAddress: [`${unique('bad')}-not-an-email`] }),
    422,
    'form_param_format_invalid',
  );
  assert.equal(error.errors[0]?.meta?.paramName, 'email_address');
});

test('createUser with a password shorter than 8 characters rejects with 422 form_password_length_too_short', async () => {
  const error = await rejectsWith(
    () => recorded.users.createUser({ emailAddress: [uniqueEmail()], password: 'short' }),
    422,
    'form_password_length_too_short',
  );
  assert.equal(error.errors[0]?.meta?.paramName, 'password');
});

test('a client with a wrong secret key is rejected with 401 clerk_key_invalid', async () => {
  const user = await createMinimalUser();
  const impostor = createClerkClient({ secretKey: `sk_test_${unique('wrong')}`, apiUrl: proxy.baseUrl });
  await rejectsWith(() => impostor.users.getUser(user.id), 401, 'clerk_key_invalid');
});

// ---------------------------------------------------------------------------------------
// getUser
// ---------------------------------------------------------------------------------------

test('getUser returns the same user createUser returned', async () => {
  const created = await createMinimalUser({ firstName: 'Grace', lastName: 'Hopper', username: uniqueUsername() });
  const read = await clerk.users.getUser(created.id);
  assertSdkUser(read);
  assert.deepEqual(read.raw, created.raw);
  assert.equal(read.fullName, 'Grace Hopper');
});

test('getUser with an unknown id rejects with 404 resource_not_found', async () => {
  const created = await createMinimalUser();
  const unknownId = `${created.id}x`;
  await rejectsWith(() => recorded.users.getUser(unknownId), 404, 'resource_not_found');
});

// ---------------------------------------------------------------------------------------
// getUserList and getCount
// ---------------------------------------------------------------------------------------

test('getUserList asks /users and /users/count and returns SDK Users with the total count', async () => {
  const a = await createMinimalUser();
  const b = await createMinimalUser();
  const { result, exchanges } = await proxy.record(() =>
    recorded.users.getUserList({ userId: [a.id, b.id], limit: 1, offset: 1, orderBy: '+created_at' }),
  );

  assert.equal(result.totalCount, 2);
  assert.equal(result.data.length, 1);
  result.data.forEach(assertSdkUser);

  const list = only(exchanges, 'GET', '/v1/users');
  assert.deepEqual(list.query.getAll('user_id').sort(), [a.id, b.id].sort());
  assert.equal(list.query.get('limit'), '1');
  assert.equal(list.query.get('offset'), '1');
  assert.equal(list.query.get('order_by'), '+created_at');
  assert.equal(list.status, 200);
  assertArrayMatchesSpec('User', list.json);

  const count = only(exchanges, 'GET', '/v1/users/count');
  assert.deepEqual(count.query.getAll('user_id').sort(), [a.id, b.id].sort());
  assert.equal(count.query.has('limit'), false);
  assert.equal(count.query.has('offset'), false);
  assert.equal(count.query.has('order_by'), false);
  assert.equal(count.status, 200);
  assertMatchesSpec('TotalCount', count.json);
});

test('getUserList filtered by two email addresses returns exactly those two users', async () => {
  const a = await createMinimalUser();
  const b = await createMinimalUser();
  await createMinimalUser();
  const emails = [a.primaryEmailAddress!.emailAddress, b.primaryEmailAddress!.emailAddress];
  const { data, totalCount } = await clerk.users.getUserList({ emailAddress: emails });
  data.forEach(assertSdkUser);
  assert.deepEqual(ids(data).sort(), [a.id, b.id].sort());
  assert.equal(totalCount, 2);
});

test('getUserList filtered by a phone number returns only the user who has it', async () => {
  const phone = uniquePhone();
  const owner = await createMinimalUser({ phoneNumber: [phone] });
  await createMinimalUser({ phoneNumber: [uniquePhone()] });
  const { data, totalCount } = await clerk.users.getUserList({ phoneNumber: [phone] });
  assert.deepEqual(ids(data), [owner.id]);
  assert.equal(data[0]?.primaryPhoneNumber?.phoneNumber, phone);
  assert.equal(totalCount, 1);
});

test('getUserList filtered by a username returns only the user who has it', async () => {
  const username = uniqueUsername();
  const owner = await createMinimalUser({ username });
  await createMinimalUser({ username: uniqueUsername() });
  const { data, totalCount } = await clerk.users.getUserList({ username: [username] });
  assert.deepEqual(ids(data), [owner.id]);
  assert.equal(totalCount, 1);
});

test('getUserList filtered by user ids returns exactly those users', async () => {
  const a = await createMinimalUser();
  const b = await createMinimalUser();
  await createMinimalUser();
  const { data, totalCount } = await clerk.users.getUserList({ userId: [a.id, b.id] });
  assert.deepEqual(ids(data).sort(), [a.id, b.id].sort());
  assert.equal(totalCount, 2);
});

test('getUserList filtered by an external id returns only the user who has it', async () => {
  const externalId = unique('ext');
  const owner = await createMinimalUser({ externalId });
  await createMinimalUser({ externalId: unique('ext') });
  const { data, totalCount } = await clerk.users.getUserList({ externalId: [externalId] });
  assert.deepEqual(ids(data), [owner.id]);
  assert.equal(data[0]?.externalId, externalId);
  assert.equal(totalCount, 1);
});

test('getUserList with a query matches part of a first name', async () => {
  const token = unique('q').toLowerCase();
  const owner = await createMinimalUser({ firstName: `Zz${token}Yy` });
  await createMinimalUser({ firstName: 'Someone' });
  const { data, totalCount } = await clerk.users.getUserList({ query: token });
  assert.deepEqual(ids(data), [owner.id]);
  assert.equal(totalCount, 1);
});

test('getUserList with a query matches part of an email address', async () => {
  const local = unique('mailq').toLowerCase();
  const owner = await createMinimalUser({ emailAddress: [`${local}@example.com`] });
  const { data, totalCount } = await clerk.users.getUserList({ query: local.slice(2) });
  assert.deepEqual(ids(data), [owner.id]);
  assert.equal(totalCount, 1);
});

/** Three users created out of order; returns them oldest first. */
async function threeUsersWithKnownCreationTimes(): Promise<User[]> {
  const middle = await createMinimalUser({ createdAt: new Date('2018-05-05T00:00:00.000Z'), username: uniqueUsername('bbb') });
  const newest = await createMinimalUser({ createdAt: new Date('2018-09-09T00:00:00.000Z'), username: uniqueUsername('aaa') });
  const oldest = await createMinimalUser({ createdAt: new Date('2018-01-01T00:00:00.000Z'), username: uniqueUsername('ccc') });
  return [oldest, middle, newest];
}

test("getUserList with orderBy '+created_at' returns the oldest user first", async () => {
  const users = await threeUsersWithKnownCreationTimes();
  const { data } = await clerk.users.getUserList({ userId: ids(users), orderBy: '+created_at' });
  assert.deepEqual(ids(data), ids(users));
});

test("getUserList with orderBy '-created_at' returns the newest user first", async () => {
  const users = await threeUsersWithKnownCreationTimes();
  const { data } = await clerk.users.getUserList({ userId: ids(users), orderBy: '-created_at' });
  assert.deepEqual(ids(data), ids(users).reverse());
});

test('getUserList without orderBy returns the newest user first', async () => {
  const users = await threeUsersWithKnownCreationTimes();
  const { data } = await clerk.users.getUserList({ userId: ids(users) });
  assert.deepEqual(ids(data), ids(users).reverse());
});

test("getUserList with an unsigned orderBy 'username' sorts usernames ascending", async () => {
  const users = await threeUsersWithKnownCreationTimes();
  const { data } = await clerk.users.getUserList({ userId: ids(users), orderBy: 'username' });
  const expected = [...users].sort((x, y) => (x.username! < y.username! ? -1 : 1));
  assert.deepEqual(ids(data), ids(expected));
  assert.ok(data[0]!.username!.startsWith('aaa'));
});

test('getUserList pages with limit and offset without overlap and keeps the full total count', async () => {
  const base = Date.parse('2017-03-01T00:00:00.000Z');
  const users: User[] = [];
  for (let i = 0; i < 5; i += 1) users.push(await createMinimalUser({ createdAt: new Date(base + i * 60_000) }));
  const filter = { userId: ids(users), orderBy: '+created_at' as const, limit: 2 };

  const first = await clerk.users.getUserList({ ...filter, offset: 0 });
  const second = await clerk.users.getUserList({ ...filter, offset: 2 });
  const third = await clerk.users.getUserList({ ...filter, offset: 4 });

  assert.deepEqual(ids(first.data), ids(users.slice(0, 2)));
  assert.deepEqual(ids(second.data), ids(users.slice(2, 4)));
  assert.deepEqual(ids(third.data), ids(users.slice(4)));
  assert.deepEqual([first.totalCount, second.totalCount, third.totalCount], [5, 5, 5]);
});

test('getUserList for a filter nothing matches returns an empty page and a zero total', async () => {
  const { data, totalCount } = await clerk.users.getUserList({ emailAddress: [uniqueEmail('nobody')] });
  assert.deepEqual(data, []);
  assert.equal(totalCount, 0);
});

test('getCount returns the number of users a filter matches as a plain number', async () => {
  const a = await createMinimalUser();
  const b = await createMinimalUser();
  const { result, exchanges } = await proxy.record(() => recorded.users.getCount({ userId: [a.id, b.id] }));
  assert.equal(result, 2);
  const exchange = only(exchanges, 'GET', '/v1/users/count');
  assertMatchesSpec('TotalCount', exchange.json);
});

test('getCount without a filter counts every user, including one just created', async () => {
  const countBefore = await clerk.users.getCount();
  assert.equal(typeof countBefore, 'number');
  await createMinimalUser();
  assert.equal(await clerk.users.getCount(), countBefore + 1);
});

// ---------------------------------------------------------------------------------------
// updateUser
// ---------------------------------------------------------------------------------------

test('updateUser changes the first and last name and leaves other fields as they were', async () => {
  const username = uniqueUsername();
  const created = await createMinimalUser({ firstName: 'Old', lastName: 'Name', username });
  const updated = await clerk.users.updateUser(created.id, { firstName: 'New', lastName: 'Person' });
  assertSdkUser(updated);
  assert.equal(updated.fullName, 'New Person');
  assert.equal(updated.username, username);
  assert.equal(updated.primaryEmailAddress?.emailAddress, created.primaryEmailAddress?.emailAddress);
  assert.equal(updated.createdAt, created.createdAt);
  assert.ok(updated.updatedAt >= created.updatedAt);
});

test('updateUser sends only the given fields in a PATCH body', async () => {
  const created = await createMinimalUser();
  const { exchanges } = await proxy.record(() => recorded.users.updateUser(created.id, { firstName: 'Patched' }));
  const patch = only(exchanges, 'PATCH', `/v1/users/${created.id}`);
  assert.deepEqual(JSON.parse(patch.requestBody), { first_name: 'Patched' });
  assert.equal(patch.status, 200);
  assertMatchesSpec('User', patch.json);
});

test('updateUser persists the change so a later getUser sees it', async () => {
  const created = await createMinimalUser();
  const externalId = unique('ext');
  await clerk.users.updateUser(created.id, { externalId });
  const read = await clerk.users.getUser(created.id);
  assert.equal(read.externalId, externalId);
});

test('updateUser sets a new username', async () => {
  const created = await createMinimalUser({ username: uniqueUsername() });
  const username = uniqueUsername('renamed');
  const updated = await clerk.users.updateUser(created.id, { username });
  assertSdkUser(updated);
  assert.equal(updated.username, username);
});

test("updateUser with username '' removes the username", async () => {
  const created = await createMinimalUser({ username: uniqueUsername() });
  const updated = await clerk.users.updateUser(created.id, { username: '' });
  assertSdkUser(updated);
  assert.equal(updated.username, null);
});

test('updateUser with a username another user has rejects with 422 form_identifier_exists on username', async () => {
  const taken = uniqueUsername();
  await createMinimalUser({ username: taken });
  const other = await createMinimalUser();
  const error = await rejectsWith(() => recorded.users.updateUser(other.id, { username: taken }), 422, 'form_identifier_exists');
  assert.equal(error.errors[0]?.meta?.paramName, 'username');
});

test('updateUser with primaryEmailAddressID switches the primary email between two verified addresses', async () => {
  const first = uniqueEmail('first');
  const second = uniqueEmail('second');
  const created = await clerk.users.createUser({ emailAddress: [first, second] });
  assert.equal(created.primaryEmailAddress?.emailAddress, first);
  const secondId = created.emailAddresses.find((e) => e.emailAddress === second)?.id;
  assert.ok(secondId);

  const updated = await clerk.users.updateUser(created.id, { primaryEmailAddressID: secondId });

  assertSdkUser(updated);
  assert.equal(updated.primaryEmailAddressId, secondId);
  assert.equal(updated.primaryEmailAddress?.emailAddress, second);
  assert.deepEqual(updated.emailAddresses.map((e) => e.emailAddress).sort(), [first, second].sort());
});

test('updateUser with a password shorter than 8 characters rejects with 422 form_password_length_too_short', async () => {
  const created = await createMinimalUser();
  await rejectsWith(() => recorded.users.updateUser(created.id, { password: 'short' }), 422, 'form_password_length_too_short');
});

test('updateUser with a password enables password sign-in', async () => {
  const created = await createMinimalUser();
  assert.equal(created.passwordEnabled, false);
  const updated = await clerk.users.updateUser(created.id, { password: 'a-long-enough-password' });
  assert.equal(updated.passwordEnabled, true);
});

test('updateUser for an unknown user rejects with 404 resource_not_found', async () => {
  const created = await createMinimalUser();
  await rejectsWith(() => recorded.users.updateUser(`${created.id}x`, { firstName: 'Nobody' }), 404, 'resource_not_found');
});

test('updateUser with only publicMetadata sends PUT /users/{id}/metadata and replaces the public metadata', async () => {
  const created = await createMinimalUser({
    publicMetadata: { keepMe: 'no', nestedObj: { innerKey: true } },
    privateMetadata: { secretThing: 'stays' },
    unsafeMetadata: { uiTheme: 'dark' },
  });
  const replacement = { replacedKey: { deepCamelKey: 2 } };

  const { result: updated, exchanges } = await proxy.record(() => recorded.users.updateUser(created.id, { publicMetadata: replacement }));

  assert.equal(exchanges.some((e) => e.method === 'PATCH'), false);
  const put = only(exchanges, 'PUT', `/v1/users/${created.id}/metadata`);
  assert.deepEqual(JSON.parse(put.requestBody), { public_metadata: replacement });
  assert.equal(put.status, 200);
  assertSdkUser(updated);
  assert.deepEqual(updated.publicMetadata, replacement);
  assert.deepEqual(updated.privateMetadata, { secretThing: 'stays' });
  assert.deepEqual(updated.unsafeMetadata, { uiTheme: 'dark' });
});

test('updateUser with a name and metadata applies both, PATCH first and PUT metadata second', async () => {
  const created = await createMinimalUser({ firstName: 'Before', privateMetadata: { oldKey: 1 } });

  const { result: updated, exchanges } = await proxy.record(() =>
    recorded.users.updateUser(created.id, { firstName: 'After', privateMetadata: { newKey: { innerCamel: 'x' } } }),
  );

  assert.deepEqual(
    exchanges.map((e) => `${e.method} ${e.path}`),
    [`PATCH /v1/users/${created.id}`, `PUT /v1/users/${created.id}/metadata`],
  );
  assert.deepEqual(JSON.parse(exchanges[0]!.requestBody), { first_name: 'After' });
  assertSdkUser(updated);
  assert.equal(updated.firstName, 'After');
  assert.deepEqual(updated.privateMetadata, { newKey: { innerCamel: 'x' } });
});

// ---------------------------------------------------------------------------------------
// replaceUserMetadata
// ---------------------------------------------------------------------------------------

test('replaceUserMetadata replaces each supplied metadata object wholesale and keeps the omitted one', async () => {
  const created = await createMinimalUser({
    publicMetadata: { oldPublic: 1, sharedKey: { a: 1 } },
    privateMetadata: { oldPrivate: true },
    unsafeMetadata: { untouchedKey: 'yes' },
  });

  const updated = await clerk.users.replaceUserMetadata(created.id, {
    publicMetadata: { sharedKey: { b: 2 } },
    privateMetadata: { brandNew: ['x'] },
  });

  assertSdkUser(updated);
  assert.deepEqual(updated.publicMetadata, { sharedKey: { b: 2 } });
  assert.deepEqual(updated.privateMetadata, { brandNew: ['x'] });
  assert.deepEqual(updated.unsafeMetadata, { untouchedKey: 'yes' });
});

test('replaceUserMetadata with an empty object clears that metadata', async () => {
  const created = await createMinimalUser({ privateMetadata: { goneSoon: 1 }, publicMetadata: { staysHere: 2 } });
  const updated = await clerk.users.replaceUserMetadata(created.id, { privateMetadata: {} });
  assertSdkUser(updated);
  assert.deepEqual(updated.privateMetadata, {});
  assert.deepEqual(updated.publicMetadata, { staysHere: 2 });
});

test('replaceUserMetadata persists, so a later getUser returns the new metadata', async () => {
  const created = await createMinimalUser({ unsafeMetadata: { before: 1 } });
  await clerk.users.replaceUserMetadata(created.id, { unsafeMetadata: { afterKey: { deepCamel: true } } });
  const read = await clerk.users.getUser(created.id);
  assert.deepEqual(read.unsafeMetadata, { afterKey: { deepCamel: true } });
});

test('replaceUserMetadata for an unknown user rejects with 404 resource_not_found', async () => {
  const created = await createMinimalUser();
  await rejectsWith(() => recorded.users.replaceUserMetadata(`${created.id}x`, { publicMetadata: {} }), 404, 'resource_not_found');
});

// ---------------------------------------------------------------------------------------
// deleteUser
// ---------------------------------------------------------------------------------------

test('deleteUser resolves to a DeletedObject with the user id and deleted true', async () => {
  const created = await createMinimalUser();
  // The SDK types deleteUser as Promise<User>; at runtime it is a DeletedObject.
  const { result, exchanges } = await proxy.record(async (): Promise<unknown> => recorded.users.deleteUser(created.id));

  assert.notEqual(Object.getPrototypeOf(result), Object.prototype, 'expected an SDK DeletedObject instance');
  assert.deepEqual({ ...(result as object) }, { object: 'user', id: created.id, slug: null, deleted: true });

  const exchange = only(exchanges, 'DELETE', `/v1/users/${created.id}`);
  assert.equal(exchange.status, 200);
  assert.equal(exchange.responseHeaders['content-type'], 'application/json');
  assertMatchesSpec('DeletedObject', exchange.json);
});

test('getUser for a deleted user rejects with 404 resource_not_found', async () => {
  const created = await createMinimalUser();
  await clerk.users.deleteUser(created.id);
  await rejectsWith(() => recorded.users.getUser(created.id), 404, 'resource_not_found');
});

test('a deleted user no longer appears in getUserList or getCount', async () => {
  const created = await createMinimalUser();
  await clerk.users.deleteUser(created.id);
  const { data, totalCount } = await clerk.users.getUserList({ userId: [created.id] });
  assert.deepEqual(data, []);
  assert.equal(totalCount, 0);
  assert.equal(await clerk.users.getCount({ userId: [created.id] }), 0);
});

test('the email address of a deleted user can be given to a new user', async () => {
  const email = uniqueEmail();
  const original = await createMinimalUser({ emailAddress: [email] });
  await clerk.users.deleteUser(original.id);
  const replacement = await createMinimalUser({ emailAddress: [email] });
  assert.notEqual(replacement.id, original.id);
  assert.equal(replacement.primaryEmailAddress?.emailAddress, email);
});

test('deleteUser a second time rejects with 404 resource_not_found', async () => {
  const created = await createMinimalUser();
  await clerk.users.deleteUser(created.id);
  await rejectsWith(() => recorded.users.deleteUser(created.id), 404, 'resource_not_found');
});
