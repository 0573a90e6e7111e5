import { dictionary } from '@zxcvbn-ts/language-common';
import { errors } from '../errors.js';

/**
 * Clerk's password policy for passwords set through the API (`skip_password_checks`
 * bypasses it): at least 8 characters, at most 72 bytes, and not a known breached password.
 * The breached list is the ~49k most common leaked passwords that ship with
 * @zxcvbn-ts/language-common, so the check needs no network.
 */
export const PASSWORD_MIN_LENGTH = 8;
/** Clerk's limit (bcrypt's input limit); argon2 has none, so it only applies with the policy. */
export const PASSWORD_MAX_BYTES = 72;
/** Even with `skip_password_checks`, a bound on what gets hashed. */
export const PASSWORD_HARD_MAX_BYTES = 4096;

const BREACHED = new Set((dictionary['passwords-common'] as string[]).map((password) => password.toLowerCase()));

export function isBreachedPassword(password: string): boolean {
  return BREACHED.has(password.toLowerCase());
}

/**
 * The bound on any password clerkd hashes or compares, set or verified: beyond it, 422
 * `form_password_size_in_bytes_exceeded` before any work (a megabyte through a stretched
 * digest would otherwise cost seconds of CPU).
 */
export function checkPasswordSize(password: string): void {
  if (Buffer.byteLength(password, 'utf8') > PASSWORD_HARD_MAX_BYTES) throw errors.passwordTooLong(PASSWORD_HARD_MAX_BYTES);
}

export function checkPasswordPolicy(password: string, skipChecks: boolean): void {
  checkPasswordSize(password);
  const bytes = Buffer.byteLength(password, 'utf8');
  if (skipChecks) return;
  if ([...password].length < PASSWORD_MIN_LENGTH) throw errors.passwordTooShort(PASSWORD_MIN_LENGTH);
  if (bytes > PASSWORD_MAX_BYTES) throw errors.passwordTooLong(PASSWORD_MAX_BYTES);
  if (isBreachedPassword(password)) throw errors.passwordPwned();
}
