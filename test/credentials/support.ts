import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { users } from '../../src/db/schema.js';
import type { UserJson } from '../../src/schemas/user-response.js';
import { api, type ApiResponse, type TestServer, unique, uniqueEmail } from '../support/server.js';
import { assertMatchesSpec } from '../support/spec-schema.js';

/** What the credential tests share: creating users, verifying over HTTP, and reading Clerk errors. */

export function newPassword(): string {
  return `Pw-${unique('p')}-Correct!`;
}

export function wrongPassword(): string {
  return `wrong-${unique('w')}`;
}

export async function createUser(target: TestServer, body: Record<string, unknown>): Promise<UserJson> {
  const response = await api(target, 'POST', '/v1/users', { body: { email_address: [uniqueEmail()], ...body } });
  assert.equal(response.status, 200, response.text);
  return response.body as UserJson;
}

export async function getUser(target: TestServer, id: string): Promise<UserJson> {
  const response = await api(target, 'GET', `/v1/users/${id}`);
  assert.equal(response.status, 200, response.text);
  assertMatchesSpec('User', response.body);
  return response.body as UserJson;
}

export function verifyPassword(target: TestServer, id: string, password: string): Promise<ApiResponse> {
  return api(target, 'POST', `/v1/users/${id}/verify_password`, { body: { password } });
}

export function verifyTotp(target: TestServer, id: string, code: string): Promise<ApiResponse> {
  return api(target, 'POST', `/v1/users/${id}/verify_totp`, { body: { code } });
}

export function storedRow(target: TestServer, id: string) {
  const row = target.db.select().from(users).where(eq(users.id, id)).get();
  assert.ok(row, `no users row for ${id}`);
  return row;
}

interface ErrorBody {
  errors: { code: string; meta?: Record<string, unknown> }[];
}

/** The first error code of a Clerk error answer, or `<status>` for a success. */
export function outcome(response: ApiResponse): string {
  if (response.status < 400) return String(response.status);
  return `${response.status} ${(response.body as ErrorBody | undefined)?.errors?.[0]?.code ?? response.text}`;
}

export function errorMeta(response: ApiResponse): Record<string, unknown> {
  return (response.body as ErrorBody).errors[0]?.meta ?? {};
}

/** Counts of each outcome, e.g. {"422 incorrect_password": 10, "403 user_locked": 190}. */
export function tally(responses: ApiResponse[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const response of responses) counts[outcome(response)] = (counts[outcome(response)] ?? 0) + 1;
  return counts;
}

/** locked, lockout_expires_in_seconds and verification_attempts_remaining tell one story. */
export function assertLockConsistent(user: UserJson): void {
  const story = JSON.stringify({ locked: user.locked, lockout_expires_in_seconds: user.lockout_expires_in_seconds, verification_attempts_remaining: user.verification_attempts_remaining });
  assert.equal(user.locked, user.verification_attempts_remaining === 0, story);
  if (!user.locked) assert.equal(user.lockout_expires_in_seconds, null, story);
}

/** A six-digit code that is not valid for `totpSecret` anywhere near now (±2 steps). */
export async function wrongTotpCode(totpSecret: string, skip = 0): Promise<string> {
  const { generate } = await import('otplib');
  const now = Math.floor(Date.now() / 1000);
  const valid = new Set(await Promise.all([-60, -30, 0, 30, 60].map((offset) => generate({ secret: totpSecret, epoch: now + offset }))));
  let skipped = 0;
  for (let n = 0; ; n += 1) {
    const candidate = String(n).padStart(6, '0');
    if (valid.has(candidate)) continue;
    if (skipped++ >= skip) return candidate;
  }
}
