import { errors } from '../errors.js';

/**
 * Validation and normalisation of the identifiers a user can be found by.
 * Each returns the stored form or throws a Clerk form error naming the parameter.
 */

// Practical email syntax: one @, a dot-separated domain, no spaces. Clerk checks more (MX
// records) but only the syntax can be checked offline.
const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
const E164 = /^\+[1-9]\d{6,14}$/;
const WEB3_WALLET = /^0x[0-9a-fA-F]{40}$/;

/** Clerk's username rules: 4 to 64 characters of letters, digits, `_` and `-`, not all digits. */
export const USERNAME_MIN_LENGTH = 4;
export const USERNAME_MAX_LENGTH = 64;
const USERNAME_CHARACTERS = /^[A-Za-z0-9_-]+$/;

export function normalizeEmailAddress(value: string, param = 'email_address'): string {
  const email = value.trim();
  if (email.length > 320 || !EMAIL.test(email) || email.split('@')[0]!.length > 64) {
    throw errors.paramFormatInvalid(param, `${param} must be a valid email address.`);
  }
  return email.toLowerCase();
}

export function normalizePhoneNumber(value: string, param = 'phone_number'): string {
  // Accept the common human spellings of an E.164 number: spaces, dashes, dots, parentheses.
  const phone = value.trim().replace(/[\s().-]/g, '');
  if (!E164.test(phone)) {
    throw errors.paramFormatInvalid(param, `${param} must be a valid phone number according to E.164 international standard.`);
  }
  return phone;
}

export function normalizeWeb3Wallet(value: string, param = 'web3_wallet'): string {
  const wallet = value.trim();
  if (!WEB3_WALLET.test(wallet)) {
    throw errors.paramFormatInvalid(param, `${param} must be a valid web3 wallet address that starts with 0x and contains 40 hexadecimal characters.`);
  }
  return wallet;
}

export function normalizeUsername(value: string): string {
  const username = value.trim();
  if (username.length < USERNAME_MIN_LENGTH || username.length > USERNAME_MAX_LENGTH) {
    throw errors.usernameInvalidLength(USERNAME_MIN_LENGTH, USERNAME_MAX_LENGTH);
  }
  if (!USERNAME_CHARACTERS.test(username)) throw errors.usernameInvalidCharacter();
  if (/^\d+$/.test(username)) throw errors.usernameNeedsNonNumber();
  return username.toLowerCase();
}
