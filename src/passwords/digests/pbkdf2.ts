import { pbkdf2Sync } from 'node:crypto';
import { decodeHex } from './encoding.js';
import { equalBytes } from './constant-time.js';
import type { DigestHasher } from './types.js';

/*
 * PBKDF2 digests in Clerk's `<name>$<iterations>$<salt>$<hash>` shapes (USERS-API.md §4).
 *
 * Clerk's text leaves open how some fields are encoded, and real exporters disagree, so a
 * digest may have several *readings*: each names the salt bytes and the expected key.
 * `verify` derives a key for each reading in a fixed order and succeeds if any matches.
 * Each extra reading is one more PBKDF2 run of the same password, never a weaker check:
 * the expected key still has to be reproduced in full.
 */

type Prf = 'sha1' | 'sha256' | 'sha512';

/** One way to read a digest: PBKDF2(password, salt, iterations) must equal `expected`. */
interface Reading {
  salt: Buffer;
  iterations: number;
  expected: Buffer;
}

// Bounds, so that a hostile digest cannot make one sign-in hash for minutes: Django 5.2
// exports 1,000,000 iterations, so 10 million leaves room. Keys shorter than 16 bytes
// are produced by no exporter we know and would make a lucky guess plausible; a longer
// key costs one more PBKDF2 block per hash length, so it is capped too.
const MAX_ITERATIONS = 10_000_000;
const MIN_KEY_BYTES = 16;
const MAX_KEY_BYTES = 128;
const MAX_SALT_BYTES = 1024;

function parseIterations(field: string): number | undefined {
  if (!/^[1-9][0-9]{0,7}$/.test(field)) return undefined;
  const iterations = Number(field);
  return iterations <= MAX_ITERATIONS ? iterations : undefined;
}

/**
 * Standard base64, padded (Django, Keycloak) or not, and passlib's "adapted" base64,
 * which writes `.` for `+` and never pads. `.` is not in the standard alphabet, so
 * accepting it cannot change how a standard string decodes.
 */
function decodeBase64(field: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/.]+={0,2}$/.test(field)) return undefined;
  const body = field.replace(/=+$/, '');
  if (body.length % 4 === 1) return undefined;
  if (field.length !== body.length && field.length % 4 !== 0) return undefined;
  return Buffer.from(body.replaceAll('.', '+'), 'base64');
}

/**
 * The hash of a shape whose primary encoding is hex, with base64 as the fallback reading.
 * A string of hex digits only is read as hex or not at all: a base64 hash of 16+ random
 * bytes made only of hex digits is vanishingly unlikely, while a hex hash that lost a
 * character is common, and must be refused rather than read as base64.
 */
function decodeHexOrBase64(field: string): { hex: Buffer } | { base64: Buffer } | undefined {
  if (/^[0-9a-fA-F]+$/.test(field)) {
    const hex = decodeHex(field);
    return hex === undefined ? undefined : { hex };
  }
  const base64 = decodeBase64(field);
  return base64 === undefined ? undefined : { base64 };
}

/** A salt written as text is hashed as its UTF-8 bytes (Django: `force_bytes(salt)`). */
function textBytes(field: string): Buffer {
  return Buffer.from(field, 'utf8');
}

/** The readings of one digest, or undefined if its bounds make it unusable. */
function readings(iterations: number | undefined, salts: (Buffer | undefined)[], expected: Buffer | undefined): Reading[] | undefined {
  if (iterations === undefined || expected === undefined) return undefined;
  if (expected.length < MIN_KEY_BYTES || expected.length > MAX_KEY_BYTES) return undefined;
  const usable = salts.filter((s): s is Buffer => s !== undefined && s.length > 0 && s.length <= MAX_SALT_BYTES);
  return usable.length > 0 ? usable.map((salt) => ({ salt, iterations, expected })) : undefined;
}

/** The `$`-separated fields after `name`, if the digest starts with `name$` and has one of `counts` of them. */
function fieldsAfter(digest: string, name: string, ...counts: number[]): string[] | undefined {
  const parts = digest.split('$');
  if (parts[0] !== name) return undefined;
  const rest = parts.slice(1);
  return counts.includes(rest.length) ? rest : undefined;
}

function pbkdf2Hasher(prf: Prf, read: (digest: string) => Reading[] | undefined): DigestHasher {
  return {
    parses: (digest) => read(digest) !== undefined,
    verify(password, digest) {
      for (const { salt, iterations, expected } of read(digest) ?? []) {
        const derived = pbkdf2Sync(password, salt, iterations, expected.length, prf);
        if (equalBytes(derived, expected)) return true;
      }
      return false;
    },
  };
}

/**
 * `pbkdf2_sha1`. Clerk documents a hex hash with the salt as written (the older text:
 * "like pbkdf2_sha256_django … but accepts the hash as a hex-encoded string"), and a
 * five-field form `…$<salt-as-hex>$<hex hash>$<key length>` where "a salt that is not
 * valid hex is used as raw bytes". Readings, in order:
 *  - four fields, hex hash: salt as text, then salt hex-decoded if it is hex (apps that
 *    write `randomBytes(n).toString('hex')` may hash either the text or the bytes);
 *  - four fields, base64 hash: Django's PBKDF2SHA1PasswordHasher
 *    (`pbkdf2_sha1$<iter>$<salt text>$<b64>`), then passlib's `$pbkdf2$` renamed to
 *    Clerk's prefix (adapted-base64 salt, decoded);
 *  - five fields: salt hex-decoded if hex, then as text; the key length must equal the
 *    hash's length, as the hash is the only thing we can compare against.
 */
export const pbkdf2Sha1 = pbkdf2Hasher('sha1', (digest) => {
  const fields = fieldsAfter(digest, 'pbkdf2_sha1', 3, 4);
  if (fields === undefined) return undefined;
  const [iterationsField = '', salt = '', hash = '', keyLength] = fields;
  const iterations = parseIterations(iterationsField);
  const decoded = decodeHexOrBase64(hash);
  if (decoded === undefined) return undefined;
  if (keyLength !== undefined) {
    if (!('hex' in decoded) || keyLength !== String(decoded.hex.length)) return undefined;
    return readings(iterations, [decodeHex(salt), textBytes(salt)], decoded.hex);
  }
  if ('hex' in decoded) return readings(iterations, [textBytes(salt), decodeHex(salt)], decoded.hex);
  return readings(iterations, [textBytes(salt), decodeBase64(salt)], decoded.base64);
});

/**
 * `pbkdf2_sha256`: Clerk says salt and hash are both base64. Readings, in order: salt
 * base64-decoded (Clerk's text; Keycloak's `salt`/`value` pair; passlib's
 * `$pbkdf2-sha256$` renamed to this prefix, in adapted base64), then salt as written —
 * Django exports carry this same prefix with a text salt, and are often sent under this
 * name rather than `pbkdf2_sha256_django`.
 */
export const pbkdf2Sha256 = pbkdf2Hasher('sha256', (digest) => {
  const fields = fieldsAfter(digest, 'pbkdf2_sha256', 3);
  if (fields === undefined) return undefined;
  const [iterationsField = '', salt = '', hash = ''] = fields;
  return readings(parseIterations(iterationsField), [decodeBase64(salt), textBytes(salt)], decodeBase64(hash));
});

/**
 * `pbkdf2_sha256_django`: Django's PBKDF2PasswordHasher export,
 * `pbkdf2_sha256$<iter>$<salt text>$<b64 hash>`. One reading: Django hashes the salt's
 * text (`force_bytes(salt)`), never a decoding of it.
 */
export const pbkdf2Sha256Django = pbkdf2Hasher('sha256', (digest) => {
  const fields = fieldsAfter(digest, 'pbkdf2_sha256', 3);
  if (fields === undefined) return undefined;
  const [iterationsField = '', salt = '', hash = ''] = fields;
  return readings(parseIterations(iterationsField), [textBytes(salt)], decodeBase64(hash));
});

/**
 * `pbkdf2_sha512`: Clerk says the salt is an unencoded literal and the hash hex (the
 * shape Node apps write with `pbkdf2Sync(pw, saltText, n, 64, 'sha512').toString('hex')`).
 * A base64 hash is also read: Django projects subclass PBKDF2PasswordHasher with
 * `algorithm = "pbkdf2_sha512"` and export `pbkdf2_sha512$<iter>$<salt text>$<b64>`;
 * for that hash the salt is also tried base64-decoded (passlib's `$pbkdf2-sha512$`
 * renamed to this prefix).
 */
export const pbkdf2Sha512 = pbkdf2Hasher('sha512', (digest) => {
  const fields = fieldsAfter(digest, 'pbkdf2_sha512', 3);
  if (fields === undefined) return undefined;
  const [iterationsField = '', salt = '', hash = ''] = fields;
  const iterations = parseIterations(iterationsField);
  const decoded = decodeHexOrBase64(hash);
  if (decoded === undefined) return undefined;
  if ('hex' in decoded) return readings(iterations, [textBytes(salt)], decoded.hex);
  return readings(iterations, [textBytes(salt), decodeBase64(salt)], decoded.base64);
});

/**
 * `pbkdf2_sha512_hex`: salt and hash both hex, one reading. GRUB's
 * `grub-mkpasswd-pbkdf2` output `grub.pbkdf2.sha512.<iter>.<SALT>.<HASH>` maps onto it
 * field for field.
 */
export const pbkdf2Sha512Hex = pbkdf2Hasher('sha512', (digest) => {
  const fields = fieldsAfter(digest, 'pbkdf2_sha512_hex', 3);
  if (fields === undefined) return undefined;
  const [iterationsField = '', salt = '', hash = ''] = fields;
  return readings(parseIterations(iterationsField), [decodeHex(salt)], decodeHex(hash));
});
