import { createCipheriv, scryptSync } from 'node:crypto';
import { equalBytes } from './constant-time.js';
import { decodeCanonicalBase64 } from './encoding.js';
import type { DigestHasher } from './types.js';

/**
 * scrypt-based formats. A digest names its own cost, so the cost is bounded before any
 * work: `parses` is false outside the bounds, and verify re-checks them, so a hostile digest
 * can neither allocate much memory nor burn more than about a second of CPU.
 */

interface ScryptCost {
  N: number;
  r: number;
  p: number;
}

/** scrypt needs 128·N·r bytes for V plus 128·r·p for B; Node refuses above `maxmem` (32 MiB by default). */
function scryptBytes(password: string, salt: Buffer, keylen: number, cost: ScryptCost): Buffer {
  const maxmem = 128 * cost.r * (cost.N + cost.p + 2) + 1024 * 1024;
  return scryptSync(Buffer.from(password, 'utf8'), salt, keylen, { ...cost, maxmem });
}

/**
 * `scrypt_firebase`: `<hash>$<salt>$<signer key>$<salt separator>$<rounds>$<memory cost>`,
 * the first four base64 (Clerk's create-user docs; hash and salt as `firebase auth:export`
 * writes them, the rest from the project's password hash parameters). Firebase's modified
 * scrypt (github.com/firebase/scrypt): key = scrypt(password, salt . separator, N = 2^mem_cost,
 * r = rounds, p = 1); the hash is the signer key AES-256-CTR-encrypted under the key's first
 * 32 bytes with a zero counter block. Rounds 1–8 and mem_cost 1–14 are the ranges Firebase
 * itself accepts, so memory stays at or under 16 MiB.
 */
const FIREBASE_MAX_ROUNDS = 8;
const FIREBASE_MAX_MEM_COST = 14;
const MAX_SIGNER_KEY_BYTES = 256;
const AES_256_KEY_BYTES = 32;

interface FirebaseDigest {
  hash: Buffer;
  salt: Buffer;
  signerKey: Buffer;
  separator: Buffer;
  cost: ScryptCost;
}

function smallInteger(text: string | undefined, max: number): number | undefined {
  if (text === undefined || !/^[1-9][0-9]?$/.test(text)) return undefined;
  const value = Number(text);
  return value <= max ? value : undefined;
}

function parseFirebase(digest: string): FirebaseDigest | undefined {
  const parts = digest.split('$');
  if (parts.length !== 6) return undefined;
  const [hash, salt, signerKey, separator] = parts.slice(0, 4).map((part) => decodeCanonicalBase64(part));
  const rounds = smallInteger(parts[4], FIREBASE_MAX_ROUNDS);
  const memCost = smallInteger(parts[5], FIREBASE_MAX_MEM_COST);
  if (!hash || !salt || !signerKey || !separator || rounds === undefined || memCost === undefined) return undefined;
  // CTR keeps the length, so the hash is exactly as long as the signer key it encrypts.
  if (signerKey.length > MAX_SIGNER_KEY_BYTES || hash.length !== signerKey.length) return undefined;
  return { hash, salt, signerKey, separator, cost: { N: 2 ** memCost, r: rounds, p: 1 } };
}

export const scryptFirebase: DigestHasher = {
  parses: (digest) => parseFirebase(digest) !== undefined,
  verify(password, digest) {
    const parsed = parseFirebase(digest);
    if (!parsed) return false;
    const salt = Buffer.concat([parsed.salt, parsed.separator]);
    const key = scryptBytes(password, salt, AES_256_KEY_BYTES, parsed.cost);
    const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
    const computed = Buffer.concat([cipher.update(parsed.signerKey), cipher.final()]);
    return equalBytes(computed, parsed.hash);
  },
};

/**
 * `scrypt_werkzeug`. Werkzeug ≥ 2.3 writes `scrypt:<N>:<r>:<p>$<salt>$<hex hash>` (and reads
 * `scrypt$<salt>$<hex>` as N=2^15, r=8, p=1): hash = hashlib.scrypt(password, salt, N, r, p),
 * 64 bytes, the salt being the literal salt text. Clerk's docs write the same digest as
 * `$<algorithm args>$<salt>$<hash>` with a base64 hash, so a leading `$` is allowed and the
 * hash may be hex or base64. A hash of hex digits only is read as hex, as Werkzeug writes it
 * (a 64-byte key in base64 always ends in `==`, so the two never collide in practice).
 * Bounds: N a power of two up to 2^20 and below 2^(16·r) (RFC 7914), 128·N·r ≤ 64 MiB (twice
 * Werkzeug's default), and N·r·p ≤ 2^21 (eight times Werkzeug's default work, under a second).
 */
const WERKZEUG = /^\$?scrypt(?::([0-9]{1,8}):([0-9]{1,8}):([0-9]{1,8}))?\$([^$]+)\$([^$]+)$/;
const WERKZEUG_DEFAULT: ScryptCost = { N: 2 ** 15, r: 8, p: 1 };
const MAX_N = 2 ** 20;
const MAX_MEMORY_BYTES = 64 * 1024 * 1024;
const MAX_WORK = 2 ** 21;
const MIN_KEY_BYTES = 16;
const MAX_KEY_BYTES = 64;

function withinBounds({ N, r, p }: ScryptCost): boolean {
  const powerOfTwo = N >= 2 && N <= MAX_N && (N & (N - 1)) === 0;
  // RFC 7914 also requires N < 2^(16·r); OpenSSL refuses anything else.
  const validForR = r >= 1 && Math.log2(N) < 16 * r;
  return powerOfTwo && validForR && p >= 1 && 128 * N * r <= MAX_MEMORY_BYTES && N * r * p <= MAX_WORK;
}

function decodeHash(text: string): Buffer | undefined {
  if (/^(?:[0-9a-fA-F]{2})+$/.test(text)) return Buffer.from(text, 'hex');
  return decodeCanonicalBase64(text);
}

function parseWerkzeug(digest: string): { cost: ScryptCost; salt: Buffer; hash: Buffer } | undefined {
  const match = WERKZEUG.exec(digest);
  if (!match?.[4] || !match[5]) return undefined;
  const cost = match[1] ? { N: Number(match[1]), r: Number(match[2]), p: Number(match[3]) } : WERKZEUG_DEFAULT;
  const hash = decodeHash(match[5]);
  if (!withinBounds(cost) || !hash || hash.length < MIN_KEY_BYTES || hash.length > MAX_KEY_BYTES) return undefined;
  return { cost, salt: Buffer.from(match[4], 'utf8'), hash };
}

export const scryptWerkzeug: DigestHasher = {
  parses: (digest) => parseWerkzeug(digest) !== undefined,
  verify(password, digest) {
    const parsed = parseWerkzeug(digest);
    if (!parsed) return false;
    // scrypt's output is PBKDF2's, so a shorter key is a prefix of the 64-byte one.
    const computed = scryptBytes(password, parsed.salt, parsed.hash.length, parsed.cost);
    return equalBytes(computed, parsed.hash);
  },
};
