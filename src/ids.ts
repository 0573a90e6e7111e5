import { randomBytes } from 'node:crypto';

/**
 * Clerk ids are a prefix plus a KSUID: 4 bytes of seconds since the KSUID epoch and
 * 16 random bytes, base62-encoded to 27 characters, so ids sort by creation second.
 */
const KSUID_EPOCH_SECONDS = 1_400_000_000;
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ENCODED_LENGTH = 27;

export type IdPrefix = 'user' | 'idn' | 'eac' | 'org' | 'orgmem' | 'img';

export function ksuid(nowMs: number = Date.now()): string {
  const bytes = Buffer.alloc(20);
  const seconds = Math.floor(nowMs / 1000) - KSUID_EPOCH_SECONDS;
  bytes.writeUInt32BE(Math.min(Math.max(seconds, 0), 0xffffffff), 0);
  randomBytes(16).copy(bytes, 4);
  let value = BigInt(`0x${bytes.toString('hex')}`);
  let out = '';
  while (value > 0n) {
    out = ALPHABET[Number(value % 62n)] + out;
    value /= 62n;
  }
  return out.padStart(ENCODED_LENGTH, '0');
}

export function newId(prefix: IdPrefix, nowMs?: number): string {
  return `${prefix}_${ksuid(nowMs)}`;
}

export const ID_PATTERN = /^[a-z]+_[0-9A-Za-z]{27}$/;
