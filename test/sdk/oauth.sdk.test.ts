/**
 * The official @clerk/backend SDK (3.25.0) against a real clerkd for external accounts and
 * OAuth access tokens: accounts are linked through clerkd's control surface (Clerk's API
 * has no such endpoint), then read, refreshed and deleted through the SDK exactly as an app
 * would. Refreshes go to a real token endpoint on loopback.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createClerkClient, type ClerkClient, type OauthAccessToken } from '@clerk/backend';
import { isClerkAPIResponseError } from '@clerk/backend/errors';
import { api, unique, type TestServer } from '../support/server.js';
import { assertMatchesSpec } from '../support/spec-schema.js';
import { startTokenEndpoint, type TokenEndpoint } from '../support/token-endpoint.js';
import type { RecordingProxy } from './recording-proxy.js';
import { startSdkSuite } from './sdk-suite.js';

const CLIENT = { clientId: 'sdk-suite-client', clientSecret: 'sdk-suite-secret', authMethod: 'client_secret_basic' as const };

let server: TestServer;
let endpoint: TokenEndpoint;
let proxy: RecordingProxy;
let clerk: ClerkClient;
let recorded: ClerkClient;
let close: () => Promise<void>;

before(async () => {
  endpoint = await startTokenEndpoint(CLIENT);
  ({ server, proxy, clerk, recorded, close } = await startSdkSuite({
    CLERKD_OAUTH_PROVIDERS: JSON.stringify({ google: { token_url: endpoint.url, client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret } }),
  }));
});

after(async () => {
  await close();
  await endpoint.close();
});

async function createUser(email = `${unique('e')}@example.com`): Promise<string> {
  return (await clerk.users.createUser({ emailAddress: [email] })).id;
}

/** The control surface, as a test or seed script calls it. */
async function link(userId: string, body: Record<string, unknown>): Promise<{ id: string; provider_user_id: string }> {
  const response = await api(server, 'POST', `/_clerkd/users/${userId}/external_accounts`, {
    body: { provider: 'google', provider_user_id: unique('g'), ...body },
  });
  assert.equal(response.status, 200, response.text);
  return response.body as { id: string; provider_user_id: string };
}

async function rejectsWithCode(work: () => Promise<unknown>, status: number, code: string): Promise<void> {
  await assert.rejects(work, (error: unknown) => {
    assert.ok(isClerkAPIResponseError(error), `expected a ClerkAPIResponseError, got ${String(error)}`);
    assert.equal(error.status, status);
    assert.equal(error.errors[0]?.code, code);
    return true;
  });
}

test('getUserOauthAccessToken(userId, "google") resolves to {data, totalCount} of SDK tokens', async () => {
  const userId = await createUser();
  const expiresAt = Date.now() + 3600_000;
  const account = await link(userId, {
    access_token: 'ya29.sdk-live-token',
    id_token: 'eyJhbGciOiJSUzI1NiJ9.sdk.sig',
    expires_at: expiresAt,
    approved_scopes: 'openid email profile',
    label: 'main',
    public_metadata: { source: 'sdk-suite' },
  });

  const { result, exchanges } = await proxy.record(() => recorded.users.getUserOauthAccessToken(userId, 'google'));
  const wire = exchanges.at(-1)!;
  assert.equal(wire.path, `/v1/users/${userId}/oauth_access_tokens/oauth_google`);
  assert.equal(wire.query.get('paginated'), 'true');
  assertMatchesSpec('OAuthAccessToken', (wire.json as { data: unknown }).data);

  assert.equal(result.totalCount, 1);
  const [token] = result.data as OauthAccessToken[];
  assert.equal(token?.externalAccountId, account.id);
  assert.equal(token?.provider, 'oauth_google');
  assert.equal(token?.token, 'ya29.sdk-live-token');
  assert.equal(token?.expiresAt, expiresAt);
  assert.deepEqual(token?.scopes, ['openid', 'email', 'profile']);
  assert.equal(token?.idToken, 'eyJhbGciOiJSUzI1NiJ9.sdk.sig');
  assert.equal(token?.label, 'main');
  assert.deepEqual(token?.publicMetadata, { source: 'sdk-suite' });
  assert.equal(token?.tokenSecret, undefined);

  // The deprecated prefixed form reaches the same endpoint.
  const prefixed = await clerk.users.getUserOauthAccessToken(userId, 'oauth_google');
  assert.equal(prefixed.data[0]?.token, 'ya29.sdk-live-token');
});

test('a user without the provider gets {data: [], totalCount: 0}; an unknown user rejects with 404', async () => {
  const userId = await createUser();
  const empty = await clerk.users.getUserOauthAccessToken(userId, 'google');
  assert.deepEqual(empty.data, []);
  assert.equal(empty.totalCount, 0);
  await rejectsWithCode(() => clerk.users.getUserOauthAccessToken('user_2xhFjEI5X2qWRvtV13BzSj8H6Dk', 'google'), 404, 'resource_not_found');
});

test('through the SDK, an expired token is refreshed, then the rotated refresh token is used for the next refresh', async () => {
  const userId = await createUser();
  const account = await link(userId, { access_token: 'expired-at', refresh_token: 'sdk-rt-1', expires_at: Date.now() - 1000 });
  endpoint.issue('sdk-rt-1', { access_token: 'sdk-at-2', expires_in: 3600, refresh_token: 'sdk-rt-2' });

  const first = await clerk.users.getUserOauthAccessToken(userId, 'google');
  assert.equal(first.data[0]?.token, 'sdk-at-2');
  assert.ok(first.data[0]!.expiresAt! > Date.now() + 3500_000);
  assert.equal((await clerk.users.getUserOauthAccessToken(userId, 'google')).data[0]?.token, 'sdk-at-2', 'stored, not refreshed again');

  const patched = await api(server, 'PATCH', `/_clerkd/users/${userId}/external_accounts/${account.id}`, { body: { expires_at: Date.now() - 1 } });
  assert.equal(patched.status, 200, patched.text);
  endpoint.issue('sdk-rt-2', { access_token: 'sdk-at-3', expires_in: 3600 });
  assert.equal((await clerk.users.getUserOauthAccessToken(userId, 'google')).data[0]?.token, 'sdk-at-3');
  assert.deepEqual(
    endpoint.requests.filter((r) => r.refreshToken?.startsWith('sdk-rt-')).map((r) => r.refreshToken),
    ['sdk-rt-1', 'sdk-rt-2'],
  );
});

test('refresh errors reach the SDK as ClerkAPIResponseErrors with Clerk\'s codes', async () => {
  const noRefresh = await createUser();
  await link(noRefresh, { access_token: 'expired', expires_at: Date.now() - 1000 });
  await rejectsWithCode(() => clerk.users.getUserOauthAccessToken(noRefresh, 'google'), 422, 'oauth_missing_refresh_token');

  const revoked = await createUser();
  await link(revoked, { access_token: 'expired', refresh_token: 'sdk-rt-revoked', expires_at: Date.now() - 1000 });
  await rejectsWithCode(() => clerk.users.getUserOauthAccessToken(revoked, 'google'), 400, 'oauth_token_retrieval_error');

  const unconfigured = await createUser();
  await link(unconfigured, { provider: 'github', access_token: 'expired', refresh_token: 'gh-rt', expires_at: Date.now() - 1000 });
  await rejectsWithCode(() => clerk.users.getUserOauthAccessToken(unconfigured, 'github'), 404, 'oauth_token_provider_not_enabled');
});

test('getUser shows a linked account as an SDK ExternalAccount, and the matching email links to it', async () => {
  const email = `${unique('e')}@example.com`;
  const userId = await createUser(email);
  const account = await link(userId, { email_address: email, first_name: 'Ada', last_name: 'Lovelace', image_url: 'https://example.com/ada.png' });
  const user = await clerk.users.getUser(userId);
  assertMatchesSpec('User', user.raw);
  const [external] = user.externalAccounts;
  assert.equal(external?.id, account.id);
  assert.equal(external?.provider, 'oauth_google');
  assert.equal(external?.providerUserId, account.provider_user_id);
  assert.equal(external?.emailAddress, email);
  assert.equal(external?.firstName, 'Ada');
  assert.equal(external?.imageUrl, 'https://example.com/ada.png');
  assert.equal(external?.verification?.status, 'verified');
  assert.equal(external?.verification?.strategy, 'oauth_google');
  assert.equal(external?.identificationId, user.primaryEmailAddressId);
  assert.deepEqual(user.primaryEmailAddress?.linkedTo.map((link) => ({ id: link.id, type: link.type })), [{ id: account.id, type: 'oauth_google' }]);

  const { data } = await clerk.users.getUserList({ provider: 'oauth_google', providerUserId: [account.provider_user_id] } as Parameters<ClerkClient['users']['getUserList']>[0]);
  assert.deepEqual(data.map((u) => u.id), [userId]);
});

test('deleteUserExternalAccount resolves to a DeletedObject and unlinks the account', async () => {
  const userId = await createUser();
  const account = await link(userId, { access_token: 'to-be-deleted' });
  const { result, exchanges } = await proxy.record(() => recorded.users.deleteUserExternalAccount({ userId, externalAccountId: account.id }));
  assertMatchesSpec('DeletedObject', exchanges.at(-1)!.json);
  assert.equal(result.object, 'external_account');
  assert.equal(result.id, account.id);
  assert.equal(result.deleted, true);

  assert.deepEqual((await clerk.users.getUser(userId)).externalAccounts, []);
  assert.deepEqual((await clerk.users.getUserOauthAccessToken(userId, 'google')).data, []);
  await rejectsWithCode(() => clerk.users.deleteUserExternalAccount({ userId, externalAccountId: account.id }), 404, 'resource_not_found');
});
