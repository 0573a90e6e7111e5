import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { externalAccounts } from '../../src/db/schema.js';
import type { UserJson } from '../../src/schemas/user-response.js';
import { api, startTestServer, unique, type ApiResponse, type TestServer } from '../support/server.js';
import { assertMatchesSpec } from '../support/spec-schema.js';
import { startTokenEndpoint, type TokenEndpoint } from '../support/token-endpoint.js';
import { assertClerkError } from '../support/clerk-errors.js';

/**
 * GET /v1/users/{user_id}/oauth_access_tokens/{provider}: both response shapes, and refresh
 * of expired tokens against real token endpoints on loopback (one authenticating clients
 * with HTTP Basic, one with the secret in the form), with tokens encrypted in the database
 * and absent from every log line.
 */

const GOOGLE = { clientId: 'google-client-id', clientSecret: 'google-client-secret-do-not-log', authMethod: 'client_secret_basic' as const };
const MICROSOFT = { clientId: 'microsoft-client', clientSecret: 'microsoft-secret-do-not-log', authMethod: 'client_secret_post' as const };
const TIMEOUT_MS = 300;

let server: TestServer;
let google: TokenEndpoint;
let microsoft: TokenEndpoint;
let logs = '';
/** Every token and secret a test hands to clerkd or the endpoint hands back: none may be logged. */
const secrets = new Set<string>([GOOGLE.clientSecret, MICROSOFT.clientSecret]);

before(async () => {
  google = await startTokenEndpoint(GOOGLE);
  microsoft = await startTokenEndpoint(MICROSOFT);
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs += chunk.toString();
      done();
    },
  });
  server = await startTestServer(
    {
      CLERKD_OAUTH_PROVIDERS: JSON.stringify({
        oauth_google: { token_url: google.url, client_id: GOOGLE.clientId, client_secret: GOOGLE.clientSecret },
        microsoft: { token_url: microsoft.url, client_id: MICROSOFT.clientId, client_secret: MICROSOFT.clientSecret, auth_method: 'client_secret_post' },
      }),
      CLERKD_OAUTH_REFRESH_TIMEOUT_MS: String(TIMEOUT_MS),
    },
    { logStream: sink },
  );
});

after(async () => {
  await server.close();
  await google.close();
  await microsoft.close();
});

// ---- factories ---------------------------------------------------------------------------

function secret(label: string): string {
  const value = `${label}-${unique('tok')}`;
  secrets.add(value);
  return value;
}

async function createUser(): Promise<string> {
  const response = await api(server, 'POST', '/v1/users', { body: { email_address: [`${unique('e')}@example.com`] } });
  assert.equal(response.status, 200, response.text);
  return (response.body as UserJson).id;
}

interface Linked {
  id: string;
  providerUserId: string;
}

async function link(userId: string, body: Record<string, unknown>): Promise<Linked> {
  const providerUserId = (body.provider_user_id as string | undefined) ?? unique('puid');
  const response = await api(server, 'POST', `/_clerkd/users/${userId}/external_accounts`, {
    body: { provider: 'oauth_google', ...body, provider_user_id: providerUserId },
  });
  assert.equal(response.status, 200, response.text);
  return { id: (response.body as { id: string }).id, providerUserId };
}

async function patchAccount(userId: string, accountId: string, body: Record<string, unknown>): Promise<void> {
  const response = await api(server, 'PATCH', `/_clerkd/users/${userId}/external_accounts/${accountId}`, { body });
  assert.equal(response.status, 200, response.text);
}

async function tokens(userId: string, provider: string, query = ''): Promise<ApiResponse> {
  return api(server, 'GET', `/v1/users/${userId}/oauth_access_tokens/${provider}${query}`);
}

interface TokenJson {
  object: string;
  external_account_id: string;
  provider_user_id: string;
  token: string;
  expires_at: number | null;
  provider: string;
  public_metadata: Record<string, unknown>;
  label: string | null;
  scopes?: string[];
  id_token?: string;
  token_secret?: string;
}

function bareList(response: ApiResponse): TokenJson[] {
  assert.equal(response.status, 200, response.text);
  assertMatchesSpec('OAuthAccessToken', response.body);
  return response.body as TokenJson[];
}

function page(response: ApiResponse): { data: TokenJson[]; total_count: number } {
  assert.equal(response.status, 200, response.text);
  const body = response.body as { data: TokenJson[]; total_count: number };
  assert.deepEqual(Object.keys(body).sort(), ['data', 'total_count']);
  assertMatchesSpec('OAuthAccessToken', body.data);
  return body;
}


function callsWith(endpoint: TokenEndpoint, refreshToken: string): number {
  return endpoint.requests.filter((request) => request.refreshToken === refreshToken).length;
}

function storedRow(accountId: string) {
  const row = server.db.select().from(externalAccounts).where(eq(externalAccounts.id, accountId)).get();
  assert.ok(row, `account ${accountId} is stored`);
  return row;
}

const HOUR_MS = 3600 * 1000;

// ---- shapes --------------------------------------------------------------------------------

test('a live token comes back as a bare array of spec OAuthAccessToken objects without calling the provider', async () => {
  const userId = await createUser();
  const accessToken = secret('at');
  const idToken = secret('idt');
  const expiresAt = Date.now() + HOUR_MS;
  const account = await link(userId, {
    access_token: accessToken,
    refresh_token: secret('rt'),
    id_token: idToken,
    expires_at: expiresAt,
    approved_scopes: 'email  profile openid',
    label: 'work',
    public_metadata: { team: 'blue' },
  });
  const before = google.requests.length;

  const [token, ...rest] = bareList(await tokens(userId, 'oauth_google'));
  assert.equal(rest.length, 0);
  assert.deepEqual(token, {
    object: 'oauth_access_token',
    external_account_id: account.id,
    provider_user_id: account.providerUserId,
    token: accessToken,
    expires_at: expiresAt,
    provider: 'oauth_google',
    public_metadata: { team: 'blue' },
    label: 'work',
    scopes: ['email', 'profile', 'openid'],
    id_token: idToken,
  });
  assert.equal(google.requests.length, before, 'no refresh for a token that has not expired');
});

test('paginated=true wraps the tokens in {data, total_count}, paged by limit and offset', async () => {
  const userId = await createUser();
  const linked: string[] = [];
  for (let i = 0; i < 3; i++) linked.push((await link(userId, { access_token: secret(`at${i}`) })).id);

  const all = page(await tokens(userId, 'oauth_google', '?paginated=true'));
  assert.equal(all.total_count, 3);
  assert.deepEqual(all.data.map((token) => token.external_account_id), linked, 'in the order they were linked');

  const first = page(await tokens(userId, 'oauth_google', '?paginated=true&limit=2'));
  assert.deepEqual(first.data.map((token) => token.external_account_id), linked.slice(0, 2));
  assert.equal(first.total_count, 3);
  const second = page(await tokens(userId, 'oauth_google', '?paginated=true&limit=2&offset=2'));
  assert.deepEqual(second.data.map((token) => token.external_account_id), linked.slice(2));
  assert.equal(second.total_count, 3);

  assert.equal(bareList(await tokens(userId, 'oauth_google', '?limit=1&offset=1'))[0]?.external_account_id, linked[1]);
  assert.equal(bareList(await tokens(userId, 'oauth_google', '?paginated=false')).length, 3);
});

test('the provider may be given without the oauth_ prefix', async () => {
  const userId = await createUser();
  const account = await link(userId, { access_token: secret('at') });
  assert.equal(bareList(await tokens(userId, 'google'))[0]?.external_account_id, account.id);
  assert.equal(page(await tokens(userId, 'google', '?paginated=true')).total_count, 1);
});

test('only the named provider and only tokens without secrets they lack: no id_token or token_secret keys when absent', async () => {
  const userId = await createUser();
  await link(userId, { access_token: secret('google-at') });
  const github = await link(userId, { provider: 'github', access_token: secret('gh-at'), token_secret: secret('gh-ts') });
  const list = bareList(await tokens(userId, 'oauth_github'));
  assert.equal(list.length, 1);
  assert.equal(list[0]?.external_account_id, github.id);
  assert.ok(list[0]?.token_secret?.startsWith('gh-ts-'));
  assert.equal('id_token' in list[0]!, false);
  assert.deepEqual(list[0]?.scopes, []);
  assert.equal(list[0]?.expires_at, null);
  assert.equal(list[0]?.label, null);

  const googleList = bareList(await tokens(userId, 'oauth_google'));
  assert.equal('token_secret' in googleList[0]!, false);
});

test('a user without that provider gets an empty list in both shapes', async () => {
  const userId = await createUser();
  assert.deepEqual(bareList(await tokens(userId, 'oauth_google')), []);
  assert.deepEqual(page(await tokens(userId, 'oauth_google', '?paginated=true')), { data: [], total_count: 0 });
});

test('an unknown user is 404 resource_not_found', async () => {
  assertClerkError(await tokens('user_2xhFjEI5X2qWRvtV13BzSj8H6Dk', 'oauth_google'), 404, 'resource_not_found');
  assertClerkError(await tokens('user_2xhFjEI5X2qWRvtV13BzSj8H6Dk', 'oauth_google', '?paginated=true'), 404, 'resource_not_found');
});

test('the endpoint needs the secret key', async () => {
  const userId = await createUser();
  assertClerkError(await api(server, 'GET', `/v1/users/${userId}/oauth_access_tokens/oauth_google`, { anonymous: true }), 401, 'authentication_invalid');
});

test('limit outside 1..500 is refused', async () => {
  const userId = await createUser();
  assertClerkError(await tokens(userId, 'oauth_google', '?paginated=true&limit=0'), 422, 'form_param_value_invalid');
  assertClerkError(await tokens(userId, 'oauth_google', '?paginated=true&limit=501'), 422, 'form_param_value_invalid');
});

// ---- refresh ---------------------------------------------------------------------------------

test("a provider's absurd expires_in is capped, so the stored expiry stays an exact integer the API can show", async () => {
  const userId = await createUser();
  const refreshToken = secret('rt-absurd');
  await link(userId, { access_token: secret('stale-at'), refresh_token: refreshToken, expires_at: Date.now() - 1000 });
  google.issue(refreshToken, { access_token: secret('fresh-absurd'), expires_in: 1e300 });
  const [token] = bareList(await tokens(userId, 'oauth_google'));
  assert.ok(Number.isSafeInteger(token!.expires_at), `expires_at ${String(token!.expires_at)}`);
  assert.ok(token!.expires_at! > Date.now() + 1000 * 3600 * 24 * 365 * 1000, 'still far in the future');
});

test('an expired token is refreshed with the refresh-token grant and Basic client auth, stored, and not refreshed again', async () => {
  const userId = await createUser();
  const refreshToken = secret('rt');
  const fresh = secret('fresh-at');
  const freshIdToken = secret('fresh-idt');
  const account = await link(userId, {
    access_token: secret('stale-at'),
    refresh_token: refreshToken,
    expires_at: Date.now() - 1000,
    approved_scopes: 'email',
  });
  google.issue(refreshToken, { access_token: fresh, expires_in: 3600, id_token: freshIdToken, scope: 'email profile' });

  const started = Date.now();
  const [token] = bareList(await tokens(userId, 'oauth_google'));
  assert.equal(token?.token, fresh);
  assert.equal(token?.id_token, freshIdToken);
  assert.deepEqual(token?.scopes, ['email', 'profile'], 'the scope the provider granted replaces the stored one');
  assert.ok(token!.expires_at! >= started + HOUR_MS && token!.expires_at! <= Date.now() + HOUR_MS, 'expires_at = now + expires_in');

  const [request, ...others] = google.requests.filter((r) => r.refreshToken === refreshToken);
  assert.equal(others.length, 0);
  assert.equal(request?.method, 'POST');
  assert.match(request?.contentType ?? '', /^application\/x-www-form-urlencoded/);
  assert.equal(request?.grantType, 'refresh_token');
  assert.equal(request?.authMethod, 'client_secret_basic');
  assert.equal(request?.clientId, GOOGLE.clientId);

  // Stored: the next call serves the new token without asking the provider again.
  const [again] = bareList(await tokens(userId, 'oauth_google'));
  assert.equal(again?.token, fresh);
  assert.equal(again?.expires_at, token?.expires_at);
  assert.equal(callsWith(google, refreshToken), 1);
  assert.equal(storedRow(account.id).accessTokenExpiresAt, token?.expires_at);
});

test('a rotated refresh token is stored and used for the next refresh (the old one is revoked by the provider)', async () => {
  const userId = await createUser();
  const first = secret('rt1');
  const rotated = secret('rt2');
  const account = await link(userId, { access_token: secret('at0'), refresh_token: first, expires_at: Date.now() - 1 });
  google.issue(first, { access_token: secret('at1'), expires_in: 3600, refresh_token: rotated });
  const [one] = bareList(await tokens(userId, 'oauth_google'));
  assert.ok(one?.token.startsWith('at1-'));

  // The access token lapses again; only the rotated refresh token is still good.
  await patchAccount(userId, account.id, { expires_at: Date.now() - 1 });
  const third = secret('at2');
  google.issue(rotated, { access_token: third, expires_in: 60 });
  const [two] = bareList(await tokens(userId, 'oauth_google'));
  assert.equal(two?.token, third);
  assert.equal(callsWith(google, first), 1);
  assert.equal(callsWith(google, rotated), 1);
});

test('a provider that sends no refresh token keeps the old one valid', async () => {
  const userId = await createUser();
  const refreshToken = secret('rt');
  const account = await link(userId, { access_token: secret('at'), refresh_token: refreshToken, expires_in: 0 });
  google.issue(refreshToken, { access_token: secret('at-a'), expires_in: '1' });
  bareList(await tokens(userId, 'oauth_google'));
  await patchAccount(userId, account.id, { expires_at: Date.now() - 1 });
  google.issue(refreshToken, { access_token: secret('at-b'), expires_in: 3600 });
  assert.ok(bareList(await tokens(userId, 'oauth_google'))[0]?.token.startsWith('at-b-'));
  assert.equal(callsWith(google, refreshToken), 2);
});

test('an account holding only a refresh token gets its first access token on demand', async () => {
  const userId = await createUser();
  const refreshToken = secret('rt');
  await link(userId, { refresh_token: refreshToken });
  const fresh = secret('at');
  google.issue(refreshToken, { access_token: fresh });
  const [token] = bareList(await tokens(userId, 'oauth_google'));
  assert.equal(token?.token, fresh);
  assert.equal(token?.expires_at, null, 'no expires_in: no known expiry');
});

test('ten concurrent requests for one expired account cause exactly one refresh', async () => {
  const userId = await createUser();
  const refreshToken = secret('rt');
  const fresh = secret('at');
  await link(userId, { access_token: secret('stale'), refresh_token: refreshToken, expires_at: Date.now() - 1 });
  google.issue(refreshToken, { access_token: fresh, expires_in: 3600, refresh_token: secret('rotated') });
  google.delayMs = 150;
  try {
    const responses = await Promise.all(Array.from({ length: 10 }, (_, i) => tokens(userId, 'oauth_google', i % 2 ? '?paginated=true' : '')));
    for (const response of responses) {
      const list = Array.isArray(response.body) ? bareList(response) : page(response).data;
      assert.equal(list[0]?.token, fresh);
    }
  } finally {
    google.delayMs = 0;
  }
  assert.equal(callsWith(google, refreshToken), 1);
});

test('a token expiring within the skew is refreshed before it is handed out', async () => {
  const userId = await createUser();
  const refreshToken = secret('rt');
  await link(userId, { access_token: secret('about-to-expire'), refresh_token: refreshToken, expires_in: 2 });
  google.issue(refreshToken, { access_token: secret('fresh'), expires_in: 3600 });
  assert.ok(bareList(await tokens(userId, 'oauth_google'))[0]?.token.startsWith('fresh-'));
});

test('the client_secret_post method sends the client credentials in the form', async () => {
  const userId = await createUser();
  const refreshToken = secret('rt');
  await link(userId, { provider: 'microsoft', access_token: secret('stale'), refresh_token: refreshToken, expires_at: 0 });
  const fresh = secret('at');
  microsoft.issue(refreshToken, { access_token: fresh, expires_in: 600 });
  assert.equal(bareList(await tokens(userId, 'microsoft'))[0]?.token, fresh);
  const request = microsoft.requests.find((r) => r.refreshToken === refreshToken);
  assert.equal(request?.authMethod, 'client_secret_post');
  assert.equal(request?.clientId, MICROSOFT.clientId);
});

// ---- refresh failures ------------------------------------------------------------------------

test('an expired token without a refresh token is 422 oauth_missing_refresh_token, and the provider is not called', async () => {
  const userId = await createUser();
  const before = google.requests.length;
  await link(userId, { access_token: secret('at'), expires_at: Date.now() - 1000 });
  assertClerkError(await tokens(userId, 'oauth_google'), 422, 'oauth_missing_refresh_token');
  assertClerkError(await tokens(userId, 'google', '?paginated=true'), 422, 'oauth_missing_refresh_token');
  assert.equal(google.requests.length, before);
});

async function expiredGoogleAccount(): Promise<{ userId: string; accountId: string; staleToken: string; refreshToken: string }> {
  const userId = await createUser();
  const staleToken = secret('stale');
  const refreshToken = secret('rt');
  const account = await link(userId, { access_token: staleToken, refresh_token: refreshToken, expires_at: Date.now() - 1000 });
  google.issue(refreshToken, { access_token: secret('never-served'), expires_in: 3600 });
  return { userId, accountId: account.id, staleToken, refreshToken };
}

async function withFailure(failure: Parameters<TokenEndpoint['failWith']>[0], work: () => Promise<void>): Promise<void> {
  google.failWith(failure);
  try {
    await work();
  } finally {
    google.failWith(null);
  }
}

test('a provider answering 400 invalid_grant is 400 oauth_token_retrieval_error, and the stored tokens stay', async () => {
  const { userId, accountId, refreshToken } = await expiredGoogleAccount();
  const before = storedRow(accountId);
  await withFailure({ status: 400, json: { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' } }, async () => {
    assertClerkError(await tokens(userId, 'oauth_google'), 400, 'oauth_token_retrieval_error');
  });
  const after = storedRow(accountId);
  assert.equal(after.accessToken, before.accessToken);
  assert.equal(after.refreshToken, before.refreshToken);
  assert.equal(callsWith(google, refreshToken), 1);
  assert.match(logs, /invalid_grant/, 'the provider error code is logged');
});

test('a provider answering 500 is 400 oauth_token_retrieval_error', async () => {
  const { userId } = await expiredGoogleAccount();
  await withFailure({ status: 500, text: 'upstream exploded' }, async () => {
    assertClerkError(await tokens(userId, 'oauth_google'), 400, 'oauth_token_retrieval_error');
  });
});

test('a 200 that is not JSON, or lacks access_token, is 400 oauth_token_retrieval_error', async () => {
  const { userId } = await expiredGoogleAccount();
  await withFailure({ status: 200, text: '<html>login</html>' }, async () => {
    assertClerkError(await tokens(userId, 'oauth_google'), 400, 'oauth_token_retrieval_error');
  });
  await withFailure({ status: 200, json: { token_type: 'Bearer', expires_in: 3600 } }, async () => {
    assertClerkError(await tokens(userId, 'oauth_google'), 400, 'oauth_token_retrieval_error');
  });
});

test('a provider that never answers is cut off after the configured timeout: 400 oauth_token_retrieval_error', async () => {
  const { userId } = await expiredGoogleAccount();
  await withFailure('hang', async () => {
    const started = Date.now();
    assertClerkError(await tokens(userId, 'oauth_google'), 400, 'oauth_token_retrieval_error');
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= TIMEOUT_MS - 20 && elapsed < TIMEOUT_MS + 2000, `answered after ${elapsed} ms`);
  });
  assert.match(logs, /"reason":"timeout"/);
});

test('concurrent requests share one failing refresh: one provider call, every request gets the error', async () => {
  const { userId, refreshToken } = await expiredGoogleAccount();
  google.delayMs = 100;
  try {
    await withFailure({ status: 503, json: { error: 'temporarily_unavailable' } }, async () => {
      const responses = await Promise.all(Array.from({ length: 5 }, () => tokens(userId, 'oauth_google')));
      for (const response of responses) assertClerkError(response, 400, 'oauth_token_retrieval_error');
    });
  } finally {
    google.delayMs = 0;
  }
  assert.equal(callsWith(google, refreshToken), 1);
  // The failure is not remembered: the next request tries again, and succeeds.
  assert.ok(bareList(await tokens(userId, 'oauth_google'))[0]?.token.startsWith('never-served-'));
  assert.equal(callsWith(google, refreshToken), 2);
});

test('an expired token of a provider without a configured token endpoint is 404 oauth_token_provider_not_enabled', async () => {
  const userId = await createUser();
  await link(userId, { provider: 'github', access_token: secret('at'), refresh_token: secret('rt'), expires_at: Date.now() - 1000 });
  assertClerkError(await tokens(userId, 'github'), 404, 'oauth_token_provider_not_enabled');
  // A live token of the same provider needs no endpoint.
  const other = await createUser();
  await link(other, { provider: 'github', access_token: secret('at'), expires_at: Date.now() + HOUR_MS });
  assert.equal(bareList(await tokens(other, 'github')).length, 1);
});

// ---- at rest and in logs ---------------------------------------------------------------------

test('token columns hold versioned AES-GCM ciphertext, never the plaintext', async () => {
  const userId = await createUser();
  const accessToken = secret('at');
  const refreshToken = secret('rt');
  const idToken = secret('idt');
  const tokenSecret = secret('ts');
  const account = await link(userId, { access_token: accessToken, refresh_token: refreshToken, id_token: idToken, token_secret: tokenSecret });
  const row = storedRow(account.id);
  for (const [column, plaintext] of [
    [row.accessToken, accessToken],
    [row.refreshToken, refreshToken],
    [row.idToken, idToken],
    [row.tokenSecret, tokenSecret],
  ] as const) {
    assert.match(column ?? '', /^v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    assert.ok(!column!.includes(plaintext));
    assert.ok(!Buffer.from(column!.split(':')[3]!, 'base64').toString('latin1').includes(plaintext));
  }
  // And the whole table, after all the refreshes above, holds no token or secret this suite used.
  const dump = JSON.stringify(server.db.select().from(externalAccounts).all());
  for (const value of secrets) assert.ok(!dump.includes(value), `the database holds ${value} in plaintext`);
});

test('no log line contains a token, a refresh token or a client secret', () => {
  assert.ok(logs.includes('OAuth access token refreshed'), 'refreshes were logged');
  assert.ok(secrets.size > 20);
  for (const value of secrets) assert.ok(!logs.includes(value), `a log line contains ${value}`);
});
