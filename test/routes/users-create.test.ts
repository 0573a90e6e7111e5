import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { count, eq } from 'drizzle-orm';
import { emailAddresses, phoneNumbers, users, web3Wallets } from '../../src/db/schema.js';
import type { UserJson } from '../../src/schemas/user-response.js';
import { api, type ApiResponse, startTestServer, type TestServer, unique, uniqueEmail, uniquePhone, uniqueWallet } from '../support/server.js';
import { assertMatchesSpec } from '../support/spec-schema.js';
import { assertClerkError } from '../support/clerk-errors.js';

/** POST /v1/users: every CreateUser field, the identifier rules, and what a rejected create leaves behind. */

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.close();
});

const USER_ID = /^user_[0-9A-Za-z]{27}$/;
const IDN_ID = /^idn_[0-9A-Za-z]{27}$/;
const ADMIN_VERIFICATION = { object: 'verification_admin', status: 'verified', strategy: 'admin', attempts: null, expire_at: null };
const BCRYPT_DIGEST = '$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy';

function uniqueUsername(): string {
  return unique('name_');
}

async function createUser(body: Record<string, unknown>): Promise<UserJson> {
  const response = await api(server, 'POST', '/v1/users', { body });
  assert.equal(response.status, 200, response.text);
  assertMatchesSpec('User', response.body);
  return response.body as UserJson;
}


function emailId(user: UserJson, address: string): string | undefined {
  return user.email_addresses.find((email) => email.email_address === address)?.id;
}

function rowCounts(): Record<string, number> {
  const of = (table: typeof users | typeof emailAddresses | typeof phoneNumbers | typeof web3Wallets) =>
    server.db.select({ n: count() }).from(table).get()?.n ?? -1;
  return { users: of(users), email_addresses: of(emailAddresses), phone_numbers: of(phoneNumbers), web3_wallets: of(web3Wallets) };
}

function storedPassword(userId: string): { digest: string | null; hasher: string | null } | undefined {
  return server.db.select({ digest: users.passwordDigest, hasher: users.passwordHasher }).from(users).where(eq(users.id, userId)).get();
}

/** Sends a create that must be refused, and proves it left no row anywhere. */
async function rejectedCreate(body: Record<string, unknown>): Promise<ApiResponse> {
  const before = rowCounts();
  const response = await api(server, 'POST', '/v1/users', { body });
  assert.deepEqual(rowCounts(), before, 'a rejected create must not leave rows behind');
  return response;
}

// ---- ids and identifiers ------------------------------------------------------------

test('a created user has a user_ id of 27 base62 characters and idn_ ids for its identifications', async () => {
  const user = await createUser({ email_address: [uniqueEmail()], phone_number: [uniquePhone()], web3_wallet: [uniqueWallet()] });
  assert.match(user.id, USER_ID);
  assert.match(user.email_addresses[0]!.id, IDN_ID);
  assert.match(user.phone_numbers[0]!.id, IDN_ID);
  assert.match(user.web3_wallets[0]!.id, IDN_ID);
});

test('email addresses are stored lowercased', async () => {
  const first = uniqueEmail();
  const second = uniqueEmail();
  const user = await createUser({ email_address: [first.toUpperCase(), `  ${second}  `] });
  assert.deepEqual(user.email_addresses.map((email) => email.email_address).sort(), [first, second].sort());
});

test('email addresses are listed in the order they were given', async () => {
  const given = [uniqueEmail(), uniqueEmail(), uniqueEmail(), uniqueEmail(), uniqueEmail(), uniqueEmail()];
  const user = await createUser({ email_address: given });
  assert.deepEqual(
    user.email_addresses.map((email) => email.email_address),
    given,
  );
});

test('the first email address given becomes the primary one', async () => {
  const first = uniqueEmail();
  const user = await createUser({ email_address: [first, uniqueEmail(), uniqueEmail()] });
  assert.equal(user.primary_email_address_id, emailId(user, first));
});

test('an email address created through the Backend API carries a verified admin verification', async () => {
  const user = await createUser({ email_address: [uniqueEmail()] });
  const [email] = user.email_addresses;
  assert.equal(email!.reserved, false);
  assert.deepEqual(email!.verification, ADMIN_VERIFICATION);
  assert.deepEqual(email!.linked_to, []);
});

test('an email address created with identification status reserved is reserved and has no verification', async () => {
  const verified = uniqueEmail();
  const reserved = uniqueEmail();
  const user = await createUser({ email_address: [verified, reserved], email_address_identification_status: ['verified', 'reserved'] });
  const byAddress = (address: string) => user.email_addresses.find((email) => email.email_address === address)!;
  assert.equal(byAddress(verified).reserved, false);
  assert.deepEqual(byAddress(verified).verification, ADMIN_VERIFICATION);
  assert.equal(byAddress(reserved).reserved, true);
  assert.equal(byAddress(reserved).verification, null);
});

test('an email identification status list whose length differs from the email list is refused', async () => {
  const response = await rejectedCreate({ email_address: [uniqueEmail(), uniqueEmail()], email_address_identification_status: ['reserved'] });
  assertClerkError(response, 422, 'form_param_value_invalid', 'email_address_identification_status');
});

test('phone numbers are stored in E.164, verified by the admin strategy', async () => {
  const phone = uniquePhone();
  const user = await createUser({ phone_number: [phone] });
  assert.equal(user.phone_numbers.length, 1);
  assert.equal(user.phone_numbers[0]!.phone_number, phone);
  assert.deepEqual(user.phone_numbers[0]!.verification, ADMIN_VERIFICATION);
  assert.equal(user.phone_numbers[0]!.reserved, false);
});

test('the first phone number given becomes the primary one', async () => {
  const first = uniquePhone();
  const user = await createUser({ phone_number: [first, uniquePhone(), uniquePhone()] });
  assert.equal(user.primary_phone_number_id, user.phone_numbers.find((phone) => phone.phone_number === first)?.id);
});

test('phone numbers are listed in the order they were given', async () => {
  const given = [uniquePhone(), uniquePhone(), uniquePhone(), uniquePhone(), uniquePhone(), uniquePhone()];
  const user = await createUser({ phone_number: given });
  assert.deepEqual(
    user.phone_numbers.map((phone) => phone.phone_number),
    given,
  );
});

test('a phone number created with identification status reserved is reserved and has no verification', async () => {
  const user = await createUser({ phone_number: [uniquePhone()], phone_number_identification_status: ['reserved'] });
  assert.equal(user.phone_numbers[0]!.reserved, true);
  assert.equal(user.phone_numbers[0]!.verification, null);
});

test('a phone identification status list whose length differs from the phone list is refused', async () => {
  const response = await rejectedCreate({ phone_number: [uniquePhone()], phone_number_identification_status: ['verified', 'reserved'] });
  assertClerkError(response, 422, 'form_param_value_invalid', 'phone_number_identification_status');
});

test('a web3 wallet is stored, verified by the admin strategy, and becomes the primary wallet', async () => {
  const wallet = uniqueWallet();
  const user = await createUser({ web3_wallet: [wallet] });
  assert.equal(user.web3_wallets.length, 1);
  assert.equal(user.web3_wallets[0]!.web3_wallet, wallet);
  assert.deepEqual(user.web3_wallets[0]!.verification, ADMIN_VERIFICATION);
  assert.equal(user.primary_web3_wallet_id, user.web3_wallets[0]!.id);
});

test('a username is stored lowercased', async () => {
  const username = uniqueUsername();
  const user = await createUser({ username: username.toUpperCase() });
  assert.equal(user.username, username.toLowerCase());
});

test('a user created without identifiers has null primary ids and empty identification lists', async () => {
  const user = await createUser({ first_name: 'Nobody' });
  assert.equal(user.primary_email_address_id, null);
  assert.equal(user.primary_phone_number_id, null);
  assert.equal(user.primary_web3_wallet_id, null);
  assert.deepEqual(user.email_addresses, []);
  assert.deepEqual(user.phone_numbers, []);
  assert.deepEqual(user.web3_wallets, []);
});

// ---- profile fields ---------------------------------------------------------------

test('external_id, first_name, last_name and locale round-trip', async () => {
  const externalId = unique('ext_');
  const user = await createUser({ external_id: externalId, first_name: 'Ada', last_name: 'Lovelace', locale: 'fr-FR' });
  assert.equal(user.external_id, externalId);
  assert.equal(user.first_name, 'Ada');
  assert.equal(user.last_name, 'Lovelace');
  assert.equal(user.locale, 'fr-FR');
});

test('timezone, which @clerk/backend sends though the spec lacks it, round-trips', async () => {
  const user = await createUser({ timezone: 'Europe/Paris' });
  assert.equal(user.timezone, 'Europe/Paris');
});

test('omitted profile fields read as null and the settings take their defaults', async () => {
  const user = await createUser({ email_address: [uniqueEmail()] });
  assert.equal(user.external_id, null);
  assert.equal(user.username, null);
  assert.equal(user.first_name, null);
  assert.equal(user.last_name, null);
  assert.equal(user.locale, null);
  assert.equal(user.password_enabled, false);
  assert.equal(user.two_factor_enabled, false);
  assert.equal(user.banned, false);
  assert.equal(user.locked, false);
  assert.equal(user.delete_self_enabled, true);
  assert.equal(user.create_organization_enabled, true);
  assert.equal(user.create_organizations_limit, null);
  assert.equal(user.bypass_client_trust, false);
  assert.equal(user.legal_accepted_at, null);
  assert.deepEqual(user.public_metadata, {});
  assert.deepEqual(user.private_metadata, {});
  assert.deepEqual(user.unsafe_metadata, {});
});

test('delete_self_enabled, create_organization_enabled, create_organizations_limit and bypass_client_trust round-trip', async () => {
  const user = await createUser({
    delete_self_enabled: false,
    create_organization_enabled: false,
    create_organizations_limit: 7,
    bypass_client_trust: true,
  });
  assert.equal(user.delete_self_enabled, false);
  assert.equal(user.create_organization_enabled, false);
  assert.equal(user.create_organizations_limit, 7);
  assert.equal(user.bypass_client_trust, true);
});

test('the skip_password_requirement, skip_legal_checks and skip_user_requirement flags are accepted', async () => {
  const user = await createUser({ skip_password_requirement: true, skip_legal_checks: true, skip_user_requirement: true, username: uniqueUsername() });
  assert.equal(user.password_enabled, false);
});

test('metadata is stored verbatim, nested keys and their case untouched', async () => {
  const publicMetadata = { fooBar: { bazQux: 1, snake_case: [1, { deepKey: true }] }, 'Key With Spaces': null };
  const privateMetadata = { Stripe: { customerId: 'cus_123' } };
  const unsafeMetadata = { nested: { a: { b: { c: 'd' } } }, emptyObject: {}, list: [] };
  const user = await createUser({ public_metadata: publicMetadata, private_metadata: privateMetadata, unsafe_metadata: unsafeMetadata });
  assert.deepEqual(user.public_metadata, publicMetadata);
  assert.deepEqual(user.private_metadata, privateMetadata);
  assert.deepEqual(user.unsafe_metadata, unsafeMetadata);
  const read = await api(server, 'GET', `/v1/users/${user.id}`);
  assert.deepEqual(read.body, user);
});

// ---- passwords ---------------------------------------------------------------------

test('a password enables password sign-in and records when it was set', async () => {
  const before = Date.now();
  const user = await createUser({ email_address: [uniqueEmail()], password: 'correct horse battery staple' });
  assert.equal(user.password_enabled, true);
  assert.equal(typeof user.password_last_updated_at, 'number');
  assert.ok(user.password_last_updated_at! >= before && user.password_last_updated_at! <= Date.now());
});

test('a plaintext password is stored as an argon2id digest, never as given', async () => {
  const password = 'correct horse battery staple';
  const user = await createUser({ email_address: [uniqueEmail()], password });
  const stored = storedPassword(user.id);
  assert.ok(stored?.digest?.startsWith('$argon2id$'), `stored digest: ${stored?.digest}`);
  assert.notEqual(stored?.digest, password);
  assert.equal(JSON.stringify(user).includes(password), false);
});

test('a password shorter than 8 characters is refused', async () => {
  const response = await rejectedCreate({ email_address: [uniqueEmail()], password: 'short12' });
  assertClerkError(response, 422, 'form_password_length_too_short', 'password');
});

test('skip_password_checks accepts a password shorter than 8 characters', async () => {
  const user = await createUser({ email_address: [uniqueEmail()], password: 'short', skip_password_checks: true });
  assert.equal(user.password_enabled, true);
});

test('a bcrypt password_digest is stored exactly as given with its hasher', async () => {
  const user = await createUser({ email_address: [uniqueEmail()], password_digest: BCRYPT_DIGEST, password_hasher: 'bcrypt' });
  assert.equal(user.password_enabled, true);
  assert.equal(typeof user.password_last_updated_at, 'number');
  assert.deepEqual(storedPassword(user.id), { digest: BCRYPT_DIGEST, hasher: 'bcrypt' });
});

test('an unknown password_hasher is refused', async () => {
  const response = await rejectedCreate({ email_address: [uniqueEmail()], password_digest: BCRYPT_DIGEST, password_hasher: 'rot13' });
  assertClerkError(response, 422, 'form_param_value_invalid', 'password_hasher');
});

test('a password_digest without a password_hasher is refused', async () => {
  const response = await rejectedCreate({ email_address: [uniqueEmail()], password_digest: BCRYPT_DIGEST });
  assertClerkError(response, 422, 'form_conditional_param_missing', 'password_hasher');
});

// ---- timestamps --------------------------------------------------------------------

test('created_at in RFC 3339 becomes the user creation time in unix milliseconds', async () => {
  const user = await createUser({ created_at: '2020-01-02T03:04:05.678+02:00' });
  assert.equal(user.created_at, Date.UTC(2020, 0, 2, 1, 4, 5, 678));
});

test('created_at may predate 2014, as the spec example 2012-10-20T07:15:20.902Z does', async () => {
  const user = await createUser({ created_at: '2012-10-20T07:15:20.902Z' });
  assert.equal(user.created_at, Date.UTC(2012, 9, 20, 7, 15, 20, 902));
  assert.match(user.id, USER_ID);
});

test('a created_at far in the future is stored as given', async () => {
  const user = await createUser({ created_at: '2999-01-01T00:00:00Z' });
  assert.equal(user.created_at, Date.UTC(2999, 0, 1));
  assert.match(user.id, USER_ID);
});

test('an empty created_at is refused, not ignored', async () => {
  const response = await rejectedCreate({ email_address: [uniqueEmail()], created_at: '' });
  assertClerkError(response, 422, 'form_param_invalid_time', 'created_at');
});

test('legal_accepted_at in RFC 3339 is returned in unix milliseconds', async () => {
  const user = await createUser({ legal_accepted_at: '2012-10-20T07:15:20.902Z' });
  assert.equal(user.legal_accepted_at, Date.UTC(2012, 9, 20, 7, 15, 20, 902));
});

test('a created_at that is not RFC 3339 is refused', async () => {
  const response = await rejectedCreate({ email_address: [uniqueEmail()], created_at: 'last tuesday' });
  assertClerkError(response, 422, 'form_param_invalid_time', 'created_at');
});

test('a legal_accepted_at that is not RFC 3339 is refused', async () => {
  const response = await rejectedCreate({ email_address: [uniqueEmail()], legal_accepted_at: '2023-02-30T00:00:00Z' });
  assertClerkError(response, 422, 'form_param_invalid_time', 'legal_accepted_at');
});

// ---- second factors and moderation -------------------------------------------------

test('a base32 totp_secret enables TOTP and two-factor authentication', async () => {
  const user = await createUser({ email_address: [uniqueEmail()], totp_secret: 'JBSWY3DPEHPK3PXP' });
  assert.equal(user.totp_enabled, true);
  assert.equal(user.two_factor_enabled, true);
  assert.equal(typeof user.mfa_enabled_at, 'number');
});

test('a totp_secret that is not base32 is refused', async () => {
  const response = await rejectedCreate({ email_address: [uniqueEmail()], totp_secret: 'not a base32 secret!' });
  assertClerkError(response, 422, 'invalid_totp_secret_code', 'totp_secret');
});

test('backup_codes enable backup codes and two-factor authentication', async () => {
  const user = await createUser({ email_address: [uniqueEmail()], backup_codes: ['abcd1234', 'efgh5678'] });
  assert.equal(user.backup_code_enabled, true);
  assert.equal(user.two_factor_enabled, true);
  assert.equal(user.totp_enabled, false);
});

test('banned: true creates the user banned', async () => {
  const user = await createUser({ email_address: [uniqueEmail()], banned: true });
  assert.equal(user.banned, true);
});

test('locked: true creates the user locked', async () => {
  const user = await createUser({ email_address: [uniqueEmail()], locked: true });
  assert.equal(user.locked, true);
  assert.equal(typeof user.lockout_expires_in_seconds, 'number');
  assert.ok(user.lockout_expires_in_seconds! > 0);
});

// ---- duplicates ----------------------------------------------------------------------

test('an email address another user has, in any case, is refused as form_identifier_exists and leaves no rows', async () => {
  const email = uniqueEmail();
  await createUser({ email_address: [email] });
  const response = await rejectedCreate({ email_address: [uniqueEmail(), email.toUpperCase()], phone_number: [uniquePhone()] });
  assertClerkError(response, 422, 'form_identifier_exists', 'email_address');
});

test('the same email address twice in one create is refused as form_identifier_exists and leaves no rows', async () => {
  const email = uniqueEmail();
  const response = await rejectedCreate({ email_address: [email, email.toUpperCase()] });
  assertClerkError(response, 422, 'form_identifier_exists', 'email_address');
});

test('a phone number another user has is refused as form_identifier_exists and leaves no rows', async () => {
  const phone = uniquePhone();
  await createUser({ phone_number: [phone] });
  const response = await rejectedCreate({ email_address: [uniqueEmail()], phone_number: [phone] });
  assertClerkError(response, 422, 'form_identifier_exists', 'phone_number');
});

test('a username another user has, in any case, is refused as form_identifier_exists and leaves no rows', async () => {
  const username = uniqueUsername();
  await createUser({ username });
  const response = await rejectedCreate({ email_address: [uniqueEmail()], username: username.toUpperCase() });
  assertClerkError(response, 422, 'form_identifier_exists', 'username');
});

test('a web3 wallet another user has, in any case, is refused as form_identifier_exists and leaves no rows', async () => {
  const wallet = uniqueWallet();
  await createUser({ web3_wallet: [wallet] });
  const response = await rejectedCreate({ email_address: [uniqueEmail()], web3_wallet: [`0x${wallet.slice(2).toUpperCase()}`] });
  assertClerkError(response, 422, 'form_identifier_exists', 'web3_wallet');
});

test('an external_id another user has is refused as form_identifier_exists and leaves no rows', async () => {
  const externalId = unique('ext_');
  await createUser({ external_id: externalId });
  const response = await rejectedCreate({ email_address: [uniqueEmail()], phone_number: [uniquePhone()], external_id: externalId });
  assertClerkError(response, 422, 'form_identifier_exists', 'external_id');
});

// ---- identifier formats --------------------------------------------------------------

test('a malformed email address is refused as form_param_format_invalid', async () => {
  const response = await rejectedCreate({ email_address: ['not-an-email'] });
  assertClerkError(response, 422, 'form_param_format_invalid', 'email_address');
});

test('a phone number that is not E.164 is refused as form_param_format_invalid', async () => {
  const response = await rejectedCreate({ email_address: [uniqueEmail()], phone_number: ['0123'] });
  assertClerkError(response, 422, 'form_param_format_invalid', 'phone_number');
});

test('a web3 wallet that is not 0x plus 40 hex characters is refused as form_param_format_invalid', async () => {
  const response = await rejectedCreate({ email_address: [uniqueEmail()], web3_wallet: ['0x1234'] });
  assertClerkError(response, 422, 'form_param_format_invalid', 'web3_wallet');
});

test('a username shorter than 4 characters is refused as form_username_invalid_length', async () => {
  const response = await rejectedCreate({ username: 'abc' });
  assertClerkError(response, 422, 'form_username_invalid_length', 'username');
});

test('a username longer than 64 characters is refused as form_username_invalid_length', async () => {
  const response = await rejectedCreate({ username: 'a'.repeat(65) });
  assertClerkError(response, 422, 'form_username_invalid_length', 'username');
});

test('a username with characters other than letters, digits, _ and - is refused as form_username_invalid_character', async () => {
  const response = await rejectedCreate({ username: 'bad name!' });
  assertClerkError(response, 422, 'form_username_invalid_character', 'username');
});

test('a username made only of digits is refused as form_username_needs_non_number_char', async () => {
  const response = await rejectedCreate({ username: '1234567' });
  assertClerkError(response, 422, 'form_username_needs_non_number_char', 'username');
});

// ---- body shape ----------------------------------------------------------------------

test('an unknown body field is refused as form_param_unknown naming the field', async () => {
  const response = await rejectedCreate({ email_address: [uniqueEmail()], favourite_colour: 'teal' });
  assertClerkError(response, 422, 'form_param_unknown', 'favourite_colour');
});

test('a field of the wrong type is refused as form_param_type_invalid naming the field', async () => {
  const response = await rejectedCreate({ email_address: [uniqueEmail()], first_name: 5 });
  assertClerkError(response, 422, 'form_param_type_invalid', 'first_name');
});
