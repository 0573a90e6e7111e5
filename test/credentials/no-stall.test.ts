import assert from 'node:assert/strict';
import { pbkdf2Sync, randomBytes, scryptSync } from 'node:crypto';
import { after, before, test } from 'node:test';
import argon2 from 'argon2';
import bcryptjs from 'bcryptjs';
import { sharedHashPool } from '../../src/passwords/hash-pool.js';
import { PNG } from '../support/images.js';
import { api, startTestServer, type TestServer } from '../support/server.js';
import { createUser, errorMeta, getUser, newPassword, outcome, storedRow, verifyPassword, verifyTotp } from './support.js';
import { symfonyDigest } from '../support/symfony-digest.js';

/**
 * No request can stall the server: a verification accepts at most 4,096 password bytes,
 * every costly hash runs off the event loop (so /healthz, reads and image downloads answer
 * while one is still computing: proved by order, never by timing), and a wrong backup code
 * costs no hash at all.
 */

let server: TestServer;

before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.close();
});

const PHPASS_PASSWORD_DIGEST = '$P$BP6IF9YnswpUoUH6KGJW3X8oaJJvo/0'; // WordPress, of "password"

// ---- the password a verification accepts ------------------------------------------------

for (const [label, bytes] of [
  ['4,097 bytes', 4097],
  ['1 MB', 1_000_000],
] as const) {
  test(`verify_password with a ${label} password answers 422 form_password_size_in_bytes_exceeded before comparing, and counts nothing`, async () => {
    const user = await createUser(server, { password_digest: PHPASS_PASSWORD_DIGEST, password_hasher: 'phpass' });
    const started = sharedHashPool().stats().started;
    const response = await verifyPassword(server, user.id, 'p'.repeat(bytes));
    assert.equal(outcome(response), '422 form_password_size_in_bytes_exceeded', response.text);
    assert.equal(errorMeta(response).param_name, 'password');
    assert.match(response.text, /at most 4096 bytes/);
    assert.equal(sharedHashPool().stats().started, started, 'nothing was hashed');
    assert.equal((await getUser(server, user.id)).verification_attempts_remaining, 10);
  });
}

test('a 4,096-byte password (the most a password may have) set with skip_password_checks still verifies', async () => {
  const start = `${newPassword()}-${'é'.repeat(1000)}`;
  const padded = start + 'x'.repeat(4096 - Buffer.byteLength(start));
  assert.equal(Buffer.byteLength(padded), 4096);
  const user = await createUser(server, { password: padded, skip_password_checks: true });
  assert.equal(outcome(await verifyPassword(server, user.id, padded)), '200');
});

// ---- costly hashes run off the event loop -------------------------------------------------


/** Digests that each take a good part of a second to verify (and as long to make here). */
const SLOW_DIGESTS: [string, (password: string) => Promise<string>][] = [
  ['sha512_symfony', async (password) => symfonyDigest(password, 400_000)],
  ['pbkdf2_sha256', async (password) => {
    const salt = randomBytes(8).toString('hex');
    return `pbkdf2_sha256$600000$${salt}$${pbkdf2Sync(password, salt, 600_000, 32, 'sha256').toString('base64')}`;
  }],
  ['bcrypt', async (password) => bcryptjs.hashSync(password, 12)],
  ['scrypt_werkzeug', async (password) => {
    const salt = randomBytes(8).toString('hex');
    return `scrypt:65536:8:4$${salt}$${scryptSync(password, salt, 64, { N: 65536, r: 8, p: 4, maxmem: 256 * 1024 * 1024 }).toString('hex')}`;
  }],
  ['argon2id', (password) => argon2.hash(password, { type: argon2.argon2id, memoryCost: 65536, timeCost: 6, parallelism: 1 })],
];

async function waitForComparisonInFlight(id: string): Promise<void> {
  for (let polls = 0; polls < 2000; polls++) {
    if (storedRow(server, id).verificationsInFlight === 1) return;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  assert.fail('the verification never reserved its comparison');
}

let imagePath: string | undefined;

/** The path of a stored profile image (uploaded once), served from the images directory. */
async function storedImagePath(): Promise<string> {
  if (imagePath !== undefined) return imagePath;
  const owner = await createUser(server, {});
  const form = new FormData();
  form.append('file', new Blob([PNG.bytes], { type: 'image/png' }), 'avatar.png');
  const uploaded = await api(server, 'POST', `/v1/users/${owner.id}/profile_image`, { formData: form });
  assert.equal(uploaded.status, 200, uploaded.text);
  imagePath = new URL((uploaded.body as { image_url: string }).image_url).pathname;
  return imagePath;
}

for (const [hasher, makeDigest] of SLOW_DIGESTS) {
  test(`while a ${hasher} verification computes, /healthz, GET /v1/users/{id} and a profile image answer first`, async () => {
    const image = await storedImagePath();
    const password = newPassword();
    const user = await createUser(server, { password_digest: await makeDigest(password), password_hasher: hasher });

    let verified = false;
    const verification = verifyPassword(server, user.id, password).finally(() => (verified = true));
    await waitForComparisonInFlight(user.id);

    const health = await fetch(`${server.baseUrl}/healthz`);
    assert.equal(health.status, 200);
    assert.equal(verified, false, '/healthz waited for the verification');
    assert.equal((await getUser(server, user.id)).id, user.id);
    assert.equal(verified, false, 'GET /v1/users/{id} waited for the verification');
    const served = await fetch(`${server.baseUrl}${image}`);
    assert.deepEqual(Buffer.from(await served.arrayBuffer()), PNG.bytes);
    assert.equal(verified, false, 'the image download waited for the verification');

    assert.equal(outcome(await verification), '200');
  });
}

// ---- backup codes ------------------------------------------------------------------------

test('a wrong backup code against 100 stored codes costs no hash at all', async () => {
  const codes = Array.from({ length: 100 }, (_, i) => `code-${i}-${randomBytes(6).toString('hex')}`);
  const user = await createUser(server, { backup_codes: codes });
  const started = sharedHashPool().stats().started;
  assert.equal(outcome(await verifyTotp(server, user.id, 'not-one-of-them')), '422 totp_incorrect_code');
  assert.equal(sharedHashPool().stats().started, started);
  assert.equal(outcome(await verifyTotp(server, user.id, codes[57]!)), '200');
  assert.equal(sharedHashPool().stats().started, started);
});

test('bcrypt digests given as backup codes (no plain code known) are checked in the hash pool, one bcrypt each', async () => {
  const plain = ['first-code-1', 'second-code-2', 'third-code-3'];
  const user = await createUser(server, { backup_codes: plain.map((code) => bcryptjs.hashSync(code, 4)) });
  const started = sharedHashPool().stats().started;
  assert.equal(outcome(await verifyTotp(server, user.id, 'not-one-of-them')), '422 totp_incorrect_code');
  assert.equal(sharedHashPool().stats().started - started, 3);
  assert.equal(outcome(await verifyTotp(server, user.id, 'third-code-3')), '200');
});

test('a stored backup code digest given back at create is kept, and on a server with another key it verifies through bcrypt', async () => {
  const source = await createUser(server, { backup_codes: ['kept-code-1'] });
  const digests = JSON.parse(storedRow(server, source.id).backupCodes ?? '[]') as string[];
  const copy = await createUser(server, { backup_codes: digests });
  assert.equal(outcome(await verifyTotp(server, copy.id, 'kept-code-1')), '200');

  const other = await startTestServer({ CLERKD_ENCRYPTION_KEY: randomBytes(32).toString('hex') });
  try {
    const response = await api(other, 'POST', '/v1/users', { body: { email_address: [`k${Date.now()}@example.com`], backup_codes: digests } });
    assert.equal(response.status, 200, response.text);
    const id = (response.body as { id: string }).id;
    assert.equal(outcome(await verifyTotp(other, id, 'wrong-code-1')), '422 totp_incorrect_code');
    assert.equal(outcome(await verifyTotp(other, id, 'kept-code-1')), '200');
  } finally {
    await other.close();
  }
});
