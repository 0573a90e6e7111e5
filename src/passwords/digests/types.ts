/**
 * One imported password format (`password_hasher`), after ory/kratos `hash/`: "is this my
 * format?" and "compare", nothing else. Implementations compare in constant time.
 */
export interface DigestHasher {
  /** Whether `digest` is in this hasher's format; checked when the digest is stored. Cheap. */
  parses(digest: string): boolean;
  /**
   * Whether `password` produces `digest`. Only called with digests that parse. This is the
   * costly part, so clerkd calls it inside a hash worker (src/passwords/hash-pool.ts), never
   * on the event loop: it computes synchronously, except argon2's, which the native binding
   * runs on libuv's threadpool.
   */
  verify(password: string, digest: string): boolean | Promise<boolean>;
  /** False for a format only its origin can check (`verify` throws); such digests are never sent to a worker. */
  verifiable?: false;
}
