import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createClerkClient, type ClerkClient } from '@clerk/backend';
import { isClerkAPIResponseError } from '@clerk/backend/errors';
import { startTestServer, unique, type TestServer } from '../support/server.js';
import { assertMatchesSpec } from '../support/spec-schema.js';

/** The real @clerk/backend: banUser, unbanUser, lockUser, unlockUser, updateUserMetadata. */

let server: TestServer;
let clerk: ClerkClient;
before(async () => {
  server = await startTestServer();
  clerk = createClerkClient({ secretKey: server.secretKey, apiUrl: server.baseUrl });
});
after(async () => {
  await server.close();
});

async function newUserId(): Promise<string> {
  const user = await clerk.users.createUser({ emailAddress: [`${unique('sdk-mod')}@example.com`] });
  return user.id;
}

test('banUser and unbanUser round-trip through the SDK', async () => {
  const id = await newUserId();
  const banned = await clerk.users.banUser(id);
  assert.equal(banned.banned, true);
  assertMatchesSpec('User', banned.raw);
  assert.equal((await clerk.users.getUser(id)).banned, true);
  assert.equal((await clerk.users.unbanUser(id)).banned, false);
});

test('lockUser and unlockUser round-trip through the SDK', async () => {
  const id = await newUserId();
  const locked = await clerk.users.lockUser(id);
  assert.equal(locked.locked, true);
  assert.equal(locked.raw?.lockout_expires_in_seconds, server.config.lockout.durationSeconds);
  const unlocked = await clerk.users.unlockUser(id);
  assert.equal(unlocked.locked, false);
  assert.equal(unlocked.raw?.verification_attempts_remaining, server.config.lockout.maxAttempts);
});

test('banUser of an unknown user rejects with 404 resource_not_found', async () => {
  await assert.rejects(clerk.users.banUser('user_does_not_exist'), (error: unknown) => {
    assert.ok(isClerkAPIResponseError(error));
    assert.equal(error.status, 404);
    assert.equal(error.errors[0]?.code, 'resource_not_found');
    return true;
  });
});

test('updateUserMetadata deep-merges and deletes keys set to null', async () => {
  const user = await clerk.users.createUser({
    emailAddress: [`${unique('sdk-meta')}@example.com`],
    publicMetadata: { roles: { admin: true, editor: true }, planName: 'free' },
  });
  const merged = await clerk.users.updateUserMetadata(user.id, {
    publicMetadata: { roles: { editor: null, viewer: true }, planName: 'pro' },
    privateMetadata: { stripeCustomerId: 'cus_123' },
  });
  assert.deepEqual(merged.publicMetadata, { roles: { admin: true, viewer: true }, planName: 'pro' });
  assert.deepEqual(merged.privateMetadata, { stripeCustomerId: 'cus_123' });
  assertMatchesSpec('User', merged.raw);
});

test('concurrent updateUserMetadata calls on different keys all land', async () => {
  const id = await newUserId();
  await Promise.all(Array.from({ length: 10 }, (_, i) => clerk.users.updateUserMetadata(id, { unsafeMetadata: { [`k${i}`]: i } })));
  const user = await clerk.users.getUser(id);
  assert.deepEqual(user.unsafeMetadata, Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, i])));
});
