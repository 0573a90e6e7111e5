import { createHash } from 'node:crypto';
import { equalBytes } from './constant-time.js';
import type { DigestHasher } from './types.js';

/**
 * The bare message-digest formats Clerk calls insecure (`md5`, `md5_salted`, and through
 * sha.ts `sha256`, `sha256_salted`). Clerk's create-user docs give only the shapes:
 * `5f4dcc3b5aa765d61d8327deb882cf99`, a 64-char hex string, and `salt$hash` with a
 * 32/64-char hex hash. Passwords and salts are hashed as UTF-8, as PHP/Python exporters did.
 */

type DigestAlgorithm = 'md5' | 'sha256';

function digestOf(algorithm: DigestAlgorithm, text: string): Buffer {
  return createHash(algorithm).update(text, 'utf8').digest();
}

/** `<hex>`: the digest of the password alone. Either hex case, since SQL exports often upper-case it. */
export function unsaltedHexDigest(algorithm: DigestAlgorithm, hexLength: number): DigestHasher {
  const shape = new RegExp(`^[0-9a-fA-F]{${hexLength}}$`);
  const parses = (digest: string): boolean => shape.test(digest);
  return {
    parses,
    verify(password, digest) {
      if (!parses(digest)) return false;
      return equalBytes(digestOf(algorithm, password), Buffer.from(digest, 'hex'));
    },
  };
}

/**
 * `salt$hash`. Clerk's docs do not say which side of the password the salt goes, and real
 * exporters differ: osCommerce, Zen Cart and Magento 1 store md5(salt + password), Joomla
 * 1.x md5(password + salt). Both orders are tried. The only extra passwords this admits are
 * rearrangements of the real one around the salt, so it costs an attacker nothing new.
 * The salt is everything before the last `$` (the hex hash has none), and must not be empty.
 */
export function saltedHexDigest(algorithm: DigestAlgorithm, hexLength: number): DigestHasher {
  const shape = new RegExp(`^(.+)\\$([0-9a-fA-F]{${hexLength}})$`, 's');
  const parse = (digest: string): { salt: string; hash: Buffer } | undefined => {
    const match = shape.exec(digest);
    if (!match?.[1] || !match[2]) return undefined;
    return { salt: match[1], hash: Buffer.from(match[2], 'hex') };
  };
  return {
    parses: (digest) => parse(digest) !== undefined,
    verify(password, digest) {
      const parsed = parse(digest);
      if (!parsed) return false;
      // Both comparisons always run, so timing does not tell which order a digest uses.
      const saltFirst = equalBytes(digestOf(algorithm, parsed.salt + password), parsed.hash);
      const saltLast = equalBytes(digestOf(algorithm, password + parsed.salt), parsed.hash);
      return saltFirst || saltLast;
    },
  };
}

export const md5: DigestHasher = unsaltedHexDigest('md5', 32);
export const md5Salted: DigestHasher = saltedHexDigest('md5', 32);
