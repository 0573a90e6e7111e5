import type { DigestHasher } from './types.js';

// TODO(credentials): implemented by the imported-digests work.
const notImplemented: DigestHasher = { parses: () => false, verify: async () => false };
export const ldapSsha: DigestHasher = notImplemented;
