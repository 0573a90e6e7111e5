/**
 * The `password_hasher` values Clerk accepts with a `password_digest`: the 17 the spec
 * names plus the ones @clerk/backend's types and docs add. Digest parsing and
 * verification per family arrive with the credentials work; the names are checked now.
 */
export const PASSWORD_HASHERS = [
  'argon2i',
  'argon2id',
  'awscognito',
  'bcrypt',
  'bcrypt_peppered',
  'bcrypt_sha256_django',
  'hmac_sha256_utf16_b64',
  'ldap_ssha',
  'md5',
  'md5_phpass',
  'md5_salted',
  'pbkdf2_sha1',
  'pbkdf2_sha256',
  'pbkdf2_sha256_django',
  'pbkdf2_sha512',
  'pbkdf2_sha512_hex',
  'phpass',
  'scrypt_firebase',
  'scrypt_werkzeug',
  'sha256',
  'sha256_salted',
  'sha512_symfony',
] as const;

export type PasswordHasher = (typeof PASSWORD_HASHERS)[number];

export function isPasswordHasher(value: string): value is PasswordHasher {
  return (PASSWORD_HASHERS as readonly string[]).includes(value);
}
