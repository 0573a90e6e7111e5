import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { count, eq } from 'drizzle-orm';
import { emailAddresses, phoneNumbers, users, web3Wallets } from '../../src/db/schema.js';
import type { UserJson } from '../../src/schemas/user-response.js';
import { api, type ApiResponse, startTestServer, type TestServer, unique, uniqueEmail, uniquePhone, uniqueWallet } from '../support/server.js';
import { assertMatchesSpec } from '../support/spec-schema.js';
import { assertClerkError } from '../support/clerk-errors.js';

/** DELETE /v1/users/{id}: Clerk's DeletedObject, and nothing of the user left behind. */

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.close();
});


async function createUser(body: Record<string, unknown> = {}): Promise<UserJson> {
  const response = await api(server, 'POST', '/v1/users', { body: { email_address: [uniqueEmail()], ...body } });
  assert.equal(response.status, 200, response.text);
  assertMatchesSpec('User', response.body);
  return response.body as UserJson;
}

async function deleteUser(id: string): Promise<ApiResponse> {
  return api(server, 'DELETE', `/v1/users/${id}`);
}


/** Rows that still belong to the user, table by table. */
function rowsOf(userId: string): Record<string, number> {
  const n = (query: { get(): { n: number } | undefined }) => query.get()?.n ?? -1;
  return {
    users: n(server.db.select({ n: count() }).from(users).where(eq(users.id, userId))),
    email_addresses: n(server.db.select({ n: count() }).from(emailAddresses).where(eq(emailAddresses.userId, userId))),
    phone_numbers: n(server.db.select({ n: count() }).from(phoneNumbers).where(eq(phoneNumbers.userId, userId))),
    web3_wallets: n(server.db.select({ n: count() }).from(web3Wallets).where(eq(web3Wallets.userId, userId))),
  };
}

test('deleting a user answers 200 with the DeletedObject {object: "user", id, deleted: true}', async () => {
  const user = await createUser();
  const response = await deleteUser(user.id);
  assert.equal(response.status, 200, response.text);
  assert.equal(response.headers.get('content-type'), 'application/json');
  assertMatchesSpec('DeletedObject', response.body);
  assert.deepEqual(response.body, { object: 'user', id: user.id, deleted: true });
});

test("deleting a user removes the user's row and every email, phone and wallet row", async () => {
  const user = await createUser({
    email_address: [uniqueEmail(), uniqueEmail()],
    phone_number: [uniquePhone(), uniquePhone()],
    web3_wallet: [uniqueWallet()],
  });
  assert.deepEqual(rowsOf(user.id), { users: 1, email_addresses: 2, phone_numbers: 2, web3_wallets: 1 });
  assert.equal((await deleteUser(user.id)).status, 200);
  assert.deepEqual(rowsOf(user.id), { users: 0, email_addresses: 0, phone_numbers: 0, web3_wallets: 0 });
});

test('deleting a user leaves other users untouched', async () => {
  const survivor = await createUser({ phone_number: [uniquePhone()] });
  const doomed = await createUser();
  assert.equal((await deleteUser(doomed.id)).status, 200);
  const read = await api(server, 'GET', `/v1/users/${survivor.id}`);
  assert.equal(read.status, 200);
  assertMatchesSpec('User', read.body);
  assert.deepEqual(read.body, survivor);
});

test('a deleted user can no longer be read', async () => {
  const user = await createUser();
  assert.equal((await deleteUser(user.id)).status, 200);
  assertClerkError(await api(server, 'GET', `/v1/users/${user.id}`), 404, 'resource_not_found');
});

test('deleting the same user twice answers 404 resource_not_found the second time', async () => {
  const user = await createUser();
  assert.equal((await deleteUser(user.id)).status, 200);
  assertClerkError(await deleteUser(user.id), 404, 'resource_not_found');
});

test('deleting an unknown user id answers 404 resource_not_found', async () => {
  assertClerkError(await deleteUser('user_2xhFjEI5X2qWRvtV13BzSj8H6Dk'), 404, 'resource_not_found');
});

test("a deleted user's email address can be used by a new user", async () => {
  const email = uniqueEmail();
  const user = await createUser({ email_address: [email] });
  assert.equal((await deleteUser(user.id)).status, 200);
  const again = await createUser({ email_address: [email] });
  assert.equal(again.email_addresses[0]!.email_address, email);
});

test("a deleted user's phone number, web3 wallet, username and external_id can be used by a new user", async () => {
  const identifiers = { phone_number: [uniquePhone()], web3_wallet: [uniqueWallet()], username: unique('reuse_'), external_id: unique('ext_') };
  const user = await createUser(identifiers);
  assert.equal((await deleteUser(user.id)).status, 200);
  const again = await createUser(identifiers);
  assert.equal(again.phone_numbers[0]!.phone_number, identifiers.phone_number[0]);
  assert.equal(again.web3_wallets[0]!.web3_wallet, identifiers.web3_wallet[0]);
  assert.equal(again.username, identifiers.username);
  assert.equal(again.external_id, identifiers.external_id);
});

test('a deleted user no longer appears in the user list or count', async () => {
  const email = uniqueEmail();
  const user = await createUser({ email_address: [email] });
  assert.equal((await deleteUser(user.id)).status, 200);
  const list = await api(server, 'GET', `/v1/users?email_address=${encodeURIComponent(email)}`);
  assert.equal(list.status, 200);
  assert.deepEqual(list.body, []);
  const total = await api(server, 'GET', `/v1/users/count?email_address=${encodeURIComponent(email)}`);
  assert.equal(total.status, 200);
  assertMatchesSpec('TotalCount', total.body);
  assert.deepEqual(total.body, { object: 'total_count', total_count: 0 });
});
