/**
 * The official @clerk/backend SDK driving clerkd's credential operations: verifyPassword,
 * verifyTOTP (TOTP and backup codes), the lockout, disableUserMFA, deleteUserTOTP,
 * deleteUserBackupCodes and removePassword. Every call goes through the recording proxy,
 * so each test also sees the raw answers and checks that none carries a secret.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createClerkClient, type ClerkClient, type User } from '@clerk/backend';
import { isClerkAPIResponseError, type ClerkAPIResponseError } from '@clerk/backend/errors';
import { generate, generateSecret } from 'otplib';
import { startTestServer, unique, type TestServer } from '../support/server.js';
import { assertMatchesSpec } from '../support/spec-schema.js';
import { startRecordingProxy, type Exchange, type RecordingProxy } from './recording-proxy.js';

interface Target {
  server: TestServer;
  proxy: RecordingProxy;
  /** Through the recording proxy, so every answer can be inspected. */
  clerk: ClerkClient;
}

async function startTarget(env: Record<string, string> = {}): Promise<Target> {
  const server = await startTestServer(env);
  const proxy = await startRecordingProxy(server.baseUrl);
  return { server, proxy, clerk: createClerkClient({ secretKey: server.secretKey, apiUrl: proxy.baseUrl }) };
}

async function stopTarget(target: Target): Promise<void> {
  await target.proxy.close();
  await target.server.close();
}

/** Default policy: 10 attempts, one hour. */
let main: Target;
/** 3 attempts, 2 seconds. */
let small: Target;

before(async () => {
  main = await startTarget();
  small = await startTarget({ CLERKD_LOCKOUT_MAX_ATTEMPTS: '3', CLERKD_LOCKOUT_SECONDS: '2' });
});
after(async () => {
  await stopTarget(small);
  await stopTarget(main);
});

// ---- secrets never leave the server --------------------------------------------------

const DIGEST_MARKERS = ['$argon2', '$2a$', '$2b$', '$2y$'];
const secrets = new Set<string>();

function secret<T extends string>(value: T): T {
  secrets.add(value);
  return value;
}

function assertNoSecrets(exchanges: Exchange[]): void {
  for (const exchange of exchanges) {
    const label = `${exchange.method} ${exchange.path} → ${exchange.status}`;
    for (const marker of DIGEST_MARKERS) assert.ok(!exchange.responseBody.includes(marker), `${label} leaked a digest (${marker}): ${exchange.responseBody}`);
    for (const value of secrets) assert.ok(!exchange.responseBody.includes(value), `${label} leaked ${JSON.stringify(value)}: ${exchange.responseBody}`);
  }
}

/** Runs SDK work that must succeed; every answer it got is checked for secrets. */
async function sdk<T>(target: Target, work: (clerk: ClerkClient) => Promise<T>): Promise<T> {
  const { result, exchanges } = await target.proxy.record(() => work(target.clerk));
  assert.ok(exchanges.length > 0, 'expected the SDK to reach the server');
  assertNoSecrets(exchanges);
  return result;
}

/** Runs SDK work that must reject with a ClerkAPIResponseError; returns it with the raw first error. */
async function sdkRejects(
  target: Target,
  work: (clerk: ClerkClient) => Promise<unknown>,
  status: number,
  code: string,
): Promise<{ error: ClerkAPIResponseError; meta: Record<string, unknown> }> {
  const { error, exchanges } = await target.proxy.recordFailure(() => work(target.clerk));
  assertNoSecrets(exchanges);
  assert.ok(isClerkAPIResponseError(error), `expected a ClerkAPIResponseError, got ${String(error)}`);
  assert.equal(error.status, status);
  assert.equal(error.errors[0]?.code, code, `errors: ${JSON.stringify(error.errors)}`);
  const last = exchanges.at(-1);
  assert.ok(last, 'expected the SDK to reach the server');
  assert.equal(last.status, status);
  assertMatchesSpec('ClerkErrors', last.json);
  const raw = last.json as { errors: { meta?: Record<string, unknown> }[] };
  return { error, meta: raw.errors[0]?.meta ?? {} };
}

// ---- factories -----------------------------------------------------------------------

type CreateParams = Parameters<ClerkClient['users']['createUser']>[0];

async function createUser(target: Target, params: CreateParams = {}): Promise<User> {
  const user = await sdk(target, (clerk) => clerk.users.createUser({ emailAddress: [`${unique('sdkcred')}@example.com`], ...params }));
  assertMatchesSpec('User', user.raw);
  return user;
}

/** A field of the raw User JSON that the SDK's UserJSON type does not declare. */
function rawField(user: User, key: string): unknown {
  return (user.raw as unknown as Record<string, unknown> | null)?.[key];
}

function newPassword(): string {
  return secret(`Pw-${unique('p')}-Correct!`);
}

function wrongPassword(): string {
  return secret(`wrong-${unique('w')}`);
}

function newTotpSecret(): string {
  return secret(generateSecret());
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

// ---- verifyPassword ------------------------------------------------------------------

test('verifyPassword with the correct password resolves to {verified: true}', async () => {
  const password = newPassword();
  const user = await createUser(main, { password });
  const result = await sdk(main, (clerk) => clerk.users.verifyPassword({ userId: user.id, password }));
  assert.deepEqual(result, { verified: true });
});

test('verifyPassword with a wrong password rejects with status 422 incorrect_password and the attempts left', async () => {
  const user = await createUser(main, { password: newPassword() });
  const { meta } = await sdkRejects(main, (clerk) => clerk.users.verifyPassword({ userId: user.id, password: wrongPassword() }), 422, 'incorrect_password');
  assert.equal(meta.verification_attempts_remaining, 9);
  const after = await sdk(main, (clerk) => clerk.users.getUser(user.id));
  assert.equal(after.raw?.verification_attempts_remaining, 9);
});

test('verifyPassword for a user without a password rejects with status 400 no_password_set', async () => {
  const user = await createUser(main);
  await sdkRejects(main, (clerk) => clerk.users.verifyPassword({ userId: user.id, password: wrongPassword() }), 400, 'no_password_set');
});

test('verifyPassword for a banned user rejects with status 403 user_banned', async () => {
  const password = newPassword();
  const user = await createUser(main, { password, banned: true });
  await sdkRejects(main, (clerk) => clerk.users.verifyPassword({ userId: user.id, password }), 403, 'user_banned');
});

test('three wrong passwords through the SDK lock the user, and then even the right one rejects with status 403 user_locked', async () => {
  const password = newPassword();
  const user = await createUser(small, { password });
  for (let i = 0; i < 3; i += 1) {
    await sdkRejects(small, (clerk) => clerk.users.verifyPassword({ userId: user.id, password: wrongPassword() }), 422, 'incorrect_password');
  }
  const locked = await sdk(small, (clerk) => clerk.users.getUser(user.id));
  assert.equal(locked.locked, true);
  assert.equal(locked.raw?.verification_attempts_remaining, 0);

  const { meta } = await sdkRejects(small, (clerk) => clerk.users.verifyPassword({ userId: user.id, password }), 403, 'user_locked');
  const seconds = meta.lockout_expires_in_seconds;
  assert.ok(typeof seconds === 'number' && seconds >= 1 && seconds <= 2, `meta.lockout_expires_in_seconds: ${String(seconds)}`);
});

test('removePassword resolves to the User without a password, and verifyPassword then rejects with 400 no_password_set', async () => {
  const password = newPassword();
  const user = await createUser(main, { password });
  const updated = await sdk(main, (clerk) => clerk.users.removePassword(user.id));
  assertMatchesSpec('User', updated.raw);
  assert.equal(updated.id, user.id);
  assert.equal(updated.passwordEnabled, false);
  await sdkRejects(main, (clerk) => clerk.users.verifyPassword({ userId: user.id, password }), 400, 'no_password_set');
});

// ---- verifyTOTP ----------------------------------------------------------------------

test('createUser with totpSecret and backupCodes gives a user with TOTP, backup codes and two-factor enabled', async () => {
  const user = await createUser(main, { totpSecret: newTotpSecret(), backupCodes: [secret('alpha-123'), secret('bravo-456')] });
  assert.equal(user.totpEnabled, true);
  assert.equal(user.backupCodeEnabled, true);
  assert.equal(user.twoFactorEnabled, true);
});

test('verifyTOTP with the current TOTP code resolves to {verified: true, code_type: "totp"}', async () => {
  const totpSecret = newTotpSecret();
  const user = await createUser(main, { totpSecret });
  const result = await sdk(main, async (clerk) => clerk.users.verifyTOTP({ userId: user.id, code: await generate({ secret: totpSecret }) }));
  assert.deepEqual(result, { verified: true, code_type: 'totp' });
});

test('verifyTOTP with a TOTP code already used rejects with status 422 totp_incorrect_code', async () => {
  const totpSecret = newTotpSecret();
  const user = await createUser(main, { totpSecret });
  const code = await generate({ secret: totpSecret });
  await sdk(main, (clerk) => clerk.users.verifyTOTP({ userId: user.id, code }));
  await sdkRejects(main, (clerk) => clerk.users.verifyTOTP({ userId: user.id, code }), 422, 'totp_incorrect_code');
});

test('verifyTOTP with a wrong code rejects with status 422 totp_incorrect_code and the attempts left', async () => {
  const totpSecret = newTotpSecret();
  const user = await createUser(main, { totpSecret });
  const code = await wrongTotpCode(totpSecret);
  const { meta } = await sdkRejects(main, (clerk) => clerk.users.verifyTOTP({ userId: user.id, code }), 422, 'totp_incorrect_code');
  assert.equal(meta.verification_attempts_remaining, 9);
});

test('verifyTOTP with a backup code resolves to {verified: true, code_type: "backup_code"}', async () => {
  const user = await createUser(main, { backupCodes: [secret('alpha-123'), secret('bravo-456')] });
  const result = await sdk(main, (clerk) => clerk.users.verifyTOTP({ userId: user.id, code: 'alpha-123' }));
  assert.deepEqual(result, { verified: true, code_type: 'backup_code' });
});

test('verifyTOTP with a backup code already used rejects with status 422 totp_incorrect_code', async () => {
  const user = await createUser(main, { backupCodes: [secret('alpha-123'), secret('bravo-456')] });
  await sdk(main, (clerk) => clerk.users.verifyTOTP({ userId: user.id, code: 'alpha-123' }));
  await sdkRejects(main, (clerk) => clerk.users.verifyTOTP({ userId: user.id, code: 'alpha-123' }), 422, 'totp_incorrect_code');
});

test('two concurrent verifyTOTP calls with one backup code: exactly one resolves', async () => {
  const user = await createUser(main, { backupCodes: [secret('alpha-123'), secret('bravo-456')] });
  const { exchanges } = await main.proxy.record(async () => {
    const settled = await Promise.allSettled([
      main.clerk.users.verifyTOTP({ userId: user.id, code: 'bravo-456' }),
      main.clerk.users.verifyTOTP({ userId: user.id, code: 'bravo-456' }),
    ]);
    const fulfilled = settled.filter((outcome) => outcome.status === 'fulfilled');
    const rejected = settled.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    assert.equal(fulfilled.length, 1, JSON.stringify(settled));
    assert.deepEqual(fulfilled[0]?.value, { verified: true, code_type: 'backup_code' });
    const error: unknown = rejected[0]?.reason;
    assert.ok(isClerkAPIResponseError(error), `expected a ClerkAPIResponseError, got ${String(error)}`);
    assert.equal(error.status, 422);
    assert.equal(error.errors[0]?.code, 'totp_incorrect_code');
  });
  assertNoSecrets(exchanges);
  assert.deepEqual(exchanges.map((exchange) => exchange.status).sort(), [200, 422]);
});

test('using the last backup code through the SDK leaves a user with backup codes off', async () => {
  const user = await createUser(main, { backupCodes: [secret('alpha-123')] });
  await sdk(main, (clerk) => clerk.users.verifyTOTP({ userId: user.id, code: 'alpha-123' }));
  const after = await sdk(main, (clerk) => clerk.users.getUser(user.id));
  assert.equal(after.backupCodeEnabled, false);
  assert.equal(after.twoFactorEnabled, false);
});

test('verifyTOTP for a user with no second factor rejects with status 400 totp_disabled', async () => {
  const user = await createUser(main);
  await sdkRejects(main, (clerk) => clerk.users.verifyTOTP({ userId: user.id, code: '123456' }), 400, 'totp_disabled');
});

// ---- removing second factors ---------------------------------------------------------

test('disableUserMFA resolves to {user_id} and leaves the user with no second factor', async () => {
  const user = await createUser(main, { totpSecret: newTotpSecret(), backupCodes: [secret(`echo-${unique('b')}`)] });
  const result: unknown = await sdk(main, (clerk) => clerk.users.disableUserMFA(user.id));
  assert.deepEqual(result, { user_id: user.id });
  const after = await sdk(main, (clerk) => clerk.users.getUser(user.id));
  assert.equal(after.totpEnabled, false);
  assert.equal(after.backupCodeEnabled, false);
  assert.equal(after.twoFactorEnabled, false);
  assert.equal(rawField(after, 'mfa_enabled_at'), rawField(user, 'mfa_enabled_at'));
  assert.equal(typeof rawField(after, 'mfa_disabled_at'), 'number');
});

test('deleteUserTOTP resolves to {user_id} and turns TOTP off while backup codes stay', async () => {
  const user = await createUser(main, { totpSecret: newTotpSecret(), backupCodes: [secret(`echo-${unique('b')}`)] });
  const result: unknown = await sdk(main, (clerk) => clerk.users.deleteUserTOTP(user.id));
  assert.deepEqual(result, { user_id: user.id });
  const after = await sdk(main, (clerk) => clerk.users.getUser(user.id));
  assert.equal(after.totpEnabled, false);
  assert.equal(after.backupCodeEnabled, true);
  assert.equal(after.twoFactorEnabled, true);
});

test('deleteUserBackupCodes resolves to {user_id} and turns backup codes off while TOTP stays', async () => {
  const user = await createUser(main, { totpSecret: newTotpSecret(), backupCodes: [secret(`echo-${unique('b')}`)] });
  const result: unknown = await sdk(main, (clerk) => clerk.users.deleteUserBackupCodes(user.id));
  assert.deepEqual(result, { user_id: user.id });
  const after = await sdk(main, (clerk) => clerk.users.getUser(user.id));
  assert.equal(after.backupCodeEnabled, false);
  assert.equal(after.totpEnabled, true);
});

test('disableUserMFA for an unknown user rejects with status 404 resource_not_found', async () => {
  await sdkRejects(main, (clerk) => clerk.users.disableUserMFA('user_2zzzzzzzzzzzzzzzzzzzzzzzzzz'), 404, 'resource_not_found');
});
