/** Byte-string encodings shared by the digest formats. */

/**
 * The bytes of a standard, padded base64 string, or undefined if it is anything else.
 * Buffer.from(…, 'base64') silently skips bad characters, so a string only counts if it
 * re-encodes to itself. Shared by the base64-carrying formats (sha, ldap, scrypt).
 */
export function decodeCanonicalBase64(text: string): Buffer | undefined {
  if (text === '') return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}

/** Hex of whole bytes, either case (GRUB and passlib write upper case). */
export function decodeHex(field: string): Buffer | undefined {
  return /^(?:[0-9a-fA-F]{2})+$/.test(field) ? Buffer.from(field, 'hex') : undefined;
}
