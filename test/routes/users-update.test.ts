import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { users } from '../../src/db/schema.js';
import type { UserJson } from '../../src/schemas/user-response.js';
import { api, type ApiResponse, startTestServer, type TestServer, unique, uniqueEmail, uniquePhone, uniqueWallet } from '../support/server.js';
import { assertMatchesSpec } from '../support/spec-schema.js';
import { assertClerkError } from '../support/clerk-errors.js';

/** GET and PATCH /v1/users/{id}: every UpdateUser field, API-version gating, and atomicity. */

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.close();
});

const BCRYPT_DIGEST = '$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy';
const GO_SDK_API_VERSION = { 'clerk-api-version': '2021-02-05' };
const JS_SDK_API_VERSION = { 'clerk-api-version': '2026-05-12' };


async function createUser(body: Record<string, unknown> = {}): Promise<UserJson> {
  const response = await api(server, 'POST', '/v1/users', { body: { email_address: [uniqueEmail()], ...body } });
  assert.equal(response.status, 200, response.text);
  assertMatchesSpec('User', response.body);
  return response.body as UserJson;
}

async function getUser(id: string): Promise<UserJson> {
  const response = await api(server, 'GET', `/v1/users/${id}`);
  assert.equal(response.status, 200, response.text);
  assertMatchesSpec('User', response.body);
  return response.body as UserJson;
}

async function patch(id: string, body: unknown, headers: Record<string, string> = {}): Promise<ApiResponse> {
  return api(server, 'PATCH', `/v1/users/${id}`, { body, headers });
}

async function updateUser(id: string, body: unknown, headers: Record<string, string> = {}): Promise<UserJson> {
  const response = await patch(id, body, headers);
  assert.equal(response.status, 200, response.text);
  assertMatchesSpec('User', response.body);
  return response.body as UserJson;
}


/** Sends an update that must be refused, and proves the user reads back exactly as before. */
async function rejectedUpdate(id: string, body: unknown, headers: Record<string, string> = {}): Promise<ApiResponse> {
  const before = await getUser(id);
  const response = await patch(id, body, headers);
  assert.deepEqual(await getUser(id), before, 'a rejected update must change nothing');
  return response;
}

function storedPassword(userId: string): { digest: string | null; hasher: string | null } | undefined {
  return server.db.select({ digest: users.passwordDigest, hasher: users.passwordHasher }).from(users).where(eq(users.id, userId)).get();
}

// ---- get --------------------------------------------------------------------------

test('reading an unknown user id answers 404 resource_not_found', async () => {
  const response = await api(server, 'GET', '/v1/users/user_2xhFjEI5X2qWRvtV13BzSj8H6Dk');
  assertClerkError(response, 404, 'resource_not_found');
});

// ---- plain fields --------------------------------------------------------------------

const SIMPLE_FIELDS: { field: keyof UserJson; value: unknown; expected?: unknown }[] = [
  { field: 'first_name', value: 'Grace' },
  { field: 'last_name', value: 'Hopper' },
  { field: 'locale', value: 'de-DE' },
  { field: 'timezone', value: 'America/New_York' },
  { field: 'delete_self_enabled', value: false },
  { field: 'create_organization_enabled', value: false },
  { field: 'create_organizations_limit', value: 3 },
  { field: 'bypass_client_trust', value: true },
  { field: 'legal_accepted_at', value: '2024-05-06T07:08:09.010Z', expected: Date.UTC(2024, 4, 6, 7, 8, 9, 10) },
  { field: 'created_at', value: '2019-12-31T23:59:59+01:00', expected: Date.UTC(2019, 11, 31, 22, 59, 59) },
];

for (const { field, value, expected } of SIMPLE_FIELDS) {
  test(`PATCH sets ${field}`, async () => {
    const user = await createUser();
    const updated = await updateUser(user.id, { [field]: value });
    assert.deepEqual(updated[field], expected ?? value);
    assert.deepEqual((await getUser(user.id))[field], expected ?? value);
  });
}

test('PATCH sets external_id', async () => {
  const user = await createUser();
  const externalId = unique('ext_');
  const updated = await updateUser(user.id, { external_id: externalId });
  assert.equal(updated.external_id, externalId);
});

test('PATCH with null clears first_name, last_name, locale and external_id', async () => {
  const user = await createUser({ first_name: 'A', last_name: 'B', locale: 'en-US', external_id: unique('ext_') });
  const updated = await updateUser(user.id, { first_name: null, last_name: null, locale: null, external_id: null });
  assert.equal(updated.first_name, null);
  assert.equal(updated.last_name, null);
  assert.equal(updated.locale, null);
  assert.equal(updated.external_id, null);
});

test('PATCH with null clears create_organizations_limit', async () => {
  const user = await createUser({ create_organizations_limit: 4 });
  const updated = await updateUser(user.id, { create_organizations_limit: null });
  assert.equal(updated.create_organizations_limit, null);
});

test('PATCH with null clears legal_accepted_at', async () => {
  const user = await createUser({ legal_accepted_at: '2024-01-01T00:00:00Z' });
  const updated = await updateUser(user.id, { legal_accepted_at: null });
  assert.equal(updated.legal_accepted_at, null);
});

test('PATCH leaves the fields it does not name unchanged', async () => {
  const user = await createUser({ first_name: 'Keep', last_name: 'Me', username: unique('keep_') });
  const updated = await updateUser(user.id, { locale: 'it-IT' });
  assert.equal(updated.first_name, 'Keep');
  assert.equal(updated.last_name, 'Me');
  assert.equal(updated.username, user.username);
  assert.deepEqual(updated.email_addresses, user.email_addresses);
});

test('a legal_accepted_at that is not RFC 3339 is refused and changes nothing', async () => {
  const user = await createUser();
  const response = await rejectedUpdate(user.id, { first_name: 'Changed', legal_accepted_at: 'yesterday' });
  assertClerkError(response, 422, 'form_param_invalid_time', 'legal_accepted_at');
});

test('a created_at that is not RFC 3339 is refused and changes nothing', async () => {
  const user = await createUser();
  const response = await rejectedUpdate(user.id, { first_name: 'Changed', created_at: '2024-13-01T00:00:00Z' });
  assertClerkError(response, 422, 'form_param_invalid_time', 'created_at');
});

test('skip_legal_checks is accepted', async () => {
  const user = await createUser();
  await updateUser(user.id, { skip_legal_checks: true, legal_accepted_at: '2024-01-01T00:00:00Z' });
});

// ---- username ------------------------------------------------------------------------

test('PATCH sets a username, lowercased', async () => {
  const user = await createUser();
  const username = unique('New_Name_');
  const updated = await updateUser(user.id, { username });
  assert.equal(updated.username, username.toLowerCase());
});

test('PATCH with username null removes the username', async () => {
  const user = await createUser({ username: unique('gone_') });
  const updated = await updateUser(user.id, { username: null });
  assert.equal(updated.username, null);
});

test('PATCH with username "" removes the username', async () => {
  const user = await createUser({ username: unique('gone_') });
  const updated = await updateUser(user.id, { username: '' });
  assert.equal(updated.username, null);
});

test("PATCH with the user's own username in another case keeps it", async () => {
  const username = unique('own_');
  const user = await createUser({ username });
  const updated = await updateUser(user.id, { username: username.toUpperCase() });
  assert.equal(updated.username, username);
});

test("PATCH with the user's own external_id keeps it", async () => {
  const externalId = unique('ext_');
  const user = await createUser({ external_id: externalId });
  const updated = await updateUser(user.id, { external_id: externalId, first_name: 'Same' });
  assert.equal(updated.external_id, externalId);
});

test('a removed username can be taken by another user', async () => {
  const username = unique('freed_');
  const first = await createUser({ username });
  await updateUser(first.id, { username: null });
  const second = await createUser({ username });
  assert.equal(second.username, username);
});

test('a username another user has is refused as form_identifier_exists and changes nothing', async () => {
  const taken = unique('taken_');
  await createUser({ username: taken });
  const user = await createUser();
  const response = await rejectedUpdate(user.id, { first_name: 'Changed', username: taken.toUpperCase() });
  assertClerkError(response, 422, 'form_identifier_exists', 'username');
});

test('an invalid username is refused as form_username_invalid_character and changes nothing', async () => {
  const user = await createUser();
  const response = await rejectedUpdate(user.id, { first_name: 'Changed', username: 'no spaces please' });
  assertClerkError(response, 422, 'form_username_invalid_character', 'username');
});

test('an external_id another user has is refused as form_identifier_exists and changes nothing', async () => {
  const externalId = unique('ext_');
  await createUser({ external_id: externalId });
  const user = await createUser();
  const response = await rejectedUpdate(user.id, { first_name: 'Changed', external_id: externalId });
  assertClerkError(response, 422, 'form_identifier_exists', 'external_id');
});

// ---- primary identifications -------------------------------------------------------

test('primary_email_address_id switches the primary email to another verified email of the user', async () => {
  const second = uniqueEmail();
  const user = await createUser({ email_address: [uniqueEmail(), second] });
  const secondId = user.email_addresses.find((email) => email.email_address === second)!.id;
  assert.notEqual(user.primary_email_address_id, secondId);
  const updated = await updateUser(user.id, { primary_email_address_id: secondId });
  assert.equal(updated.primary_email_address_id, secondId);
  assert.equal(updated.email_addresses.length, 2);
});

test("primary_email_address_id naming another user's email is refused and changes nothing", async () => {
  const other = await createUser();
  const user = await createUser();
  const response = await rejectedUpdate(user.id, { first_name: 'Changed', primary_email_address_id: other.email_addresses[0]!.id });
  assertClerkError(response, 422, 'form_param_value_invalid', 'primary_email_address_id');
});

test('primary_email_address_id naming a reserved email is refused and changes nothing', async () => {
  const reserved = uniqueEmail();
  const user = await createUser({ email_address: [uniqueEmail(), reserved], email_address_identification_status: ['verified', 'reserved'] });
  const reservedId = user.email_addresses.find((email) => email.email_address === reserved)!.id;
  const response = await rejectedUpdate(user.id, { primary_email_address_id: reservedId });
  assertClerkError(response, 422, 'form_param_value_invalid', 'primary_email_address_id');
});

test('primary_phone_number_id switches the primary phone to another verified phone of the user', async () => {
  const second = uniquePhone();
  const user = await createUser({ phone_number: [uniquePhone(), second] });
  const secondId = user.phone_numbers.find((phone) => phone.phone_number === second)!.id;
  assert.notEqual(user.primary_phone_number_id, secondId);
  const updated = await updateUser(user.id, { primary_phone_number_id: secondId });
  assert.equal(updated.primary_phone_number_id, secondId);
});

test("primary_phone_number_id naming another user's phone is refused and changes nothing", async () => {
  const other = await createUser({ phone_number: [uniquePhone()] });
  const user = await createUser({ phone_number: [uniquePhone()] });
  const response = await rejectedUpdate(user.id, { primary_phone_number_id: other.phone_numbers[0]!.id });
  assertClerkError(response, 422, 'form_param_value_invalid', 'primary_phone_number_id');
});

test('primary_web3_wallet_id switches the primary wallet to another wallet of the user', async () => {
  const second = uniqueWallet();
  const user = await createUser({ web3_wallet: [uniqueWallet(), second] });
  const secondId = user.web3_wallets.find((wallet) => wallet.web3_wallet === second)!.id;
  assert.notEqual(user.primary_web3_wallet_id, secondId);
  const updated = await updateUser(user.id, { primary_web3_wallet_id: secondId });
  assert.equal(updated.primary_web3_wallet_id, secondId);
});

test('notify_primary_email_address_changed: false, as the PHP and Python SDKs always send it, is accepted', async () => {
  const user = await createUser();
  const updated = await updateUser(user.id, { first_name: 'Php', notify_primary_email_address_changed: false });
  assert.equal(updated.first_name, 'Php');
});

test('an unknown profile_image_id is refused as image_not_found and changes nothing', async () => {
  const user = await createUser();
  const response = await rejectedUpdate(user.id, { first_name: 'Changed', profile_image_id: 'img_2xhFjEI5X2qWRvtV13BzSj8H6Dk' });
  assertClerkError(response, 404, 'image_not_found', 'profile_image_id');
});

// ---- passwords and second factors --------------------------------------------------

test('PATCH with a password enables password sign-in and stores an argon2id digest', async () => {
  const user = await createUser();
  assert.equal(user.password_enabled, false);
  const updated = await updateUser(user.id, { password: 'a much longer passphrase' });
  assert.equal(updated.password_enabled, true);
  assert.equal(typeof updated.password_last_updated_at, 'number');
  assert.ok(storedPassword(user.id)?.digest?.startsWith('$argon2id$'));
});

test('PATCH with a password and sign_out_of_other_sessions is accepted', async () => {
  const user = await createUser();
  const updated = await updateUser(user.id, { password: 'a much longer passphrase', sign_out_of_other_sessions: true });
  assert.equal(updated.password_enabled, true);
});

test('a password shorter than 8 characters is refused and changes nothing', async () => {
  const user = await createUser();
  const response = await rejectedUpdate(user.id, { first_name: 'Changed', password: 'short' });
  assertClerkError(response, 422, 'form_password_length_too_short', 'password');
});

test('skip_password_checks accepts a password shorter than 8 characters on update', async () => {
  const user = await createUser();
  const updated = await updateUser(user.id, { password: 'short', skip_password_checks: true });
  assert.equal(updated.password_enabled, true);
});

test('PATCH with a bcrypt password_digest stores it exactly as given', async () => {
  const user = await createUser({ password: 'original password' });
  const updated = await updateUser(user.id, { password_digest: BCRYPT_DIGEST, password_hasher: 'bcrypt' });
  assert.equal(updated.password_enabled, true);
  assert.deepEqual(storedPassword(user.id), { digest: BCRYPT_DIGEST, hasher: 'bcrypt' });
});

test('an unknown password_hasher on update is refused and changes nothing', async () => {
  const user = await createUser();
  const response = await rejectedUpdate(user.id, { password_digest: BCRYPT_DIGEST, password_hasher: 'rot13' });
  assertClerkError(response, 422, 'form_param_value_invalid', 'password_hasher');
});

test('PATCH with a totp_secret enables TOTP', async () => {
  const user = await createUser();
  const updated = await updateUser(user.id, { totp_secret: 'JBSWY3DPEHPK3PXP' });
  assert.equal(updated.totp_enabled, true);
  assert.equal(updated.two_factor_enabled, true);
  assert.equal(typeof updated.mfa_enabled_at, 'number');
});

test('PATCH with totp_secret null disables TOTP', async () => {
  const user = await createUser({ totp_secret: 'JBSWY3DPEHPK3PXP' });
  const updated = await updateUser(user.id, { totp_secret: null });
  assert.equal(updated.totp_enabled, false);
  assert.equal(updated.two_factor_enabled, false);
  assert.equal(typeof updated.mfa_disabled_at, 'number');
});

test('an invalid totp_secret on update is refused and changes nothing', async () => {
  const user = await createUser();
  const response = await rejectedUpdate(user.id, { first_name: 'Changed', totp_secret: '!!!' });
  assertClerkError(response, 422, 'invalid_totp_secret_code', 'totp_secret');
});

test('PATCH with backup_codes enables backup codes', async () => {
  const user = await createUser();
  const updated = await updateUser(user.id, { backup_codes: ['one-code', 'two-code'] });
  assert.equal(updated.backup_code_enabled, true);
  assert.equal(updated.two_factor_enabled, true);
});

// ---- metadata and API versions -----------------------------------------------------

for (const field of ['public_metadata', 'private_metadata', 'unsafe_metadata'] as const) {
  test(`${field} on PATCH with Clerk-API-Version 2026-05-12 is refused as form_param_unknown and changes nothing`, async () => {
    const user = await createUser();
    const response = await rejectedUpdate(user.id, { first_name: 'Changed', [field]: { a: 1 } }, JS_SDK_API_VERSION);
    assertClerkError(response, 422, 'form_param_unknown', field);
  });
}

test('metadata on PATCH without a Clerk-API-Version header is refused as form_param_unknown', async () => {
  const user = await createUser();
  const response = await rejectedUpdate(user.id, { public_metadata: { a: 1 } });
  assertClerkError(response, 422, 'form_param_unknown', 'public_metadata');
});

test('metadata on PATCH with Clerk-API-Version 2021-02-05 (the Go SDK) is accepted and replaces each given field', async () => {
  const user = await createUser({ public_metadata: { a: 1, keep: { nested: true } }, private_metadata: { secret: 'x' }, unsafe_metadata: { u: 1 } });
  const updated = await updateUser(user.id, { public_metadata: { b: { camelCase: 2 } }, unsafe_metadata: {} }, GO_SDK_API_VERSION);
  assert.deepEqual(updated.public_metadata, { b: { camelCase: 2 } });
  assert.deepEqual(updated.private_metadata, { secret: 'x' });
  assert.deepEqual(updated.unsafe_metadata, {});
});

test('the Go SDK may send other fields beside metadata on PATCH', async () => {
  const user = await createUser();
  const updated = await updateUser(user.id, { first_name: 'Gopher', private_metadata: { go: true } }, GO_SDK_API_VERSION);
  assert.equal(updated.first_name, 'Gopher');
  assert.deepEqual(updated.private_metadata, { go: true });
});

// ---- shape, timestamps, unknown users ----------------------------------------------

test('an unknown field on PATCH is refused as form_param_unknown and changes nothing', async () => {
  const user = await createUser();
  const response = await rejectedUpdate(user.id, { first_name: 'Changed', email_address: [uniqueEmail()] });
  assertClerkError(response, 422, 'form_param_unknown', 'email_address');
});

test('a field of the wrong type on PATCH is refused as form_param_type_invalid', async () => {
  const user = await createUser();
  const response = await rejectedUpdate(user.id, { last_name: 5 });
  assertClerkError(response, 422, 'form_param_type_invalid', 'last_name');
});

test('an update moves updated_at forward and leaves created_at alone', async () => {
  const user = await createUser();
  await sleep(5);
  const updated = await updateUser(user.id, { first_name: 'Later' });
  assert.ok(updated.updated_at > user.updated_at, `${updated.updated_at} should be after ${user.updated_at}`);
  assert.equal(updated.created_at, user.created_at);
});

test('updating an unknown user answers 404 resource_not_found', async () => {
  const response = await patch('user_2xhFjEI5X2qWRvtV13BzSj8H6Dk', { first_name: 'Ghost' });
  assertClerkError(response, 404, 'resource_not_found');
});

test('updating an unknown user with a password answers 404, not a password error', async () => {
  const response = await patch('user_2xhFjEI5X2qWRvtV13BzSj8H6Dk', { password: 'long enough password' });
  assertClerkError(response, 404, 'resource_not_found');
});
