import { createHash } from 'node:crypto';
import { equalBytes } from './constant-time.js';
import { decodeCanonicalBase64 } from './encoding.js';
import type { DigestHasher } from './types.js';

/**
 * `ldap_ssha`: an RFC 2307 userPassword value `{SSHA}base64(sha1(password . salt) . salt)`,
 * the OpenLDAP FAQ entry Clerk links to, taken whole with its `{SSHA}` prefix as a directory
 * export holds it. The scheme name is matched case-insensitively, as OpenLDAP does. Unsalted `{SHA}` is refused: Clerk names only
 * `ldap_ssha`. slappasswd writes 4-byte salts, others 8 or 16; any 1 to 64 bytes is accepted.
 */
const SSHA = /^\{SSHA\}(.+)$/i;
const SHA1_BYTES = 20;
const MAX_SALT_BYTES = 64;

function parse(digest: string): { hash: Buffer; salt: Buffer } | undefined {
  const encoded = SSHA.exec(digest)?.[1];
  const bytes = encoded === undefined ? undefined : decodeCanonicalBase64(encoded);
  if (!bytes || bytes.length <= SHA1_BYTES || bytes.length > SHA1_BYTES + MAX_SALT_BYTES) return undefined;
  return { hash: bytes.subarray(0, SHA1_BYTES), salt: bytes.subarray(SHA1_BYTES) };
}

export const ldapSsha: DigestHasher = {
  parses: (digest) => parse(digest) !== undefined,
  verify(password, digest) {
    const parsed = parse(digest);
    if (!parsed) return false;
    const computed = createHash('sha1').update(password, 'utf8').update(parsed.salt).digest();
    return equalBytes(computed, parsed.hash);
  },
};
