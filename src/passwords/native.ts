import argon2 from 'argon2';
import type { Argon2Params } from '../config.js';
import { sharedHashPool, type HashPool } from './hash-pool.js';

/** Hasher name stored for passwords clerkd hashed itself (a PHC string the argon2id digest module verifies). */
export const NATIVE_HASHER = 'argon2id';

/** argon2id of a new password, computed in a hash worker (src/passwords/hash-pool.ts). */
export function hashPassword(password: string, params: Argon2Params, pool: HashPool = sharedHashPool()): Promise<string> {
  return pool.run({ kind: 'hash-argon2id', password, params });
}

/** Imported digests, and our own made with older parameters, are re-hashed after a successful verification. */
export function needsRehash(hasher: string, digest: string, params: Argon2Params): boolean {
  if (hasher !== NATIVE_HASHER) return true;
  try {
    return argon2.needsRehash(digest, { ...params, version: 0x13 });
  } catch {
    return true;
  }
}
