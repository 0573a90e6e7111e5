import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { errors } from '../errors.js';
import { sharedHashPool, type HashPool } from '../passwords/hash-pool.js';
import { verifyDigest } from '../passwords/imported.js';

/**
 * Backup codes are stored as one digest each (a JSON array in `users.backup_codes`).
 *
 * Codes clerkd sees in plain text are stored as `$hmac-sha256$<key id>$<mac>$<bcrypt>`:
 * - `<mac>`: HMAC-SHA256 of the code under a key derived (HKDF) from CLERKD_ENCRYPTION_KEY;
 *   `<key id>` is the first 4 bytes of that key's HMAC of a fixed label, in hex. A guess
 *   costs one HMAC per stored code, compared in constant time, however many codes the user
 *   has (a wrong guess used to cost one bcrypt per stored code). Backup codes are random, so
 *   a keyed fast digest is enough: a leaked database without the key gives nothing to
 *   brute-force quickly.
 * - `<bcrypt>`: a bcrypt digest of the same code (cost 8), so the code still verifies on a
 *   server with another CLERKD_ENCRYPTION_KEY (a snapshot moved under a new key); there the
 *   MAC cannot match and bcrypt is used, one per such code.
 *
 * Plain bcrypt digests (how Clerk exports them, given at create or import without the plain
 * code) are kept as they are and checked with bcrypt, one per stored bcrypt digest, until
 * the codes are replaced. Every bcrypt runs in the hash pool, off the event loop.
 */
const BCRYPT = String.raw`\$2[abxy]\$\d{2}\$[./A-Za-z0-9]{53}`;
const BCRYPT_DIGEST = new RegExp(`^${BCRYPT}$`);
const KEYED_DIGEST = new RegExp(String.raw`^\$hmac-sha256\$([0-9a-f]{8})\$([0-9a-f]{64})\$(${BCRYPT})$`);
const PLAIN_CODE = /^[\x21-\x7e]{4,64}$/;
/** The cost of the portable bcrypt half: backup codes are random, so a low cost suffices. */
export const BACKUP_CODE_BCRYPT_COST = 8;

/** The HMAC key for backup codes, derived from the encryption key. */
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

/**
 * The digests to store for `codes`: plain codes are digested (MAC and bcrypt, the bcrypt in
 * the hash pool), bcrypt and keyed digests are kept as given (a keyed one from a server with
 * another key still verifies through its bcrypt half).
 */
export async function hashBackupCodes(codes: string[], encryptionKey: Buffer, pool: HashPool = sharedHashPool()): Promise<string[]> {
  const key = backupCodeKey(encryptionKey);
  return Promise.all(
    codes.map(async (code) => {
      if (BCRYPT_DIGEST.test(code) || KEYED_DIGEST.test(code)) return code;
      const plain = code.trim();
      if (!PLAIN_CODE.test(plain)) throw errors.backupCodeInvalid();
      const bcrypt = await pool.run({ kind: 'hash-bcrypt', secret: plain, cost: BACKUP_CODE_BCRYPT_COST });
      return `$hmac-sha256$${key.id}$${macOf(plain, key).toString('hex')}$${bcrypt}`;
    }),
  );
}

/**
 * The stored digest `code` matches, or null: one HMAC compared in constant time with each
 * digest keyed here, then, only if none matched, bcrypt (in the hash pool) for each digest
 * that can only be checked that way (plain bcrypt, or keyed under another key).
 */
export async function findBackupCode(code: string, digests: string[], encryptionKey: Buffer, pool: HashPool = sharedHashPool()): Promise<string | null> {
  const plain = code.trim();
  if (!PLAIN_CODE.test(plain)) return null;
  const key = backupCodeKey(encryptionKey);
  const mac = macOf(plain, key);
  let found: string | null = null;
  const bcryptOnly: { digest: string; bcrypt: string }[] = [];
  for (const digest of digests) {
    const keyed = KEYED_DIGEST.exec(digest);
    if (keyed === null) {
      if (BCRYPT_DIGEST.test(digest)) bcryptOnly.push({ digest, bcrypt: digest });
    } else if (keyed[1] !== key.id) {
      bcryptOnly.push({ digest, bcrypt: keyed[3]! });
    } else if (timingSafeEqual(Buffer.from(keyed[2]!, 'hex'), mac) && found === null) {
      // Every keyed digest is compared, so timing does not tell which one matched.
      found = digest;
    }
  }
  if (found !== null) return found;
  for (const { digest, bcrypt } of bcryptOnly) {
    if (await verifyDigest('bcrypt', bcrypt, plain, pool)) return digest;
  }
  return null;
}
