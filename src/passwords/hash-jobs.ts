import argon2 from 'argon2';
import bcryptjs from 'bcryptjs';
import type { Argon2Params } from '../config.js';
import type { PasswordHasher } from './hashers.js';
import { DIGEST_HASHERS } from './imported.js';

/**
 * The CPU-heavy work a hash worker does (src/passwords/hash-worker.ts runs these; the pool
 * in src/passwords/hash-pool.ts hands them out). Jobs are plain data, so they cross the
 * thread boundary by structured clone.
 */
export type HashJob =
  | { kind: 'verify-digest'; hasher: PasswordHasher; digest: string; password: string }
  | { kind: 'hash-argon2id'; password: string; params: Argon2Params }
  | { kind: 'hash-bcrypt'; secret: string; cost: number };

export interface HashJobResults {
  'verify-digest': boolean;
  'hash-argon2id': string;
  'hash-bcrypt': string;
}

export async function runHashJob(job: HashJob): Promise<HashJobResults[HashJob['kind']]> {
  switch (job.kind) {
    case 'verify-digest':
      return DIGEST_HASHERS[job.hasher].verify(job.password, job.digest);
    case 'hash-argon2id':
      return argon2.hash(job.password, { type: argon2.argon2id, ...job.params });
    case 'hash-bcrypt':
      return bcryptjs.hashSync(job.secret, job.cost);
  }
}
