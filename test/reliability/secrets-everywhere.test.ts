import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import argon2 from 'argon2';
import bcryptjs from 'bcryptjs';
import { generate } from 'otplib';
import { rawRequest, type RawResponse } from '../support/raw-http.js';
import { startTestServer, unique, type TestServer } from '../support/server.js';
import { startTokenEndpoint, type TokenEndpoint } from '../support/token-endpoint.js';

/**
 * A broad session through every credential operation, imported digests of several
 * families, OAuth tokens linked through the `/_clerkd` control surface and refreshed against
 * a real token endpoint, two secret keys, and the error paths that carry secrets in the
 * request (wrong types, unknown parameters, bodies that are too large or not JSON, bad
 * Authorization headers). Afterwards no password, digest, TOTP secret, backup code, OAuth
 * token, client secret or secret key appears in any log line or response, except the one
 * response whose job is to hand out an access token (GET …/oauth_access_tokens/{provider}),
 * and that one holds only the current access token (plus the ID token / token secret the
 * spec includes), never a refresh token or a client secret.
 */

const KEYS = ['sk_test_secrets_first_key_0aa1', 'sk_live_secrets_second_key_9ff8'];
const CLIENT = { clientId: 'secrets-client', clientSecret: 'client-secret-never-shown-4471', authMethod: 'client_secret_basic' as const };

let server: TestServer;
let endpoint: TokenEndpoint;
let logs = '';
const responses: { label: string; response: RawResponse; handsOutTokens: boolean }[] = [];
/** Every secret this session hands to clerkd (or the token endpoint hands back). */
const secrets = new Set<string>([...KEYS, CLIENT.clientSecret]);
/** Tokens that may appear in a token-handing response, and only there. */
const handedOut = new Set<string>();

function secret(label: string): string {
  const value = `${label}-${unique('s')}-Zq9`;
  secrets.add(value);
  return value;
}

before(async () => {
  endpoint = await startTokenEndpoint(CLIENT);
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs += chunk.toString();
      done();
    },
  });
  server = await startTestServer(
    {
      CLERKD_SECRET_KEYS: KEYS.join(','),
      CLERKD_LOCKOUT_MAX_ATTEMPTS: '3',
      CLERKD_OAUTH_PROVIDERS: JSON.stringify({ oauth_google: { token_url: endpoint.url, client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret } }),
      CLERKD_BODY_LIMIT_BYTES: '4096',
    },
    { logStream: sink },
  );
});
after(async () => {
  await server.close();
  await endpoint.close();
});

let keyIndex = 0;
async function call(method: string, path: string, body?: unknown, options: { headers?: [string, string][]; rawBody?: string; handsOutTokens?: boolean } = {}): Promise<RawResponse> {
  // Alternate between the two configured keys.
  const key = KEYS[keyIndex++ % KEYS.length]!;
  const headers: [string, string][] = options.headers ?? [['Authorization', `Bearer ${key}`]];
  const payload = options.rawBody ?? (body === undefined ? undefined : JSON.stringify(body));
  if (payload !== undefined) headers.push(['Content-Type', 'application/json']);
  const response = await rawRequest(server.baseUrl, { method, target: path, headers, ...(payload === undefined ? {} : { body: payload }) });
  responses.push({ label: `${method} ${path}`, response, handsOutTokens: options.handsOutTokens ?? false });
  return response;
}

function idOf(response: RawResponse): string {
  assert.ok(response.status === 200, response.text);
  return (response.json as { id: string }).id;
}

test('a broad credential, OAuth and error session runs (the material the checks below scan)', { timeout: 60_000 }, async () => {
  // ---- native passwords, TOTP and backup codes
  const password = secret('Native-pass');
  const totpSecret = 'KRUGS4ZANFZSAYJAONSWG4TFOQQGCYTD';
  secrets.add(totpSecret);
  const plainCodes = [secret('code-a'), secret('code-b'), secret('code-c')];
  const hashedCode = secret('code-d');
  const hashedCodeDigest = await bcryptjs.hash(hashedCode, 4);
  secrets.add(hashedCodeDigest);
  const userId = idOf(
    await call('POST', '/v1/users', {
      email_address: [`${unique('sec')}@example.com`],
      password,
      totp_secret: totpSecret,
      backup_codes: [...plainCodes, hashedCodeDigest],
    }),
  );
  assert.equal((await call('POST', `/v1/users/${userId}/verify_password`, { password })).status, 200);
  assert.equal((await call('POST', `/v1/users/${userId}/verify_password`, { password: `${password}-wrong` })).status, 422);
  assert.equal((await call('POST', `/v1/users/${userId}/verify_totp`, { code: await generate({ secret: totpSecret }) })).status, 200);
  assert.equal((await call('POST', `/v1/users/${userId}/verify_totp`, { code: plainCodes[0] })).status, 200);
  assert.equal((await call('POST', `/v1/users/${userId}/verify_totp`, { code: plainCodes[0] })).status, 422, 'a used code is refused');
  assert.equal((await call('POST', `/v1/users/${userId}/verify_totp`, { code: hashedCode })).status, 200);
  const nextPassword = secret('Changed-pass');
  assert.equal((await call('PATCH', `/v1/users/${userId}`, { password: nextPassword })).status, 200);
  const nextTotp = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
  secrets.add(nextTotp);
  const nextCodes = [secret('next-code-1'), secret('next-code-2')];
  assert.equal((await call('PATCH', `/v1/users/${userId}`, { totp_secret: nextTotp, backup_codes: nextCodes })).status, 200);
  assert.equal((await call('POST', `/v1/users/${userId}/verify_totp`, { code: nextCodes[1] })).status, 200);
  // Lock the user with wrong passwords, then the right one is refused while locked.
  for (let i = 0; i < 3; i++) await call('POST', `/v1/users/${userId}/verify_password`, { password: secret('wrong') });
  assert.equal((await call('POST', `/v1/users/${userId}/verify_password`, { password: nextPassword })).status, 403);
  assert.equal((await call('POST', `/v1/users/${userId}/unlock`)).status, 200);
  assert.equal((await call('DELETE', `/v1/users/${userId}/totp`)).status, 200);
  assert.equal((await call('DELETE', `/v1/users/${userId}/backup_code`)).status, 200);
  assert.equal((await call('DELETE', `/v1/users/${userId}/mfa`)).status, 200);
  assert.equal((await call('POST', `/v1/users/${userId}/remove_password`, {})).status, 200);
  assert.equal((await call('GET', `/v1/users/${userId}`)).status, 200);
  assert.equal((await call('GET', `/v1/users?limit=50`)).status, 200);

  // ---- imported digests, verified (and re-hashed) and refused
  const imported: { hasher: string; password: string; digest: (password: string) => Promise<string> }[] = [
    { hasher: 'bcrypt', password: secret('bcrypt-pass'), digest: (p) => bcryptjs.hash(p, 4) },
    { hasher: 'argon2id', password: secret('argon2-pass'), digest: (p) => argon2.hash(p, { type: argon2.argon2id, memoryCost: 1024, timeCost: 1 }) },
    { hasher: 'md5', password: secret('md5-pass'), digest: async (p) => createHash('md5').update(p).digest('hex') },
    { hasher: 'sha256', password: secret('sha256-pass'), digest: async (p) => createHash('sha256').update(p).digest('hex') },
    { hasher: 'md5_salted', password: secret('md5s-pass'), digest: async (p) => `s4lt$${createHash('md5').update(`s4lt${p}`).digest('hex')}` },
  ];
  for (const { hasher, password: importedPassword, digest } of imported) {
    const passwordDigest = await digest(importedPassword);
    secrets.add(passwordDigest);
    const id = idOf(await call('POST', '/v1/users', { password_digest: passwordDigest, password_hasher: hasher }));
    assert.equal((await call('POST', `/v1/users/${id}/verify_password`, { password: `${importedPassword}x` })).status, 422, hasher);
    assert.equal((await call('POST', `/v1/users/${id}/verify_password`, { password: importedPassword })).status, 200, hasher);
    // Imported digests replace the password on update too.
    assert.equal((await call('PATCH', `/v1/users/${id}`, { password_digest: passwordDigest, password_hasher: hasher })).status, 200, hasher);
  }

  // ---- OAuth tokens through the control surface, read and refreshed
  const accessToken = secret('access');
  const refreshToken = secret('refresh');
  const idToken = secret('idtoken');
  const accountUser = idOf(await call('POST', '/v1/users', { email_address: [`${unique('oauth')}@example.com`] }));
  const account = await call('POST', `/_clerkd/users/${accountUser}/external_accounts`, {
    provider: 'oauth_google',
    provider_user_id: unique('g'),
    access_token: accessToken,
    refresh_token: refreshToken,
    id_token: idToken,
    expires_in: 3600,
  });
  const accountId = idOf(account);
  handedOut.add(accessToken);
  handedOut.add(idToken);
  assert.equal((await call('GET', `/v1/users/${accountUser}/oauth_access_tokens/oauth_google`, undefined, { handsOutTokens: true })).status, 200);
  assert.equal((await call('GET', `/v1/users/${accountUser}/oauth_access_tokens/google?paginated=true`, undefined, { handsOutTokens: true })).status, 200);
  // Expire it: the next read refreshes against the endpoint, which rotates the refresh token.
  const refreshedAccess = secret('access2');
  const rotatedRefresh = secret('refresh2');
  const refreshedId = secret('idtoken2');
  handedOut.add(refreshedAccess);
  handedOut.add(refreshedId);
  endpoint.issue(refreshToken, { access_token: refreshedAccess, refresh_token: rotatedRefresh, id_token: refreshedId, expires_in: 3600 });
  assert.equal((await call('PATCH', `/_clerkd/users/${accountUser}/external_accounts/${accountId}`, { expires_at: Date.now() - 1000 })).status, 200);
  const refreshed = await call('GET', `/v1/users/${accountUser}/oauth_access_tokens/oauth_google`, undefined, { handsOutTokens: true });
  assert.equal(refreshed.status, 200, refreshed.text);
  assert.ok(refreshed.text.includes(refreshedAccess), 'the refreshed token is handed out');
  // A refresh the provider refuses, with an error description that repeats the token.
  const doomedRefresh = secret('refresh3');
  assert.equal((await call('PATCH', `/_clerkd/users/${accountUser}/external_accounts/${accountId}`, { refresh_token: doomedRefresh, access_token: secret('access3'), expires_at: Date.now() - 1000 })).status, 200);
  endpoint.failWith({ status: 400, json: { error: 'invalid_grant', error_description: `refresh token ${doomedRefresh} was revoked; client ${CLIENT.clientSecret}` } });
  assert.equal((await call('GET', `/v1/users/${accountUser}/oauth_access_tokens/oauth_google`, undefined, { handsOutTokens: true })).status, 400);
  endpoint.failWith({ status: 500, text: `upstream crashed holding ${doomedRefresh}` });
  assert.equal((await call('GET', `/v1/users/${accountUser}/oauth_access_tokens/oauth_google`, undefined, { handsOutTokens: true })).status, 400);
  endpoint.failWith(null);
  // OAuth 1.0 token secrets.
  const tokenSecret = secret('oauth1-secret');
  const oauth1Token = secret('oauth1-token');
  handedOut.add(tokenSecret);
  handedOut.add(oauth1Token);
  idOf(await call('POST', `/_clerkd/users/${accountUser}/external_accounts`, { provider: 'oauth_x', provider_user_id: unique('x'), access_token: oauth1Token, token_secret: tokenSecret }));
  assert.equal((await call('GET', `/v1/users/${accountUser}/oauth_access_tokens/oauth_x`, undefined, { handsOutTokens: true })).status, 200);
  assert.equal((await call('GET', `/v1/users/${accountUser}`)).status, 200);
  assert.equal((await call('DELETE', `/v1/users/${accountUser}/external_accounts/${accountId}`)).status, 200);

  // ---- refusals whose request carries a secret
  const carried = secret('Carried-pass');
  const refusals: [string, string, unknown, number][] = [
    ['POST', '/v1/users', { password: 'short' }, 422],
    ['POST', '/v1/users', { password: 'password' }, 422],
    ['POST', '/v1/users', { password: 12345678 }, 422],
    ['POST', '/v1/users', { password: [carried] }, 422],
    ['POST', '/v1/users', { password: { value: carried } }, 422],
    ['POST', '/v1/users', { password: carried, password_digest: 'x', password_hasher: 'bcrypt' }, 422],
    ['POST', '/v1/users', { password_digest: carried, password_hasher: 'bcrypt' }, 422],
    ['POST', '/v1/users', { password_digest: carried, password_hasher: 'argon2id' }, 422],
    ['POST', '/v1/users', { password_digest: carried }, 422],
    ['POST', '/v1/users', { totp_secret: carried }, 422],
    ['POST', '/v1/users', { backup_codes: [`${carried} with spaces`] }, 422],
    // An unknown parameter is named in the answer (as Clerk does), its value never.
    ['POST', '/v1/users', { secret_value: carried }, 422],
    ['POST', '/v1/users', { email_address: [carried], password: carried }, 422],
    ['POST', `/v1/users/${userId}/verify_password`, { password: carried, extra: carried }, 422],
    ['POST', `/v1/users/${userId}/verify_password`, { password: [carried] }, 422],
    ['POST', `/v1/users/${userId}/verify_totp`, { code: carried }, 400],
    ['POST', `/v1/users/user_unknown/verify_password`, { password: carried }, 404],
    ['POST', `/_clerkd/users/${accountUser}/external_accounts`, { provider: 'oauth_google', access_token: carried }, 422],
    ['POST', `/_clerkd/users/${accountUser}/external_accounts`, { provider: 'oauth_google', provider_user_id: 'p', access_token: [carried] }, 422],
    ['POST', `/_clerkd/users/${accountUser}/external_accounts`, { provider: 'oauth_google', provider_user_id: 'p', refresh_token: carried.repeat(700) }, 413],
  ];
  for (const [method, path, body, status] of refusals) {
    const response = await call(method, path, body);
    assert.equal(response.status, status, `${method} ${path} ${JSON.stringify(body).slice(0, 80)}: ${response.text}`);
  }
  assert.equal((await call('POST', '/v1/users', undefined, { rawBody: `{"password":"${carried}",}` })).status, 400);
  assert.equal((await call('POST', '/v1/users', undefined, { rawBody: `{"password":"${carried}","x":${'['.repeat(80)}${']'.repeat(80)}}` })).status, 400);
  assert.equal((await call('POST', '/v1/users', undefined, { rawBody: `{"password":"${carried}${'y'.repeat(5000)}"}` })).status, 413);

  // ---- secret keys where they do not belong
  const badHeaders: [string, string][][] = [
    [['Authorization', `Basic ${Buffer.from(`${KEYS[0]}:`).toString('base64')}`]],
    [['Authorization', KEYS[0]!]],
    [['Authorization', `Bearer ${KEYS[0]}x`]],
    [['Authorization', `Bearer ${KEYS[1]!.toUpperCase()}`]],
    [['Authorization', `Bearer ${KEYS[0]} ${KEYS[1]}`]],
    [['Authorization', `Bearer ${carried}`]],
    [['Cookie', `__session=${KEYS[1]}`]],
  ];
  for (const headers of badHeaders) assert.equal((await call('GET', '/v1/users', undefined, { headers })).status, 401);

  assert.ok(logs.length > 0, 'the server logged the session');
  assert.ok(endpoint.requests.length >= 3, 'the token endpoint was called');
  console.log(`secrets: ${responses.length} responses and ${logs.split('\n').length - 1} log lines scanned for ${secrets.size} secrets`);
});

const DIGEST_SHAPES = [/\$argon2i?d?\$/, /\$2[abxy]\$\d\d\$/, /pbkdf2_sha\d+\$/];

test('no response contains a password, digest, TOTP secret, backup code, client secret, refresh token or secret key', () => {
  assert.ok(responses.length >= 60, `${responses.length} responses`);
  for (const { label, response, handsOutTokens } of responses) {
    for (const value of secrets) {
      if (handsOutTokens && handedOut.has(value)) continue;
      assert.ok(!response.text.includes(value), `${label} (${response.status}) contains ${value}: ${response.text.slice(0, 300)}`);
    }
    for (const shape of DIGEST_SHAPES) assert.doesNotMatch(response.text, shape, label);
  }
});

test('tokens appear only in the responses that hand them out', () => {
  for (const { label, response, handsOutTokens } of responses) {
    if (handsOutTokens) continue;
    for (const token of handedOut) assert.ok(!response.text.includes(token), `${label} contains the token ${token}`);
  }
});

test('no log line contains any secret, token or digest', () => {
  for (const value of [...secrets, ...handedOut]) assert.ok(!logs.includes(value), `the log contains ${value}`);
  for (const shape of DIGEST_SHAPES) assert.doesNotMatch(logs, shape);
  // Not even encoded: the base64 of a secret key (as a Basic header carries it).
  for (const key of KEYS) assert.ok(!logs.includes(Buffer.from(`${key}:`).toString('base64')), 'a Basic-encoded key was logged');
});
