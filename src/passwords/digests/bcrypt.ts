import type { DigestHasher } from './types.js';

// TODO(credentials): implemented by the imported-digests work.
const notImplemented: DigestHasher = { parses: () => false, verify: async () => false };
export const bcrypt: DigestHasher = notImplemented;
export const bcryptPeppered: DigestHasher = notImplemented;
export const bcryptSha256Django: DigestHasher = notImplemented;
