import { verify as argon2Verify } from 'argon2';
import type { DigestHasher } from './types.js';

/*
 * Argon2 PHC strings: `$argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>`, salt
 * and hash in unpadded standard base64, as written by the reference `argon2` CLI,
 * argon2-cffi, PHP's password_hash and libsodium. `v=16` is Argon2 1.0; a string with no
 * `v=` predates the version field and also means 1.0 (the reference library's decoder
 * defaults to 0x10, and so does the `argon2` package's verify).
 *
 * Parameter fields are checked here so that a stored digest can neither fail later inside
 * the native binding nor ask it for absurd work. Parameters beyond m, t, p (`keyid`,
 * `data`) are refused: no exporter we know writes them. Salt and hash are checked for
 * alphabet and length only; the binding decodes them.
 */

const PHC = /^\$(argon2i|argon2id)(?:\$v=(16|19))?\$([^$]*)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

// Memory × passes is capped at libsodium's most expensive preset (argon2id SENSITIVE:
// 1 GiB × 4 passes; argon2i SENSITIVE: 512 MiB × 8), which no web login exceeds. Lanes
// stop at 255 (Go's x/crypto takes a uint8). Argon2 itself requires m ≥ 8·p KiB and a salt
// of at least 8 bytes; tags under 16 bytes come from no exporter we know.
const MAX_MEMORY_KIB = 1 << 20;
const MAX_MEMORY_TIMES_PASSES = 1 << 22;
const MAX_LANES = 255;
const MIN_SALT_BYTES = 8;
const MIN_HASH_BYTES = 16;
const MAX_FIELD_BYTES = 1024;

/** Bytes encoded by unpadded base64 of this length, or undefined if no length encodes to it. */
function base64Bytes(field: string): number | undefined {
  return field.length % 4 === 1 ? undefined : Math.floor((field.length * 3) / 4);
}

/**
 * `m`, `t` and `p`, each exactly once and in any order: the reference CLI, PHP and
 * argon2-cffi write `m=…,t=…,p=…`, while the `argon2` npm package (and so clerkd's own
 * native digests) writes `m=…,p=…,t=…`.
 */
function parseParams(field: string): { m: number; t: number; p: number } | undefined {
  const params = new Map<string, number>();
  for (const param of field.split(',')) {
    const match = /^([mtp])=([1-9][0-9]{0,7})$/.exec(param);
    if (match === null || params.has(match[1] ?? '')) return undefined;
    params.set(match[1] ?? '', Number(match[2]));
  }
  const [m, t, p] = [params.get('m'), params.get('t'), params.get('p')];
  return m === undefined || t === undefined || p === undefined ? undefined : { m, t, p };
}

function parsesAs(variant: 'argon2i' | 'argon2id', digest: string): boolean {
  const match = PHC.exec(digest);
  if (match === null || match[1] !== variant) return false;
  const params = parseParams(match[3] ?? '');
  if (params === undefined) return false;
  const { m: memory, t: passes, p: lanes } = params;
  const saltBytes = base64Bytes(match[4] ?? '');
  const hashBytes = base64Bytes(match[5] ?? '');
  return (
    lanes <= MAX_LANES &&
    memory >= 8 * lanes &&
    memory <= MAX_MEMORY_KIB &&
    memory * passes <= MAX_MEMORY_TIMES_PASSES &&
    saltBytes !== undefined &&
    saltBytes >= MIN_SALT_BYTES &&
    saltBytes <= MAX_FIELD_BYTES &&
    hashBytes !== undefined &&
    hashBytes >= MIN_HASH_BYTES &&
    hashBytes <= MAX_FIELD_BYTES
  );
}

function argon2Hasher(variant: 'argon2i' | 'argon2id'): DigestHasher {
  return {
    parses: (digest) => parsesAs(variant, digest),
    // The package's verify re-derives with the digest's own parameters and compares with
    // crypto.timingSafeEqual, so the comparison is constant-time.
    verify: async (password, digest) => parsesAs(variant, digest) && argon2Verify(digest, password),
  };
}

export const argon2i = argon2Hasher('argon2i');
export const argon2id = argon2Hasher('argon2id');
