import { createHash } from 'node:crypto';
import { equalStrings } from './constant-time.js';
import type { DigestHasher } from './types.js';

/**
 * phpass "portable" hashes (Openwall PasswordHash::crypt_private, as shipped in WordPress's
 * wp-includes/class-phpass.php): `$P$` (WordPress) or `$H$` (phpBB3, same algorithm), one
 * itoa64 character giving log2 of the round count, 8 salt characters, and 22 characters of
 * MD5 checksum: hash = md5(salt . password), then `rounds` times hash = md5(hash . password).
 * Clerk documents only `$P$`; `$H$` differs in nothing but the letter.
 */
const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const PORTABLE = /^\$[PH]\$[./0-9A-Za-z]{31}$/;
/**
 * phpass itself allows 2^7 … 2^30 rounds. WordPress writes 2^13 (PasswordHash(8) adds 5),
 * phpBB 2^11, passlib 2^19; 2^20 md5s take about a second, the most one sign-in may cost.
 */
const MIN_LOG2_ROUNDS = 7;
const MAX_LOG2_ROUNDS = 20;
const SETTING_LENGTH = 12; // `$P$` + rounds character + 8 salt characters

function log2Rounds(digest: string): number {
  return ITOA64.indexOf(digest.charAt(3));
}

function isPortableHash(digest: string): boolean {
  if (!PORTABLE.test(digest)) return false;
  const log2 = log2Rounds(digest);
  return log2 >= MIN_LOG2_ROUNDS && log2 <= MAX_LOG2_ROUNDS;
}

/** phpass's encode64: little-endian 6-bit groups over itoa64, as crypt_private writes the checksum. */
function encode64(input: Uint8Array): string {
  const byteAt = (i: number): number => input[i] ?? 0;
  let output = '';
  let i = 0;
  do {
    let value = byteAt(i++);
    output += ITOA64.charAt(value & 0x3f);
    if (i < input.length) value |= byteAt(i) << 8;
    output += ITOA64.charAt((value >> 6) & 0x3f);
    if (i++ >= input.length) break;
    if (i < input.length) value |= byteAt(i) << 16;
    output += ITOA64.charAt((value >> 12) & 0x3f);
    if (i++ >= input.length) break;
    output += ITOA64.charAt((value >> 18) & 0x3f);
  } while (i < input.length);
  return output;
}

/** crypt_private(password, setting) for a setting that has passed isPortableHash. */
function portableHash(password: Buffer, digest: string): string {
  const setting = digest.slice(0, SETTING_LENGTH);
  const rounds = 2 ** log2Rounds(digest);
  let hash = createHash('md5').update(setting.slice(4), 'latin1').update(password).digest();
  for (let i = 0; i < rounds; i++) hash = createHash('md5').update(hash).update(password).digest();
  return setting + encode64(hash);
}

export const phpass: DigestHasher = {
  parses: isPortableHash,
  verify(password, digest) {
    if (!isPortableHash(digest)) return false;
    return equalStrings(portableHash(Buffer.from(password, 'utf8'), digest), digest);
  },
};

/**
 * `md5_phpass`: Clerk names it but documents no format, and its `phpass` already is the
 * MD5-based portable hash. Read here as a portable hash whose input was the hex MD5 of the
 * password, phpass(md5(password)): how sites moved legacy unsalted-MD5 tables into
 * WordPress/phpBB without the plain passwords, by wrapping each stored MD5 in phpass.
 * Same `$P$`/`$H$` format as phpass. Only the wrapped reading is tried, never plain
 * phpass as well: accepting both would let anyone holding the old MD5 sign in with it.
 */
export const md5Phpass: DigestHasher = {
  parses: isPortableHash,
  verify(password, digest) {
    if (!isPortableHash(digest)) return false;
    const md5Hex = createHash('md5').update(password, 'utf8').digest('hex');
    return equalStrings(portableHash(Buffer.from(md5Hex, 'latin1'), digest), digest);
  },
};
