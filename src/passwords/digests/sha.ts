import { decodeCanonicalBase64 } from './encoding.js';
import { createHash, createHmac } from 'node:crypto';
import { equalBytes } from './constant-time.js';
import { saltedHexDigest, unsaltedHexDigest } from './md5.js';
import type { DigestHasher } from './types.js';

export const sha256: DigestHasher = unsaltedHexDigest('sha256', 64);
export const sha256Salted: DigestHasher = saltedHexDigest('sha256', 64);

/**
 * `sha512_symfony$<iterations>$<salt>$<base64 hash>`: Symfony's legacy
 * MessageDigestPasswordHasher('sha512', true, iterations). Its hash() merges the password
 * and salt as `password{salt}`, takes digest = sha512(merged), then for i = 1 … iterations-1
 * digest = sha512(digest . merged), and base64-encodes the raw result.
 */
const SYMFONY = /^sha512_symfony\$([1-9][0-9]{0,6})\$(.*)\$([A-Za-z0-9+/]+={0,2})$/s;
/** Symfony's default is 5000; a million sha512 rounds is about a second, the most one sign-in may cost. */
const SYMFONY_MAX_ITERATIONS = 1_000_000;
const SHA512_BYTES = 64;

function parseSymfony(digest: string): { iterations: number; salt: string; hash: Buffer } | undefined {
  const match = SYMFONY.exec(digest);
  if (!match?.[1] || match[2] === undefined || !match[3]) return undefined;
  const iterations = Number(match[1]);
  const salt = match[2];
  const hash = decodeCanonicalBase64(match[3]);
  if (iterations > SYMFONY_MAX_ITERATIONS || hash?.length !== SHA512_BYTES) return undefined;
  // Symfony refuses to hash with braces in the salt, so no such digest can exist.
  if (salt.includes('{') || salt.includes('}')) return undefined;
  return { iterations, salt, hash };
}

/** Symfony's mergePasswordAndSalt: PHP's `if (!$salt)` treats '' and '0' alike as no salt. */
function mergeSymfony(password: string, salt: string): Buffer {
  return Buffer.from(salt === '' || salt === '0' ? password : `${password}{${salt}}`, 'utf8');
}

export const sha512Symfony: DigestHasher = {
  parses: (digest) => parseSymfony(digest) !== undefined,
  verify(password, digest) {
    const parsed = parseSymfony(digest);
    if (!parsed) return false;
    const merged = mergeSymfony(password, parsed.salt);
    let stretched = createHash('sha512').update(merged).digest();
    for (let i = 1; i < parsed.iterations; i++) {
      stretched = createHash('sha512').update(stretched).update(merged).digest();
    }
    return equalBytes(stretched, parsed.hash);
  },
};

/**
 * `hmac_sha256_utf16_b64`: Clerk names it but documents no format. The scheme it spells out
 * (HMAC-SHA256 over the UTF-16 password, base64 out) is ASP.NET's SqlMembershipProvider with
 * hashAlgorithmType="HMACSHA256", whose aspnet_Membership rows hold a base64 Password and a
 * base64 PasswordSalt. Its EncodePassword keys the HMAC with the salt fitted to the HMAC's
 * 64-byte key: truncated when longer, repeated when shorter (not HMAC's own key hashing).
 *
 * Accepted: `<base64 salt>$<base64 hash>`, Clerk's order for its other salted formats. The
 * hash is always 32 bytes, so the side that decodes to 32 bytes is the hash; exports written
 * hash first (`<hash>$<salt>`, the order Microsoft's SQL Membership → Identity migration sample
 * keeps them in) are read that way too, and when both sides are 32 bytes both readings are tried. Either way the typed
 * password is the HMAC message, so trying both admits no pass-the-hash.
 */
const HMAC_SHA256_BYTES = 32;
const MEMBERSHIP_HMAC_KEY_BYTES = 64;

function parseMembership(digest: string): Array<{ salt: Buffer; hash: Buffer }> {
  const parts = digest.split('$');
  if (parts.length !== 2) return [];
  const [left, right] = parts.map((part) => decodeCanonicalBase64(part));
  if (!left || !right) return [];
  const readings: Array<{ salt: Buffer; hash: Buffer }> = [];
  if (right.length === HMAC_SHA256_BYTES) readings.push({ salt: left, hash: right });
  if (left.length === HMAC_SHA256_BYTES) readings.push({ salt: right, hash: left });
  return readings;
}

function membershipKey(salt: Buffer): Buffer {
  if (salt.length >= MEMBERSHIP_HMAC_KEY_BYTES) return salt.subarray(0, MEMBERSHIP_HMAC_KEY_BYTES);
  const key = Buffer.alloc(MEMBERSHIP_HMAC_KEY_BYTES);
  for (let offset = 0; offset < key.length; offset += salt.length) salt.copy(key, offset);
  return key;
}

export const hmacSha256Utf16B64: DigestHasher = {
  parses: (digest) => parseMembership(digest).length > 0,
  verify(password, digest) {
    const message = Buffer.from(password, 'utf16le'); // .NET's Encoding.Unicode
    const matches = parseMembership(digest).map(({ salt, hash }) =>
      equalBytes(createHmac('sha256', membershipKey(salt)).update(message).digest(), hash),
    );
    return matches.includes(true);
  },
};
