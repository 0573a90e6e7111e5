import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, startTestServer, unique, type ApiResponse, type TestServer } from '../support/server.js';
import { assertClerkError } from '../support/clerk-errors.js';
import { assertArrayMatchesSpec, assertMatchesSpec } from '../support/spec-schema.js';

/** Ban, unban, lock, unlock (single and bulk) and the deep-merge PATCH of metadata, over HTTP. */

let server: TestServer;
let neverExpiring: TestServer;
before(async () => {
  server = await startTestServer({ CLERKD_LOCKOUT_SECONDS: '1' });
  neverExpiring = await startTestServer({ CLERKD_LOCKOUT_SECONDS: '0' });
});
after(async () => {
  await server.close();
  await neverExpiring.close();
});

interface UserJson {
  id: string;
  banned: boolean;
  locked: boolean;
  lockout_expires_in_seconds: number | null;
  verification_attempts_remaining: number | null;
  public_metadata: Record<string, unknown>;
  private_metadata: Record<string, unknown>;
  unsafe_metadata: Record<string, unknown>;
  updated_at: number;
}


async function createUser(target: TestServer = server, body: Record<string, unknown> = {}): Promise<UserJson> {
  const response = await api(target, 'POST', '/v1/users', { body: { username: unique('mod').toLowerCase().slice(0, 60), ...body } });
  assert.equal(response.status, 200, response.text);
  return response.body as UserJson;
}

/** The SDKs' body-less POST: Content-Type json with an empty body. */
async function bodylessPost(target: TestServer, path: string): Promise<ApiResponse> {
  return api(target, 'POST', path, { rawBody: '', headers: { 'content-type': 'application/json' } });
}

async function getUser(id: string, target: TestServer = server): Promise<UserJson> {
  const response = await api(target, 'GET', `/v1/users/${id}`);
  assert.equal(response.status, 200);
  return response.body as UserJson;
}

test('ban marks the user banned and returns the User; unban clears it', async () => {
  const user = await createUser();
  const banned = await bodylessPost(server, `/v1/users/${user.id}/ban`);
  assert.equal(banned.status, 200, banned.text);
  assertMatchesSpec('User', banned.body);
  assert.equal((banned.body as UserJson).banned, true);
  assert.equal((await getUser(user.id)).banned, true);
  const unbanned = await bodylessPost(server, `/v1/users/${user.id}/unban`);
  assert.equal((unbanned.body as UserJson).banned, false);
});

test('banned users are found by banned=true and not by banned=false', async () => {
  const user = await createUser();
  await bodylessPost(server, `/v1/users/${user.id}/ban`);
  const bannedList = await api(server, 'GET', `/v1/users?banned=true&user_id=${user.id}`);
  assert.deepEqual((bannedList.body as UserJson[]).map((u) => u.id), [user.id]);
  const notBanned = await api(server, 'GET', `/v1/users?banned=false&user_id=${user.id}`);
  assert.deepEqual(notBanned.body, []);
});

test('the Go SDK body `null` works on ban', async () => {
  const user = await createUser();
  const response = await api(server, 'POST', `/v1/users/${user.id}/ban`, { rawBody: 'null', headers: { 'content-type': 'application/json' } });
  assert.equal(response.status, 200, response.text);
  assert.equal((response.body as UserJson).banned, true);
});

test('lock locks for the configured duration and the lock lifts by itself', async () => {
  const user = await createUser();
  const locked = (await bodylessPost(server, `/v1/users/${user.id}/lock`)).body as UserJson;
  assertMatchesSpec('User', locked);
  assert.equal(locked.locked, true);
  assert.equal(locked.lockout_expires_in_seconds, 1);
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const later = await getUser(user.id);
  assert.equal(later.locked, false);
  assert.equal(later.lockout_expires_in_seconds, null);
});

test('with locks configured never to expire, an admin lock has a null expiry', async () => {
  const user = await createUser(neverExpiring);
  const locked = (await bodylessPost(neverExpiring, `/v1/users/${user.id}/lock`)).body as UserJson;
  assert.equal(locked.locked, true);
  assert.equal(locked.lockout_expires_in_seconds, null);
});

test('unlock clears the lock and restores every verification attempt', async () => {
  const user = await createUser(neverExpiring, { password: 'a-long-enough-password-1' });
  for (let i = 0; i < 3; i++) {
    await api(neverExpiring, 'POST', `/v1/users/${user.id}/verify_password`, { body: { password: 'wrong-password-123' } });
  }
  const attemptsLeft = (await getUser(user.id, neverExpiring)).verification_attempts_remaining;
  assert.equal(attemptsLeft, neverExpiring.config.lockout.maxAttempts - 3);
  await bodylessPost(neverExpiring, `/v1/users/${user.id}/lock`);
  const unlocked = (await bodylessPost(neverExpiring, `/v1/users/${user.id}/unlock`)).body as UserJson;
  assert.equal(unlocked.locked, false);
  assert.equal(unlocked.lockout_expires_in_seconds, null);
  assert.equal(unlocked.verification_attempts_remaining, neverExpiring.config.lockout.maxAttempts);
});

test('ban, unban, lock and unlock of an unknown user answer 404 resource_not_found', async () => {
  for (const action of ['ban', 'unban', 'lock', 'unlock']) {
    assertClerkError(await bodylessPost(server, `/v1/users/user_unknown/${action}`), 404, 'resource_not_found');
  }
});

test('bulk ban bans every listed user and returns them as an array', async () => {
  const a = await createUser();
  const b = await createUser();
  const response = await api(server, 'POST', '/v1/users/ban', { body: { user_ids: [a.id, b.id, a.id] } });
  assert.equal(response.status, 200, response.text);
  assertArrayMatchesSpec('User', response.body);
  const users = response.body as UserJson[];
  assert.deepEqual(users.map((u) => u.id), [a.id, b.id]);
  assert.ok(users.every((u) => u.banned));
  const unbanned = await api(server, 'POST', '/v1/users/unban', { body: { user_ids: [a.id, b.id] } });
  assert.ok((unbanned.body as UserJson[]).every((u) => !u.banned));
});

test('bulk ban with an unknown id bans no one', async () => {
  const a = await createUser();
  assertClerkError(await api(server, 'POST', '/v1/users/ban', { body: { user_ids: [a.id, 'user_missing'] } }), 404, 'resource_not_found');
  assert.equal((await getUser(a.id)).banned, false);
});

test('bulk ban refuses an empty list and more than 50 ids', async () => {
  assertClerkError(await api(server, 'POST', '/v1/users/ban', { body: { user_ids: [] } }), 422, 'form_param_value_invalid', 'user_ids');
  const many = Array.from({ length: 51 }, (_, i) => `user_${i}`);
  assertClerkError(await api(server, 'POST', '/v1/users/ban', { body: { user_ids: many } }), 422, 'form_param_value_invalid', 'user_ids');
  assertClerkError(await api(server, 'POST', '/v1/users/ban', { body: {} }), 422, 'form_param_missing', 'user_ids');
});

// ---- PATCH /users/{id}/metadata -------------------------------------------------------

test('PATCH metadata deep-merges, deletes keys set to null, and keeps key case', async () => {
  const user = await createUser(server, { public_metadata: { plan: { tier: 'pro', seats: 3 }, fooBar: 1 }, private_metadata: { a: 1 } });
  const response = await api(server, 'PATCH', `/v1/users/${user.id}/metadata`, {
    body: { public_metadata: { plan: { seats: 5, addOns: ['sso'] }, fooBar: null }, unsafe_metadata: { theme: 'dark' } },
  });
  assert.equal(response.status, 200, response.text);
  assertMatchesSpec('User', response.body);
  const merged = response.body as UserJson;
  assert.deepEqual(merged.public_metadata, { plan: { tier: 'pro', seats: 5, addOns: ['sso'] } });
  assert.deepEqual(merged.private_metadata, { a: 1 }, 'a field not sent is unchanged');
  assert.deepEqual(merged.unsafe_metadata, { theme: 'dark' });
  assert.ok(merged.updated_at >= user.updated_at);
});

test('concurrent PATCHes on different keys of one user all land', async () => {
  const user = await createUser();
  const keys = Array.from({ length: 25 }, (_, i) => `key${i}`);
  const responses = await Promise.all(keys.map((key, i) => api(server, 'PATCH', `/v1/users/${user.id}/metadata`, { body: { private_metadata: { [key]: i, nested: { [key]: true } } } })));
  assert.ok(responses.every((r) => r.status === 200));
  const stored = (await getUser(user.id)).private_metadata;
  for (const [i, key] of keys.entries()) {
    assert.equal(stored[key], i);
    assert.equal((stored.nested as Record<string, boolean>)[key], true);
  }
});

test('metadata over 8 KB is refused with form_param_exceeds_allowed_size on create, PUT and PATCH, leaving it unchanged', async () => {
  const big = { blob: 'x'.repeat(8 * 1024) };
  assertClerkError(await api(server, 'POST', '/v1/users', { body: { public_metadata: big } }), 422, 'form_param_exceeds_allowed_size', 'public_metadata');
  const user = await createUser(server, { private_metadata: { half: 'y'.repeat(5000) } });
  assertClerkError(await api(server, 'PUT', `/v1/users/${user.id}/metadata`, { body: { unsafe_metadata: big } }), 422, 'form_param_exceeds_allowed_size', 'unsafe_metadata');
  // Each patch is small; the merged result is what is too large.
  assertClerkError(
    await api(server, 'PATCH', `/v1/users/${user.id}/metadata`, { body: { private_metadata: { other: 'z'.repeat(4000) } } }),
    422,
    'form_param_exceeds_allowed_size',
    'private_metadata',
  );
  assert.deepEqual((await getUser(user.id)).private_metadata, { half: 'y'.repeat(5000) });
});

test('PATCH metadata with a non-object value or an unknown field is refused', async () => {
  const user = await createUser();
  assertClerkError(await api(server, 'PATCH', `/v1/users/${user.id}/metadata`, { body: { public_metadata: [1, 2] } }), 422, 'form_param_type_invalid', 'public_metadata');
  assertClerkError(await api(server, 'PATCH', `/v1/users/${user.id}/metadata`, { body: { public_metadata: 'x' } }), 422, 'form_param_type_invalid', 'public_metadata');
  assertClerkError(await api(server, 'PATCH', `/v1/users/${user.id}/metadata`, { body: { metadata: {} } }), 422, 'form_param_unknown', 'metadata');
});

test('PATCH metadata of an unknown user answers 404', async () => {
  assertClerkError(await api(server, 'PATCH', '/v1/users/user_nobody/metadata', { body: { public_metadata: { a: 1 } } }), 404, 'resource_not_found');
});
