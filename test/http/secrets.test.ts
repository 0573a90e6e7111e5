import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import bcryptjs from 'bcryptjs';
import { generate } from 'otplib';
import { api, startTestServer, unique, type ApiResponse, type TestServer } from '../support/server.js';

/**
 * No password, digest, TOTP secret, backup code or secret key ever appears in a response
 * body or a log line, across every credential operation and the errors they raise.
 */

let server: TestServer;
let logs = '';
const responses: ApiResponse[] = [];

const PASSWORD = 'Tr0ub4dor&3-clerkd-secret';
const NEW_PASSWORD = 'another-Secret-pass-91';
const TOTP_SECRET = 'KRUGS4ZANFZSAYJAONSWG4TFOQQGCYTD';
const BACKUP_CODES = ['zulu-4821', 'yankee-7730'];
const IMPORTED_BACKUP_CODE = 'xray-1193';
const IMPORTED_PASSWORD = 'imported-pass-2288';

before(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs += chunk.toString();
      done();
    },
  });
  server = await startTestServer({}, { logStream: sink });
});
after(async () => {
  await server.close();
});

async function call(method: string, path: string, body?: unknown): Promise<ApiResponse> {
  const response = await api(server, method, path, body === undefined ? {} : { body });
  responses.push(response);
  return response;
}

test('a full credential session runs (the material the checks below scan)', async () => {
  const importedDigest = await bcryptjs.hash(IMPORTED_PASSWORD, 4);
  const created = await call('POST', '/v1/users', {
    email_address: [`${unique()}@example.com`],
    password: PASSWORD,
    totp_secret: TOTP_SECRET,
    backup_codes: [...BACKUP_CODES, await bcryptjs.hash(IMPORTED_BACKUP_CODE, 4)],
  });
  assert.equal(created.status, 200);
  const id = (created.body as { id: string }).id;
  const imported = await call('POST', '/v1/users', { password_digest: importedDigest, password_hasher: 'bcrypt' });
  assert.equal(imported.status, 200);
  const importedId = (imported.body as { id: string }).id;

  assert.equal((await call('POST', `/v1/users/${id}/verify_password`, { password: PASSWORD })).status, 200);
  assert.equal((await call('POST', `/v1/users/${id}/verify_password`, { password: `${PASSWORD}x` })).status, 422);
  assert.equal((await call('POST', `/v1/users/${importedId}/verify_password`, { password: IMPORTED_PASSWORD })).status, 200);
  assert.equal((await call('POST', `/v1/users/${id}/verify_totp`, { code: await generate({ secret: TOTP_SECRET }) })).status, 200);
  assert.equal((await call('POST', `/v1/users/${id}/verify_totp`, { code: BACKUP_CODES[0] })).status, 200);
  assert.equal((await call('POST', `/v1/users/${id}/verify_totp`, { code: IMPORTED_BACKUP_CODE })).status, 200);
  assert.equal((await call('PATCH', `/v1/users/${id}`, { password: NEW_PASSWORD })).status, 200);
  // Errors that carry the secret in the request must not echo it.
  assert.equal((await call('PATCH', `/v1/users/${id}`, { password: 'short' })).status, 422);
  assert.equal((await call('POST', '/v1/users', { password: PASSWORD, password_digest: importedDigest, password_hasher: 'bcrypt' })).status, 422);
  assert.equal((await call('POST', '/v1/users', { password_digest: `${importedDigest}!`, password_hasher: 'bcrypt' })).status, 422);
  assert.equal((await call('POST', '/v1/users', { totp_secret: `${TOTP_SECRET}!` })).status, 422);
  assert.equal((await call('POST', `/v1/users/${id}/verify_password`, { password: PASSWORD, extra: PASSWORD })).status, 422);
  assert.equal((await api(server, 'GET', '/v1/users', { headers: { authorization: `Bearer ${PASSWORD}` } })).status, 401);
  assert.ok(logs.length > 0, 'the server logged the session');
});

const SECRETS = [PASSWORD, NEW_PASSWORD, TOTP_SECRET, ...BACKUP_CODES, IMPORTED_BACKUP_CODE, IMPORTED_PASSWORD];

test('no response body contains a password, TOTP secret, backup code or digest', () => {
  assert.ok(responses.length >= 10);
  for (const response of responses) {
    for (const secret of SECRETS) assert.ok(!response.text.includes(secret), `a response contains ${secret}: ${response.text}`);
    assert.doesNotMatch(response.text, /\$argon2|\$2[abxy]\$/);
  }
});

test('no log line contains a password, TOTP secret, backup code, digest or secret key', () => {
  for (const secret of [...SECRETS, server.secretKey]) assert.ok(!logs.includes(secret), `the log contains ${secret}`);
  assert.doesNotMatch(logs, /\$argon2|\$2[abxy]\$/);
});
