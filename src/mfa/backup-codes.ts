import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { errors } from '../errors.js';
import type { HashPool } from '../passwords/hash-pool.js';
import { verifyDigest } from '../passwords/imported.js';

/**
 * Backup codes are stored as one digest each (a JSON array in `users.backup_codes`).
 *
 * Codes clerkd sees in plain text are stored as `$hmac-sha256$<key id>$<mac>`: HMAC-SHA256
 * of the code under a key derived (HKDF) from CLERKD_ENCRYPTION_KEY, the key id being the
 * first 4 bytes of that key's HMAC of a fixed label, in hex. Backup codes are random, so a
 * keyed fast digest is enough: a leaked database without the key gives nothing to
 * brute-force offline, and a guess costs one HMAC, however many codes the user has (a
 * wrong guess used to cost one bcrypt per stored code). Verifying compares the guess's MAC
 * with every stored one in constant time.
 *
 * bcrypt digests (how Clerk exports them, given at create or import without the plain
 * code) are kept as they are and checked with bcrypt in the hash pool, one per stored bcrypt
 * digest: a wrong guess against such a user costs that many bcrypts until the codes are
 * replaced. A `$hmac-sha256$` digest made under another key can never verify here, so it is
 * refused when given.
 */
const BCRYPT_DIGEST = /^\$2[abxy]\$\d{2}\$[./A-Za-z0-9]{53}$/;
const HMAC_DIGEST = /^\$hmac-sha256\$([0-9a-f]{8})\$([0-9a-f]{64})$/;
const PLAIN_CODE = /^[\x21-\x7e]{4,64}$/;

/** The HMAC key for backup codes, derived from the encryption key (so rotating that key retires stored codes). */
export interface BackupCodeKey {
  key: Buffer;
  id: string;
}

const derivedKeys = new WeakMap<Buffer, BackupCodeKey>();

export function backupCodeKey(encryptionKey: Buffer): BackupCodeKey {
  let derived = derivedKeys.get(encryptionKey);
  if (derived === undefined) {
    const key = Buffer.from(hkdfSync('sha256', encryptionKey, Buffer.alloc(0), 'clerkd backup codes v1', 32));
    derived = { key, id: createHmac('sha256', key).update('clerkd backup code key id').digest('hex').slice(0, 8) };
    derivedKeys.set(encryptionKey, derived);
  }
  return derived;
}

function macOf(plain: string, key: BackupCodeKey): Buffer {
  return createHmac('sha256', key.key).update(plain, 'utf8').digest();
}

function hmacDigest(plain: string, key: BackupCodeKey): string {
  return `$hmac-sha256$${key.id}$${macOf(plain, key).toString('hex')}`;
}

/**
 * The digests to store for `codes`: plain codes are digested, bcrypt digests kept, and our
 * own digests kept when they were made under this key (API and snapshot import alike).
 */
export async function hashBackupCodes(codes: string[], encryptionKey: Buffer): Promise<string[]> {
  const key = backupCodeKey(encryptionKey);
  return Promise.all(
    codes.map(async (code) => {
      if (BCRYPT_DIGEST.test(code)) return code;
      const own = HMAC_DIGEST.exec(code);
      if (own !== null) {
        if (own[1] !== key.id) throw errors.backupCodeInvalid();
        return code;
      }
      const plain = code.trim();
      if (!PLAIN_CODE.test(plain)) throw errors.backupCodeInvalid();
      return hmacDigest(plain, key);
    }),
  );
}

/**
 * The stored digest `code` matches, or null: one HMAC compared in constant time with each
 * keyed digest, then, only if none matched, bcrypt (in the hash pool) for each bcrypt digest.
 */
export async function findBackupCode(code: string, digests: string[], encryptionKey: Buffer, pool?: HashPool): Promise<string | null> {
  const plain = code.trim();
  if (!PLAIN_CODE.test(plain)) return null;
  const key = backupCodeKey(encryptionKey);
  const mac = macOf(plain, key);
  let found: string | null = null;
  for (const digest of digests) {
    const own = HMAC_DIGEST.exec(digest);
    // Every keyed digest is compared, so timing does not tell which one matched.
    if (own !== null && own[1] === key.id && timingSafeEqual(Buffer.from(own[2]!, 'hex'), mac) && found === null) found = digest;
  }
  if (found !== null) return found;
  for (const digest of digests) {
    if (BCRYPT_DIGEST.test(digest) && (await verifyDigest('bcrypt', digest, plain, pool))) return digest;
  }
  return null;
}
