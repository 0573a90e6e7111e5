/**
 * One imported password format (`password_hasher`), after ory/kratos `hash/`: "is this my
 * format?" and "compare", nothing else. Implementations compare in constant time.
 */
export interface DigestHasher {
  /** Whether `digest` is in this hasher's format; checked when the digest is stored. */
  parses(digest: string): boolean;
  /** Whether `password` produces `digest`. Only called with digests that parse. */
  verify(password: string, digest: string): Promise<boolean>;
}
