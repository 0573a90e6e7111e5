import bcryptjs from 'bcryptjs';
import { errors } from '../errors.js';

/**
 * Backup codes are stored as bcrypt digests, as Clerk accepts them on import. Codes given
 * in plain text are hashed here; bcrypt digests are kept as given. The cost is low because
 * a verification may compare against every stored code.
 */
const BCRYPT_DIGEST = /^\$2[abxy]\$\d{2}\$[./A-Za-z0-9]{53}$/;
const PLAIN_CODE = /^[\x21-\x7e]{4,64}$/;
export const BACKUP_CODE_BCRYPT_COST = 8;

export async function hashBackupCodes(codes: string[]): Promise<string[]> {
  return Promise.all(
    codes.map(async (code) => {
      if (BCRYPT_DIGEST.test(code)) return code;
      const plain = code.trim();
      if (!PLAIN_CODE.test(plain)) throw errors.backupCodeInvalid();
      return bcryptjs.hash(plain, BACKUP_CODE_BCRYPT_COST);
    }),
  );
}

/** The stored digest `code` matches, or null. bcrypt's comparison is constant-time. */
export async function findBackupCode(code: string, digests: string[]): Promise<string | null> {
  const plain = code.trim();
  if (!PLAIN_CODE.test(plain)) return null;
  for (const digest of digests) {
    if (await bcryptjs.compare(plain, digest)) return digest;
  }
  return null;
}
