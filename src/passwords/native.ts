import argon2 from 'argon2';
import type { Argon2Params } from '../config.js';
import { errors } from '../errors.js';

/** Hasher name stored for passwords clerkd hashed itself. */
export const NATIVE_HASHER = 'argon2id';

export const PASSWORD_MIN_LENGTH = 8;
/** Clerk's limit; also keeps an argon2 input bounded. */
export const PASSWORD_MAX_BYTES = 72;

/** Clerk's password policy; `skip_password_checks` bypasses it. */
export function checkPasswordPolicy(password: string): void {
  if ([...password].length < PASSWORD_MIN_LENGTH) throw errors.passwordTooShort(PASSWORD_MIN_LENGTH);
  if (Buffer.byteLength(password, 'utf8') > PASSWORD_MAX_BYTES) throw errors.passwordTooLong(PASSWORD_MAX_BYTES);
}

export function hashPassword(password: string, params: Argon2Params): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id, ...params });
}
