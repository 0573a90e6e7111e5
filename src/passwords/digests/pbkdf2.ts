import type { DigestHasher } from './types.js';

// TODO(credentials): implemented by the imported-digests work.
const notImplemented: DigestHasher = { parses: () => false, verify: async () => false };
export const pbkdf2Sha1: DigestHasher = notImplemented;
export const pbkdf2Sha256: DigestHasher = notImplemented;
export const pbkdf2Sha256Django: DigestHasher = notImplemented;
export const pbkdf2Sha512: DigestHasher = notImplemented;
export const pbkdf2Sha512Hex: DigestHasher = notImplemented;
