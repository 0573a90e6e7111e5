import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * OAuth tokens at rest: AES-256-GCM with a 96-bit random IV per value and a 128-bit tag.
 * A stored value reads `v1:<iv>:<tag>:<ciphertext>`, each part base64; the version prefix
 * lets a later format (or key rotation) sit beside this one. The additional authenticated
 * data names the row and column, so a ciphertext copied into another row or column fails
 * to decrypt instead of handing one account's token to another.
 */

export const ENCRYPTION_KEY_BYTES = 32;

/**
 * Used when `CLERKD_ENCRYPTION_KEY` is unset, so `npm start` works with zero setup. It is
 * public (documented in the README), so tokens encrypted with it are only obscured;
 * NODE_ENV=production refuses it.
 */
export const DEVELOPMENT_ENCRYPTION_KEY = Buffer.from('clerkd development key: NOT SAFE', 'utf8').toString('base64');

const FORMAT_VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * A 32-byte key given as 64 hex digits or as base64 (standard or URL-safe, padding
 * optional); null when the text is neither.
 */
export function parseEncryptionKey(text: string): Buffer | null {
  const value = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) return null;
  const key = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return key.length === ENCRYPTION_KEY_BYTES ? key : null;
}

/** The stored value could not be decrypted: corrupt, moved, or written under another key. */
export class TokenDecryptionError extends Error {
  constructor(readonly context: string) {
    super(`stored OAuth token (${context}) could not be decrypted; was CLERKD_ENCRYPTION_KEY changed?`);
    this.name = 'TokenDecryptionError';
  }
}

export class TokenCipher {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== ENCRYPTION_KEY_BYTES) throw new RangeError(`the token encryption key must be ${ENCRYPTION_KEY_BYTES} bytes`);
    this.key = Buffer.from(key);
  }

  /** CLERKD_ENCRYPTION_KEY itself, for the other secrets derived from it (backup-code MACs). */
  get encryptionKey(): Buffer {
    return this.key;
  }

  /** `context` is bound into the ciphertext (e.g. `eac_…/access_token`); decrypt needs the same. */
  encrypt(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [FORMAT_VERSION, iv.toString('base64'), cipher.getAuthTag().toString('base64'), ciphertext.toString('base64')].join(':');
  }

  decrypt(stored: string, context: string): string {
    const [version, iv, tag, ciphertext, ...rest] = stored.split(':');
    if (version !== FORMAT_VERSION || iv === undefined || tag === undefined || ciphertext === undefined || rest.length > 0) {
      throw new TokenDecryptionError(context);
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'), { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      throw new TokenDecryptionError(context);
    }
  }

  encryptNullable(plaintext: string | null, context: string): string | null {
    return plaintext === null ? null : this.encrypt(plaintext, context);
  }

  decryptNullable(stored: string | null, context: string): string | null {
    return stored === null ? null : this.decrypt(stored, context);
  }
}
