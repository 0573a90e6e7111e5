import { timingSafeEqual } from 'node:crypto';

/** Constant-time equality of two byte strings; different lengths are unequal (length is not secret). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Constant-time equality of two strings compared as UTF-8 bytes. */
export function equalStrings(a: string, b: string): boolean {
  return equalBytes(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
