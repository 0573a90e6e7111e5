import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { DEVELOPMENT_ENCRYPTION_KEY, parseEncryptionKey, TokenCipher, TokenDecryptionError } from '../../src/oauth/crypto.js';

/** AES-256-GCM for OAuth tokens at rest: format, integrity, binding to row and column, keys. */

const cipher = new TokenCipher(randomBytes(32));
const CONTEXT = 'external_accounts/eac_test/access_token';

test('a token round-trips, and the stored form is v1:<iv>:<tag>:<ciphertext> in base64', () => {
  const stored = cipher.encrypt('ya29.a0-token', CONTEXT);
  const [version, iv, tag, body, ...rest] = stored.split(':');
  assert.equal(version, 'v1');
  assert.equal(Buffer.from(iv!, 'base64').length, 12);
  assert.equal(Buffer.from(tag!, 'base64').length, 16);
  assert.equal(Buffer.from(body!, 'base64').length, 'ya29.a0-token'.length);
  assert.equal(rest.length, 0);
  assert.equal(cipher.decrypt(stored, CONTEXT), 'ya29.a0-token');
});

test('the same token encrypts differently every time (random IV)', () => {
  assert.notEqual(cipher.encrypt('same', CONTEXT), cipher.encrypt('same', CONTEXT));
});

test('unicode and empty-looking tokens survive', () => {
  for (const token of ['ä€😀', ' ', 'a'.repeat(10_000)]) assert.equal(cipher.decrypt(cipher.encrypt(token, CONTEXT), CONTEXT), token);
});

test('a tampered ciphertext, tag or IV does not decrypt', () => {
  const stored = cipher.encrypt('secret-token', CONTEXT);
  const parts = stored.split(':');
  for (const index of [1, 2, 3]) {
    const bytes = Buffer.from(parts[index]!, 'base64');
    bytes[0] = bytes[0]! ^ 1;
    const tampered = parts.map((part, i) => (i === index ? bytes.toString('base64') : part)).join(':');
    assert.throws(() => cipher.decrypt(tampered, CONTEXT), TokenDecryptionError);
  }
});

test('a ciphertext moved to another row or column does not decrypt', () => {
  const stored = cipher.encrypt('secret-token', CONTEXT);
  assert.throws(() => cipher.decrypt(stored, 'external_accounts/eac_other/access_token'), TokenDecryptionError);
  assert.throws(() => cipher.decrypt(stored, 'external_accounts/eac_test/refresh_token'), TokenDecryptionError);
});

test('another key, an unknown version or a malformed value does not decrypt, and the error names no token', () => {
  const stored = cipher.encrypt('secret-token', CONTEXT);
  assert.throws(() => new TokenCipher(randomBytes(32)).decrypt(stored, CONTEXT), (error: Error) => {
    assert.ok(error instanceof TokenDecryptionError);
    assert.ok(!error.message.includes('secret-token'));
    return true;
  });
  assert.throws(() => cipher.decrypt(stored.replace(/^v1:/, 'v2:'), CONTEXT), TokenDecryptionError);
  assert.throws(() => cipher.decrypt('plaintext-token', CONTEXT), TokenDecryptionError);
  assert.throws(() => cipher.decrypt(`${stored}:extra`, CONTEXT), TokenDecryptionError);
});

test('keys are 32 bytes as 64 hex digits or base64 (standard or URL-safe)', () => {
  const key = randomBytes(32);
  assert.deepEqual(parseEncryptionKey(key.toString('hex')), key);
  assert.deepEqual(parseEncryptionKey(key.toString('hex').toUpperCase()), key);
  assert.deepEqual(parseEncryptionKey(key.toString('base64')), key);
  assert.deepEqual(parseEncryptionKey(key.toString('base64url')), key);
  assert.deepEqual(parseEncryptionKey(` ${key.toString('base64')}\n`), key);
  assert.equal(parseEncryptionKey(randomBytes(16).toString('base64')), null);
  assert.equal(parseEncryptionKey(randomBytes(31).toString('hex')), null);
  assert.equal(parseEncryptionKey('not a key!'), null);
  assert.throws(() => new TokenCipher(randomBytes(16)), RangeError);
});

test('the documented development key is a valid key', () => {
  assert.equal(DEVELOPMENT_ENCRYPTION_KEY, 'Y2xlcmtkIGRldmVsb3BtZW50IGtleTogTk9UIFNBRkU=');
  assert.equal(parseEncryptionKey(DEVELOPMENT_ENCRYPTION_KEY)?.length, 32);
});
