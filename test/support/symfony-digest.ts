import { createHash, randomBytes } from 'node:crypto';

/**
 * A `sha512_symfony` digest as Symfony's MessageDigestPasswordHasher('sha512', true, N)
 * makes it (salted, N rounds). The round count sets how long a verification takes, which
 * the load script and the non-blocking tests rely on.
 */
export function symfonyDigest(password: string, iterations: number): string {
  const salt = randomBytes(8).toString('hex');
  const merged = Buffer.from(`${password}{${salt}}`);
  let digest = createHash('sha512').update(merged).digest();
  for (let i = 1; i < iterations; i++) digest = createHash('sha512').update(digest).update(merged).digest();
  return `sha512_symfony$${iterations}$${salt}$${digest.toString('base64')}`;
}
