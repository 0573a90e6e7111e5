import { argon2i, argon2id } from './digests/argon2.js';
import { awsCognito } from './digests/awscognito.js';
import { bcrypt, bcryptPeppered, bcryptSha256Django } from './digests/bcrypt.js';
import { ldapSsha } from './digests/ldap.js';
import { md5, md5Salted } from './digests/md5.js';
import { pbkdf2Sha1, pbkdf2Sha256, pbkdf2Sha256Django, pbkdf2Sha512, pbkdf2Sha512Hex } from './digests/pbkdf2.js';
import { md5Phpass, phpass } from './digests/phpass.js';
import { scryptFirebase, scryptWerkzeug } from './digests/scrypt.js';
import { hmacSha256Utf16B64, sha256, sha256Salted, sha512Symfony } from './digests/sha.js';
import type { DigestHasher } from './digests/types.js';
import { errors } from '../errors.js';
import { sharedHashPool, type HashPool } from './hash-pool.js';
import type { PasswordHasher } from './hashers.js';

/** The one dispatch table from `password_hasher` to its format. */
export const DIGEST_HASHERS: Record<PasswordHasher, DigestHasher> = {
  argon2i,
  argon2id,
  awscognito: awsCognito,
  bcrypt,
  bcrypt_peppered: bcryptPeppered,
  bcrypt_sha256_django: bcryptSha256Django,
  hmac_sha256_utf16_b64: hmacSha256Utf16B64,
  ldap_ssha: ldapSsha,
  md5,
  md5_phpass: md5Phpass,
  md5_salted: md5Salted,
  pbkdf2_sha1: pbkdf2Sha1,
  pbkdf2_sha256: pbkdf2Sha256,
  pbkdf2_sha256_django: pbkdf2Sha256Django,
  pbkdf2_sha512: pbkdf2Sha512,
  pbkdf2_sha512_hex: pbkdf2Sha512Hex,
  phpass,
  scrypt_firebase: scryptFirebase,
  scrypt_werkzeug: scryptWerkzeug,
  sha256,
  sha256_salted: sha256Salted,
  sha512_symfony: sha512Symfony,
};

export function digestParses(hasher: PasswordHasher, digest: string): boolean {
  return DIGEST_HASHERS[hasher].parses(digest);
}

/**
 * Whether `password` matches the stored digest, computed in a hash worker (never on the
 * event loop). A format clerkd cannot check answers 422 `password_hasher_not_verifiable`.
 */
export async function verifyDigest(hasher: PasswordHasher, digest: string, password: string, pool: HashPool = sharedHashPool()): Promise<boolean> {
  if (DIGEST_HASHERS[hasher].verifiable === false) throw errors.passwordHasherNotVerifiable(hasher);
  return pool.run({ kind: 'verify-digest', hasher, digest, password });
}
