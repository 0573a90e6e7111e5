import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import bcryptjs from 'bcryptjs';
import { eq } from 'drizzle-orm';
import { generate, generateSecret } from 'otplib';
import { users } from '../../src/db/schema.js';
import type { UserJson } from '../../src/schemas/user-response.js';
import { api, type ApiRequest, type ApiResponse, startTestServer, type TestServer, unique, uniqueEmail } from '../support/server.js';
import { assertMatchesSpec } from '../support/spec-schema.js';

/**
 * Passwords and second factors over raw HTTP: verify_password, verify_totp (TOTP and
 * backup codes), the lockout failed attempts lead to, removing factors and passwords, and
 * the password policy on create. Every response of every test is checked for leaked
 * secrets (see `call`).
 */

/** Default policy: 10 attempts, one hour. */
let server: TestServer;
/** Small policy so a lock can be reached and outlived within a test: 3 attempts, 2 seconds. */
let lockServer: TestServer;

before(async () => {
  server = await startTestServer();
  lockServer = await startTestServer({ CLERKD_LOCKOUT_MAX_ATTEMPTS: '3', CLERKD_LOCKOUT_SECONDS: '2' });
});
after(async () => {
  await lockServer.close();
  await server.close();
});

// ---- secrets never leave the server --------------------------------------------------

const DIGEST_MARKERS = ['$argon2', '$2a$', '$2b$', '$2y$', '$hmac-sha256$'];
/** Every password, TOTP secret and backup code a test hands the server. */
const secrets = new Set<string>();

function secret<T extends string>(value: T): T {
  secrets.add(value);
  return value;
}

function assertNoSecrets(response: ApiResponse, label: string): void {
  for (const marker of DIGEST_MARKERS) assert.ok(!response.text.includes(marker), `${label} leaked a digest (${marker}): ${response.text}`);
  for (const value of secrets) assert.ok(!response.text.includes(value), `${label} leaked the secret ${JSON.stringify(value)}: ${response.text}`);
}

/** `api` for every request in this file: no response may carry a secret or a digest. */
async function call(target: TestServer, method: string, path: string, options: ApiRequest = {}): Promise<ApiResponse> {
  const response = await api(target, method, path, options);
  assertNoSecrets(response, `${method} ${path} → ${response.status}`);
  return response;
}

// ---- factories -----------------------------------------------------------------------


/** A password that passes the policy and appears nowhere else. */
function newPassword(): string {
  return secret(`Pw-${unique('p')}-Correct!`);
}

function newTotpSecret(): string {
  return secret(generateSecret());
}

async function createUser(body: Record<string, unknown>, target: TestServer = server): Promise<UserJson> {
  const response = await call(target, 'POST', '/v1/users', { body: { email_address: [uniqueEmail()], ...body } });
  assert.equal(response.status, 200, response.text);
  assertMatchesSpec('User', response.body);
  return response.body as UserJson;
}

async function getUser(id: string, target: TestServer = server): Promise<UserJson> {
  const response = await call(target, 'GET', `/v1/users/${id}`);
  assert.equal(response.status, 200, response.text);
  assertMatchesSpec('User', response.body);
  return response.body as UserJson;
}

function verifyPassword(id: string, password: string, target: TestServer = server): Promise<ApiResponse> {
  return call(target, 'POST', `/v1/users/${id}/verify_password`, { body: { password } });
}

function verifyTotp(id: string, code: string, target: TestServer = server): Promise<ApiResponse> {
  return call(target, 'POST', `/v1/users/${id}/verify_totp`, { body: { code } });
}

function storedRow(target: TestServer, id: string) {
  const row = target.db.select().from(users).where(eq(users.id, id)).get();
  assert.ok(row, `no users row for ${id}`);
  return row;
}

interface ErrorBody {
  errors: { code: string; message: string; long_message: string; meta?: Record<string, unknown> }[];
}

/** A Clerk error of the given status and code; `meta` keys given must match exactly. */
function assertClerkError(response: ApiResponse, status: number, code: string, meta?: Record<string, unknown>): Record<string, unknown> {
  assert.equal(response.status, status, response.text);
  assert.equal(response.headers.get('content-type'), 'application/json');
  assertMatchesSpec('ClerkErrors', response.body);
  const [first] = (response.body as ErrorBody).errors;
  assert.equal(first?.code, code, response.text);
  const actualMeta = first?.meta ?? {};
  for (const [key, value] of Object.entries(meta ?? {})) assert.deepEqual(actualMeta[key], value, `meta.${key} in ${response.text}`);
  return actualMeta;
}

function assertVerified(response: ApiResponse, expected: Record<string, unknown>): void {
  assert.equal(response.status, 200, response.text);
  assert.deepEqual(response.body, expected);
}

/** A six-digit code that is not valid for `totpSecret` anywhere near now (±2 steps). */
async function wrongTotpCode(totpSecret: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const valid = new Set(await Promise.all([-60, -30, 0, 30, 60].map((offset) => generate({ secret: totpSecret, epoch: now + offset }))));
  for (let n = 0; ; n += 1) {
    const candidate = String(n).padStart(6, '0');
    if (!valid.has(candidate)) return candidate;
  }
}

const UNKNOWN_USER = 'user_2zzzzzzzzzzzzzzzzzzzzzzzzzz';
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// ---- verify_password -----------------------------------------------------------------

test('verify_password with the correct password answers 200 with exactly {"verified":true}', async () => {
  const password = newPassword();
  const user = await createUser({ password });
  assertVerified(await verifyPassword(user.id, password), { verified: true });
});

test('verify_password with a wrong password answers 422 incorrect_password with the attempts left in meta', async () => {
  const user = await createUser({ password: newPassword() });
  const response = await verifyPassword(user.id, secret(`wrong-${unique('w')}`));
  assertClerkError(response, 422, 'incorrect_password', { verification_attempts_remaining: 9 });
});

test('each wrong password lowers meta.verification_attempts_remaining and the user’s verification_attempts_remaining by one', async () => {
  const user = await createUser({ password: newPassword() });
  assert.equal(user.verification_attempts_remaining, 10);
  assertClerkError(await verifyPassword(user.id, secret(`wrong-${unique('w')}`)), 422, 'incorrect_password', { verification_attempts_remaining: 9 });
  assert.equal((await getUser(user.id)).verification_attempts_remaining, 9);
  assertClerkError(await verifyPassword(user.id, secret(`wrong-${unique('w')}`)), 422, 'incorrect_password', { verification_attempts_remaining: 8 });
  const after = await getUser(user.id);
  assert.equal(after.verification_attempts_remaining, 8);
  assert.equal(after.locked, false);
});

test('verify_password without a password field answers 422 form_param_missing on password', async () => {
  const user = await createUser({ password: newPassword() });
  const response = await call(server, 'POST', `/v1/users/${user.id}/verify_password`, { body: {} });
  assertClerkError(response, 422, 'form_param_missing', { param_name: 'password' });
});

test('verify_password with an unknown field answers 422 form_param_unknown naming the field', async () => {
  const password = newPassword();
  const user = await createUser({ password });
  const response = await call(server, 'POST', `/v1/users/${user.id}/verify_password`, { body: { password, remember_me: true } });
  assertClerkError(response, 422, 'form_param_unknown', { param_name: 'remember_me' });
});

test('verify_password for a user without a password answers 400 no_password_set', async () => {
  const user = await createUser({});
  assertClerkError(await verifyPassword(user.id, secret(`any-${unique('a')}`)), 400, 'no_password_set');
});

test('verify_password for an unknown user answers 404 resource_not_found', async () => {
  assertClerkError(await verifyPassword(UNKNOWN_USER, secret(`any-${unique('a')}`)), 404, 'resource_not_found');
});

test('verify_password for a banned user answers 403 user_banned even with the correct password', async () => {
  const password = newPassword();
  const user = await createUser({ password, banned: true });
  assertClerkError(await verifyPassword(user.id, password), 403, 'user_banned');
});

test('a wrong password for a banned user answers 403 user_banned and is not counted', async () => {
  const user = await createUser({ password: newPassword(), banned: true });
  assertClerkError(await verifyPassword(user.id, secret(`wrong-${unique('w')}`)), 403, 'user_banned');
  assertClerkError(await verifyPassword(user.id, secret(`wrong-${unique('w')}`)), 403, 'user_banned');
  const after = await getUser(user.id);
  assert.equal(after.verification_attempts_remaining, 10);
  assert.equal(after.locked, false);
  assert.equal(storedRow(server, user.id).failedVerificationAttempts, 0);
});

test('a password set through the API is stored as an argon2id PHC string, never in plain text', async () => {
  const password = newPassword();
  const user = await createUser({ password });
  const row = storedRow(server, user.id);
  assert.equal(row.passwordHasher, 'argon2id');
  const digest = row.passwordDigest ?? '';
  assert.match(digest, /^\$argon2id\$v=19\$[a-z]=\d+,[a-z]=\d+,[a-z]=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
  for (const param of ['m', 't', 'p']) assert.match(digest.split('$')[3] ?? '', new RegExp(`(^|,)${param}=\\d+(,|$)`), digest);
  assert.ok(!digest.includes(password));
});

test('a password longer than 72 bytes set with skip_password_checks verifies only in full (no bcrypt truncation)', async () => {
  const password = secret(`${unique('long')}-${'x'.repeat(80)}`);
  const user = await createUser({ password, skip_password_checks: true });
  assertVerified(await verifyPassword(user.id, password), { verified: true });
  assertClerkError(await verifyPassword(user.id, `${password.slice(0, -1)}y`), 422, 'incorrect_password');
});

test('an imported bcrypt password verifies, is re-hashed to argon2id, and still verifies afterwards', async () => {
  const password = newPassword();
  const user = await createUser({ password_digest: await bcryptjs.hash(password, 4), password_hasher: 'bcrypt' });
  assert.equal(storedRow(server, user.id).passwordHasher, 'bcrypt');
  assertVerified(await verifyPassword(user.id, password), { verified: true });
  const row = storedRow(server, user.id);
  assert.equal(row.passwordHasher, 'argon2id');
  assert.match(row.passwordDigest ?? '', /^\$argon2id\$/);
  assertVerified(await verifyPassword(user.id, password), { verified: true });
});

// ---- lockout (3 attempts, 2 seconds) -------------------------------------------------

test('the third wrong password locks the user for the lockout duration with no attempts left', async () => {
  const user = await createUser({ password: newPassword() }, lockServer);
  assertClerkError(await verifyPassword(user.id, secret(`wrong-${unique('w')}`), lockServer), 422, 'incorrect_password', { verification_attempts_remaining: 2 });
  assertClerkError(await verifyPassword(user.id, secret(`wrong-${unique('w')}`), lockServer), 422, 'incorrect_password', { verification_attempts_remaining: 1 });
  assertClerkError(await verifyPassword(user.id, secret(`wrong-${unique('w')}`), lockServer), 422, 'incorrect_password', { verification_attempts_remaining: 0 });
  const locked = await getUser(user.id, lockServer);
  assert.equal(locked.locked, true);
  assert.equal(locked.verification_attempts_remaining, 0);
  assert.ok(
    typeof locked.lockout_expires_in_seconds === 'number' && locked.lockout_expires_in_seconds >= 1 && locked.lockout_expires_in_seconds <= 2,
    `lockout_expires_in_seconds: ${String(locked.lockout_expires_in_seconds)}`,
  );
});

test('a locked user is refused with 403 user_locked and the seconds left, even with the correct password', async () => {
  const password = newPassword();
  const user = await createUser({ password }, lockServer);
  for (let i = 0; i < 3; i += 1) await verifyPassword(user.id, secret(`wrong-${unique('w')}`), lockServer);
  const meta = assertClerkError(await verifyPassword(user.id, password, lockServer), 403, 'user_locked');
  const seconds = meta.lockout_expires_in_seconds;
  assert.ok(typeof seconds === 'number' && seconds >= 1 && seconds <= 2, `meta.lockout_expires_in_seconds: ${String(seconds)}`);
});

test('a lock lifts by itself when the lockout duration has passed, and the correct password then verifies', async () => {
  const password = newPassword();
  const user = await createUser({ password }, lockServer);
  for (let i = 0; i < 3; i += 1) await verifyPassword(user.id, secret(`wrong-${unique('w')}`), lockServer);
  assert.equal((await getUser(user.id, lockServer)).locked, true);

  await sleep(2100);

  const lifted = await getUser(user.id, lockServer);
  assert.equal(lifted.locked, false);
  assert.equal(lifted.lockout_expires_in_seconds, null);
  assert.equal(lifted.verification_attempts_remaining, 3);
  assertVerified(await verifyPassword(user.id, password, lockServer), { verified: true });
});

test('a successful verification resets the failed-attempt count', async () => {
  const password = newPassword();
  const user = await createUser({ password }, lockServer);
  await verifyPassword(user.id, secret(`wrong-${unique('w')}`), lockServer);
  await verifyPassword(user.id, secret(`wrong-${unique('w')}`), lockServer);
  assert.equal((await getUser(user.id, lockServer)).verification_attempts_remaining, 1);

  assertVerified(await verifyPassword(user.id, password, lockServer), { verified: true });

  assert.equal((await getUser(user.id, lockServer)).verification_attempts_remaining, 3);
  assertClerkError(await verifyPassword(user.id, secret(`wrong-${unique('w')}`), lockServer), 422, 'incorrect_password', { verification_attempts_remaining: 2 });
});

test('wrong TOTP codes count toward the lockout, and a locked user’s valid TOTP code is refused with 403 user_locked', async () => {
  const totpSecret = newTotpSecret();
  const user = await createUser({ totp_secret: totpSecret }, lockServer);
  const wrong = await wrongTotpCode(totpSecret);
  assertClerkError(await verifyTotp(user.id, wrong, lockServer), 422, 'totp_incorrect_code', { verification_attempts_remaining: 2 });
  assertClerkError(await verifyTotp(user.id, wrong, lockServer), 422, 'totp_incorrect_code', { verification_attempts_remaining: 1 });
  assertClerkError(await verifyTotp(user.id, wrong, lockServer), 422, 'totp_incorrect_code', { verification_attempts_remaining: 0 });
  assert.equal((await getUser(user.id, lockServer)).locked, true);
  assertClerkError(await verifyTotp(user.id, await generate({ secret: totpSecret }), lockServer), 403, 'user_locked');
});

test('wrong passwords and wrong TOTP codes share one failed-attempt counter', async () => {
  const totpSecret = newTotpSecret();
  const user = await createUser({ password: newPassword(), totp_secret: totpSecret }, lockServer);
  await verifyPassword(user.id, secret(`wrong-${unique('w')}`), lockServer);
  assertClerkError(await verifyTotp(user.id, await wrongTotpCode(totpSecret), lockServer), 422, 'totp_incorrect_code', { verification_attempts_remaining: 1 });
  assertClerkError(await verifyPassword(user.id, secret(`wrong-${unique('w')}`), lockServer), 422, 'incorrect_password', { verification_attempts_remaining: 0 });
  assert.equal((await getUser(user.id, lockServer)).locked, true);
});

test('parallel wrong passwords never push the attempts below zero, each is counted once, and they lock the user', async () => {
  const parallelServer = await startTestServer({ CLERKD_LOCKOUT_MAX_ATTEMPTS: '5', CLERKD_LOCKOUT_SECONDS: '2' });
  try {
    const user = await createUser({ password: newPassword() }, parallelServer);
    const responses = await Promise.all(
      Array.from({ length: 8 }, () => verifyPassword(user.id, secret(`wrong-${unique('w')}`), parallelServer)),
    );
    const remaining: number[] = [];
    for (const response of responses) {
      if (response.status === 403) {
        assertClerkError(response, 403, 'user_locked');
        continue;
      }
      const meta = assertClerkError(response, 422, 'incorrect_password');
      const left = meta.verification_attempts_remaining;
      assert.ok(typeof left === 'number' && Number.isInteger(left) && left >= 0, `verification_attempts_remaining: ${String(left)}`);
      remaining.push(left);
    }
    const positive = remaining.filter((left) => left > 0).sort((a, b) => a - b);
    assert.deepEqual(positive, [...new Set(positive)], `a failed attempt was counted twice or lost: ${JSON.stringify(remaining)}`);
    assert.ok(remaining.includes(0), `no attempt reached zero: ${JSON.stringify(remaining)}`);

    const after = await getUser(user.id, parallelServer);
    assert.equal(after.locked, true);
    assert.equal(after.verification_attempts_remaining, 0);
  } finally {
    await parallelServer.close();
  }
});

// ---- password policy on create -------------------------------------------------------

test('creating a user with a breached password answers 422 form_password_pwned on password', async () => {
  const response = await call(server, 'POST', '/v1/users', { body: { email_address: [uniqueEmail()], password: 'password' } });
  assertClerkError(response, 422, 'form_password_pwned', { param_name: 'password' });
});

test('creating a user with a 7-character password answers 422 form_password_length_too_short on password', async () => {
  const response = await call(server, 'POST', '/v1/users', { body: { email_address: [uniqueEmail()], password: secret('Qz#7!kV') } });
  assertClerkError(response, 422, 'form_password_length_too_short', { param_name: 'password' });
});

test('creating a user with a 73-byte ASCII password answers 422 form_password_size_in_bytes_exceeded on password', async () => {
  const password = secret(`Big-${'Q'.repeat(69)}`);
  assert.equal(Buffer.byteLength(password), 73);
  const response = await call(server, 'POST', '/v1/users', { body: { email_address: [uniqueEmail()], password } });
  assertClerkError(response, 422, 'form_password_size_in_bytes_exceeded', { param_name: 'password' });
});

for (const [label, password] of [
  ['a breached password', 'password'],
  ['a 7-character password', 'Qz#7!kV'],
  ['a 73-byte password', `Big-${'Q'.repeat(69)}`],
] as const) {
  test(`skip_password_checks lets a user be created with ${label}, which then verifies`, async () => {
    const user = await createUser({ password, skip_password_checks: true });
    assert.equal(user.password_enabled, true);
    assertVerified(await verifyPassword(user.id, password), { verified: true });
  });
}

test('skip_password_checks does not allow a password over 4096 bytes', async () => {
  const password = secret(`Huge-${'H'.repeat(4092)}`);
  assert.equal(Buffer.byteLength(password), 4097);
  const response = await call(server, 'POST', '/v1/users', { body: { email_address: [uniqueEmail()], password, skip_password_checks: true } });
  assertClerkError(response, 422, 'form_password_size_in_bytes_exceeded', { param_name: 'password' });
});

// ---- verify_totp: TOTP ---------------------------------------------------------------

test('a user created with a TOTP secret has TOTP and two-factor enabled and mfa_enabled_at set', async () => {
  const before = Date.now();
  const user = await createUser({ totp_secret: newTotpSecret() });
  assert.equal(user.totp_enabled, true);
  assert.equal(user.two_factor_enabled, true);
  assert.equal(user.backup_code_enabled, false);
  assert.ok(typeof user.mfa_enabled_at === 'number' && user.mfa_enabled_at >= before - 1000, `mfa_enabled_at: ${String(user.mfa_enabled_at)}`);
  assert.equal(user.mfa_disabled_at, null);
});

test('verify_totp with the current code answers 200 with exactly {"verified":true,"code_type":"totp"}', async () => {
  const totpSecret = secret('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP');
  const user = await createUser({ totp_secret: totpSecret });
  assertVerified(await verifyTotp(user.id, await generate({ secret: totpSecret })), { verified: true, code_type: 'totp' });
});

test('a TOTP code that has been accepted once is refused the second time with 422 totp_incorrect_code', async () => {
  const totpSecret = newTotpSecret();
  const user = await createUser({ totp_secret: totpSecret });
  const code = await generate({ secret: totpSecret });
  assertVerified(await verifyTotp(user.id, code), { verified: true, code_type: 'totp' });
  assertClerkError(await verifyTotp(user.id, code), 422, 'totp_incorrect_code');
});

test('a wrong six-digit TOTP code answers 422 totp_incorrect_code and counts as a failed attempt', async () => {
  const totpSecret = newTotpSecret();
  const user = await createUser({ totp_secret: totpSecret });
  assertClerkError(await verifyTotp(user.id, await wrongTotpCode(totpSecret)), 422, 'totp_incorrect_code', { verification_attempts_remaining: 9 });
  assert.equal((await getUser(user.id)).verification_attempts_remaining, 9);
});

test('a five-digit code for a TOTP-only user answers 422 totp_invalid_length', async () => {
  const user = await createUser({ totp_secret: newTotpSecret() });
  assertClerkError(await verifyTotp(user.id, '12345'), 422, 'totp_invalid_length');
});

test('verify_totp for a user with neither TOTP nor backup codes answers 400 totp_disabled', async () => {
  const user = await createUser({});
  assertClerkError(await verifyTotp(user.id, '123456'), 400, 'totp_disabled');
});

test('verify_totp for an unknown user answers 404 resource_not_found', async () => {
  assertClerkError(await verifyTotp(UNKNOWN_USER, '123456'), 404, 'resource_not_found');
});

test('verify_totp for a banned user answers 403 user_banned even with a valid code, and counts nothing', async () => {
  const totpSecret = newTotpSecret();
  const user = await createUser({ totp_secret: totpSecret, banned: true });
  assertClerkError(await verifyTotp(user.id, await generate({ secret: totpSecret })), 403, 'user_banned');
  assertClerkError(await verifyTotp(user.id, await wrongTotpCode(totpSecret)), 403, 'user_banned');
  assert.equal((await getUser(user.id)).verification_attempts_remaining, 10);
});

test('verify_totp without a code field answers 422 form_param_missing on code', async () => {
  const user = await createUser({ totp_secret: newTotpSecret() });
  const response = await call(server, 'POST', `/v1/users/${user.id}/verify_totp`, { body: {} });
  assertClerkError(response, 422, 'form_param_missing', { param_name: 'code' });
});

test('creating a user with a TOTP secret that is not base32 answers 422 invalid_totp_secret_code on totp_secret', async () => {
  const response = await call(server, 'POST', '/v1/users', { body: { email_address: [uniqueEmail()], totp_secret: 'not base32!' } });
  assertClerkError(response, 422, 'invalid_totp_secret_code', { param_name: 'totp_secret' });
});

test('the TOTP secret is stored server-side and never returned', async () => {
  const totpSecret = newTotpSecret();
  const user = await createUser({ totp_secret: totpSecret });
  assert.equal(storedRow(server, user.id).totpSecret, totpSecret);
  assert.equal('totp_secret' in user, false);
});

// ---- verify_totp: backup codes -------------------------------------------------------

test('backup codes given at create enable backup codes and are stored only as keyed HMAC-SHA256 digests', async () => {
  const codes = [secret('alpha-123'), secret('bravo-456')];
  const user = await createUser({ backup_codes: codes });
  assert.equal(user.backup_code_enabled, true);
  assert.equal(user.two_factor_enabled, true);
  assert.equal(user.totp_enabled, false);

  const column = storedRow(server, user.id).backupCodes ?? '';
  for (const code of codes) assert.ok(!column.includes(code), `plain backup code stored: ${column}`);
  const digests = JSON.parse(column) as string[];
  assert.equal(digests.length, 2);
  for (const digest of digests) assert.match(digest, /^\$hmac-sha256\$[0-9a-f]{8}\$[0-9a-f]{64}\$\$2[ab]\$08\$[./A-Za-z0-9]{53}$/);
  assert.notEqual(digests[0], digests[1]);
});

test('verify_totp with a backup code answers 200 with exactly {"verified":true,"code_type":"backup_code"}', async () => {
  const user = await createUser({ backup_codes: [secret('alpha-123'), secret('bravo-456')] });
  assertVerified(await verifyTotp(user.id, 'alpha-123'), { verified: true, code_type: 'backup_code' });
});

test('a backup code is consumed by its use and refused the second time with 422 totp_incorrect_code', async () => {
  const user = await createUser({ backup_codes: [secret('alpha-123'), secret('bravo-456')] });
  assertVerified(await verifyTotp(user.id, 'alpha-123'), { verified: true, code_type: 'backup_code' });
  assertClerkError(await verifyTotp(user.id, 'alpha-123'), 422, 'totp_incorrect_code');
  assert.equal(JSON.parse(storedRow(server, user.id).backupCodes ?? '[]').length, 1);
});

test('two concurrent verifications of one backup code let exactly one succeed', async () => {
  const user = await createUser({ backup_codes: [secret('alpha-123'), secret('bravo-456')] });
  const responses = await Promise.all([verifyTotp(user.id, 'bravo-456'), verifyTotp(user.id, 'bravo-456')]);
  const succeeded = responses.filter((response) => response.status === 200);
  assert.equal(succeeded.length, 1, responses.map((response) => `${response.status} ${response.text}`).join('\n'));
  assertVerified(succeeded[0]!, { verified: true, code_type: 'backup_code' });
  assertClerkError(responses.find((response) => response.status !== 200)!, 422, 'totp_incorrect_code');
  assertVerified(await verifyTotp(user.id, 'alpha-123'), { verified: true, code_type: 'backup_code' });
});

test('using the last backup code turns backup codes and MFA off, stamps mfa_disabled_at and keeps mfa_enabled_at', async () => {
  const user = await createUser({ backup_codes: [secret('alpha-123')] });
  assert.equal(typeof user.mfa_enabled_at, 'number');
  assert.equal(user.mfa_disabled_at, null);
  assertVerified(await verifyTotp(user.id, 'alpha-123'), { verified: true, code_type: 'backup_code' });
  const after = await getUser(user.id);
  assert.equal(after.backup_code_enabled, false);
  assert.equal(after.two_factor_enabled, false);
  assert.equal(after.mfa_enabled_at, user.mfa_enabled_at);
  assert.ok(typeof after.mfa_disabled_at === 'number' && after.mfa_disabled_at >= user.created_at, `mfa_disabled_at: ${String(after.mfa_disabled_at)}`);
});

test('a bcrypt digest given as a backup code at create is kept and verifies with the plain code', async () => {
  const plain = secret('charlie-789');
  const digest = await bcryptjs.hash(plain, 4);
  const user = await createUser({ backup_codes: [digest] });
  assert.equal(user.backup_code_enabled, true);
  assert.deepEqual(JSON.parse(storedRow(server, user.id).backupCodes ?? '[]'), [digest]);
  assertVerified(await verifyTotp(user.id, plain), { verified: true, code_type: 'backup_code' });
});

test('a user with both TOTP and backup codes can verify either', async () => {
  const totpSecret = newTotpSecret();
  const user = await createUser({ totp_secret: totpSecret, backup_codes: [secret('delta-321')] });
  assertVerified(await verifyTotp(user.id, await generate({ secret: totpSecret })), { verified: true, code_type: 'totp' });
  assertVerified(await verifyTotp(user.id, 'delta-321'), { verified: true, code_type: 'backup_code' });
});

// ---- removing second factors ---------------------------------------------------------

const removals = [
  ['mfa', 'DELETE /v1/users/{id}/mfa'],
  ['totp', 'DELETE /v1/users/{id}/totp'],
  ['backup_code', 'DELETE /v1/users/{id}/backup_code'],
] as const;

for (const [segment, label] of removals) {
  test(`${label} answers 200 with exactly {"user_id": id}`, async () => {
    const user = await createUser({ totp_secret: newTotpSecret(), backup_codes: [secret(`echo-${unique('b')}`)] });
    const response = await call(server, 'DELETE', `/v1/users/${user.id}/${segment}`);
    assert.equal(response.status, 200, response.text);
    assert.equal(response.headers.get('content-type'), 'application/json');
    assert.deepEqual(response.body, { user_id: user.id });
  });

  test(`${label} for an unknown user answers 404 resource_not_found`, async () => {
    assertClerkError(await call(server, 'DELETE', `/v1/users/${UNKNOWN_USER}/${segment}`), 404, 'resource_not_found');
  });
}

test('DELETE /mfa turns TOTP, backup codes and two-factor off', async () => {
  const user = await createUser({ totp_secret: newTotpSecret(), backup_codes: [secret(`echo-${unique('b')}`)] });
  await call(server, 'DELETE', `/v1/users/${user.id}/mfa`);
  const after = await getUser(user.id);
  assert.equal(after.totp_enabled, false);
  assert.equal(after.backup_code_enabled, false);
  assert.equal(after.two_factor_enabled, false);
  const row = storedRow(server, user.id);
  assert.equal(row.totpSecret, null);
  assert.equal(row.backupCodes, null);
});

test('DELETE /mfa stamps mfa_disabled_at and keeps mfa_enabled_at', async () => {
  const user = await createUser({ totp_secret: newTotpSecret() });
  await call(server, 'DELETE', `/v1/users/${user.id}/mfa`);
  const after = await getUser(user.id);
  assert.equal(after.mfa_enabled_at, user.mfa_enabled_at);
  assert.ok(typeof after.mfa_disabled_at === 'number' && after.mfa_disabled_at >= user.created_at, `mfa_disabled_at: ${String(after.mfa_disabled_at)}`);
});

test('DELETE /totp turns TOTP off but leaves backup codes, so two-factor stays on and mfa_disabled_at stays null', async () => {
  const user = await createUser({ totp_secret: newTotpSecret(), backup_codes: [secret(`echo-${unique('b')}`)] });
  await call(server, 'DELETE', `/v1/users/${user.id}/totp`);
  const after = await getUser(user.id);
  assert.equal(after.totp_enabled, false);
  assert.equal(after.backup_code_enabled, true);
  assert.equal(after.two_factor_enabled, true);
  assert.equal(after.mfa_disabled_at, null);
  assert.equal(after.mfa_enabled_at, user.mfa_enabled_at);
});

test('DELETE /backup_code turns backup codes off but leaves TOTP', async () => {
  const user = await createUser({ totp_secret: newTotpSecret(), backup_codes: [secret(`echo-${unique('b')}`)] });
  await call(server, 'DELETE', `/v1/users/${user.id}/backup_code`);
  const after = await getUser(user.id);
  assert.equal(after.backup_code_enabled, false);
  assert.equal(after.totp_enabled, true);
  assert.equal(after.two_factor_enabled, true);
  assert.equal(after.mfa_disabled_at, null);
});

test('DELETE /totp of a TOTP-only user stamps mfa_disabled_at, keeps mfa_enabled_at, and verify_totp then answers 400 totp_disabled', async () => {
  const totpSecret = newTotpSecret();
  const user = await createUser({ totp_secret: totpSecret });
  await call(server, 'DELETE', `/v1/users/${user.id}/totp`);
  const after = await getUser(user.id);
  assert.equal(after.totp_enabled, false);
  assert.equal(after.two_factor_enabled, false);
  assert.equal(after.mfa_enabled_at, user.mfa_enabled_at);
  assert.equal(typeof after.mfa_disabled_at, 'number');
  assertClerkError(await verifyTotp(user.id, await generate({ secret: totpSecret })), 400, 'totp_disabled');
});

test('a removed backup code no longer verifies: the now TOTP-only user gets 422 totp_invalid_length for it', async () => {
  const totpSecret = newTotpSecret();
  const code = secret(`foxtrot-${unique('b')}`);
  const user = await createUser({ totp_secret: totpSecret, backup_codes: [code] });
  await call(server, 'DELETE', `/v1/users/${user.id}/backup_code`);
  assertClerkError(await verifyTotp(user.id, code), 422, 'totp_invalid_length');
});

// ---- remove_password -----------------------------------------------------------------

test('remove_password with an empty JSON body answers the User with password_enabled false', async () => {
  const user = await createUser({ password: newPassword() });
  const response = await call(server, 'POST', `/v1/users/${user.id}/remove_password`, { rawBody: '', headers: { 'content-type': 'application/json' } });
  assert.equal(response.status, 200, response.text);
  assertMatchesSpec('User', response.body);
  assert.equal((response.body as UserJson).id, user.id);
  assert.equal((response.body as UserJson).password_enabled, false);
});

test('remove_password without any body answers the User with password_enabled false', async () => {
  const user = await createUser({ password: newPassword() });
  const response = await call(server, 'POST', `/v1/users/${user.id}/remove_password`);
  assert.equal(response.status, 200, response.text);
  assertMatchesSpec('User', response.body);
  assert.equal((response.body as UserJson).password_enabled, false);
  assert.equal(storedRow(server, user.id).passwordDigest, null);
});

test('after remove_password the old password is refused with 400 no_password_set', async () => {
  const password = newPassword();
  const user = await createUser({ password });
  await call(server, 'POST', `/v1/users/${user.id}/remove_password`, { body: {} });
  assertClerkError(await verifyPassword(user.id, password), 400, 'no_password_set');
});

test('remove_password for an unknown user answers 404 resource_not_found', async () => {
  assertClerkError(await call(server, 'POST', `/v1/users/${UNKNOWN_USER}/remove_password`, { body: {} }), 404, 'resource_not_found');
});
