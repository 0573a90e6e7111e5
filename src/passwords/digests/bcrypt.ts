import { createHash } from 'node:crypto';
import bcryptjs from 'bcryptjs';
import { equalBytes } from './constant-time.js';
import type { DigestHasher } from './types.js';

/*
 * bcrypt digests: `$2<minor>$<cost>$<22 salt chars><31 hash chars>` in bcrypt's own
 * base64 alphabet. Minors: `a` (OpenBSD, Ruby's bcrypt, jBCrypt), `b` (OpenBSD since
 * 2014, Python's bcrypt, Django), `y` (PHP's password_hash, htpasswd -B), `x` (PHP's
 * crypt_blowfish marking hashes made with its pre-2011 sign-extension bug).
 *
 * For a password of plain ASCII all four compute the same thing, so the hash is
 * recomputed with bcryptjs (which knows a, b and y; `x` is computed as `a`) and the 23
 * hash bytes are compared with `equalBytes`. Consequences, deliberately accepted:
 *  - a `$2x$` hash of a password with bytes ≥ 0x80 that the old bug altered does not
 *    verify (bcryptjs cannot reproduce the bug); where the bug changed nothing it does;
 *  - like every producer, only the first 72 UTF-8 bytes of the password count.
 */

const BCRYPT = /^\$2([abxy])\$([0-9]{2})\$([./A-Za-z0-9]{22})([./A-Za-z0-9]{31})$/;

// bcrypt's own minimum is 4. Each step doubles the work: in bcryptjs (pure JS) cost 12
// takes ~0.3 s and cost 16 ~5 s, so costs above 16 would let one stored digest stall
// sign-ins for minutes. Exporters default to 10–12.
const MIN_COST = 4;
const MAX_COST = 16;
// A Devise pepper is a secret string of any length (usually `rails secret`, 128 chars).
const MAX_PEPPER_LENGTH = 1024;

export interface Bcrypt {
  minor: string;
  cost: string;
  salt: string;
  hash: string;
}

export function parseBcrypt(digest: string): Bcrypt | undefined {
  const match = BCRYPT.exec(digest);
  if (match === null) return undefined;
  const [, minor = '', cost = '', salt = '', hash = ''] = match;
  const rounds = Number(cost);
  return rounds >= MIN_COST && rounds <= MAX_COST ? { minor, cost, salt, hash } : undefined;
}

/** The 23 hash bytes behind 31 characters (the last character's two spare bits are ignored). */
function hashBytes(encoded: string): Uint8Array {
  return Uint8Array.from(bcryptjs.decodeBase64(encoded, 23));
}

/** Whether bcrypt over `secret` with the digest's salt and cost gives the digest's hash. */
export function bcryptMatches(secret: string, digest: Bcrypt): boolean {
  const minor = digest.minor === 'x' ? 'a' : digest.minor;
  const computed = bcryptjs.hashSync(secret, `$2${minor}$${digest.cost}$${digest.salt}`);
  return equalBytes(hashBytes(computed.slice(-31)), hashBytes(digest.hash));
}

/** `bcrypt`: a bare bcrypt string from any of the producers above. */
export const bcrypt: DigestHasher = {
  parses: (digest) => parseBcrypt(digest) !== undefined,
  verify(password, digest) {
    const parsed = parseBcrypt(digest);
    return parsed !== undefined && bcryptMatches(password, parsed);
  },
};

/**
 * `bcrypt_peppered`: Devise's digest with its pepper appended after a `$` (Clerk's
 * `<bcrypt digest>$<pepper>`). Devise::Encryptor hashes `"#{password}#{pepper}"`, the
 * password with the pepper appended, and skips the pepper when it is blank, so an empty
 * pepper is refused here: such a digest is a plain `bcrypt` one.
 */
function parsePeppered(digest: string): { bcrypt: Bcrypt; pepper: string } | undefined {
  const pepper = digest.slice(61);
  if (digest[60] !== '$' || pepper.length === 0 || pepper.length > MAX_PEPPER_LENGTH) return undefined;
  const parsed = parseBcrypt(digest.slice(0, 60));
  return parsed === undefined ? undefined : { bcrypt: parsed, pepper };
}

export const bcryptPeppered: DigestHasher = {
  parses: (digest) => parsePeppered(digest) !== undefined,
  verify(password, digest) {
    const parsed = parsePeppered(digest);
    return parsed !== undefined && bcryptMatches(`${password}${parsed.pepper}`, parsed.bcrypt);
  },
};

/**
 * `bcrypt_sha256_django`: Django's BCryptSHA256PasswordHasher export,
 * `bcrypt_sha256$` + a bcrypt string (hence the `$$`). Django (1.6 through 5.x) hashes
 * `binascii.hexlify(sha256(password).digest())`: the lower-case hex of SHA-256 over the
 * UTF-8 password, 64 ASCII bytes, so long passwords are not truncated.
 */
const DJANGO_PREFIX = 'bcrypt_sha256$';

function parseDjango(digest: string): Bcrypt | undefined {
  return digest.startsWith(DJANGO_PREFIX) ? parseBcrypt(digest.slice(DJANGO_PREFIX.length)) : undefined;
}

export const bcryptSha256Django: DigestHasher = {
  parses: (digest) => parseDjango(digest) !== undefined,
  verify(password, digest) {
    const parsed = parseDjango(digest);
    if (parsed === undefined) return false;
    return bcryptMatches(createHash('sha256').update(password, 'utf8').digest('hex'), parsed);
  },
};
