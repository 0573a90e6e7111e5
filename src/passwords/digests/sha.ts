import type { DigestHasher } from './types.js';

// TODO(credentials): implemented by the imported-digests work.
const notImplemented: DigestHasher = { parses: () => false, verify: async () => false };
export const sha256: DigestHasher = notImplemented;
export const sha256Salted: DigestHasher = notImplemented;
export const sha512Symfony: DigestHasher = notImplemented;
export const hmacSha256Utf16B64: DigestHasher = notImplemented;
