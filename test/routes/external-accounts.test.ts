import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ExternalAccountJson, UserJson } from '../../src/schemas/user-response.js';
import { api, type ApiResponse, startTestServer, type TestServer, unique, uniqueEmail } from '../support/server.js';
import { assertArrayMatchesSpec, assertMatchesSpec } from '../support/spec-schema.js';
import { assertClerkError } from '../support/clerk-errors.js';

/**
 * External accounts: linked through clerkd's control surface (`/_clerkd`, same secret key),
 * shown in the User, found by the provider list filters, and removed by
 * DELETE /v1/users/{user_id}/external_accounts/{external_account_id}.
 */

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.close();
});


async function createUser(body: Record<string, unknown> = {}): Promise<UserJson> {
  const response = await api(server, 'POST', '/v1/users', { body: { email_address: [uniqueEmail()], ...body } });
  assert.equal(response.status, 200, response.text);
  return response.body as UserJson;
}

async function getUser(id: string): Promise<UserJson> {
  const response = await api(server, 'GET', `/v1/users/${id}`);
  assert.equal(response.status, 200, response.text);
  assertMatchesSpec('User', response.body);
  return response.body as UserJson;
}

function linkRequest(userId: string, body: Record<string, unknown>): Promise<ApiResponse> {
  return api(server, 'POST', `/_clerkd/users/${userId}/external_accounts`, { body });
}

async function link(userId: string, body: Record<string, unknown> = {}): Promise<ExternalAccountJson> {
  const response = await linkRequest(userId, { provider: 'oauth_google', provider_user_id: unique('g'), ...body });
  assert.equal(response.status, 200, response.text);
  assertMatchesSpec('ExternalAccountWithVerification', response.body);
  return response.body as ExternalAccountJson;
}

function deleteAccount(userId: string, accountId: string): Promise<ApiResponse> {
  return api(server, 'DELETE', `/v1/users/${userId}/external_accounts/${accountId}`);
}


// ---- control surface: create ----------------------------------------------------------------

test('linking an account returns it in the spec shape with an eac_ id, and google becomes oauth_google', async () => {
  const user = await createUser();
  const providerUserId = unique('g');
  const response = await linkRequest(user.id, {
    provider: 'google',
    provider_user_id: providerUserId,
    email_address: 'Ada.Lovelace@Gmail.com',
    first_name: 'Ada',
    last_name: 'Lovelace',
    image_url: 'https://lh3.googleusercontent.com/a/ada',
    username: 'ada',
    approved_scopes: ['email', 'profile', 'openid'],
    label: 'personal',
    public_metadata: { plan: 'pro' },
  });
  assert.equal(response.status, 200, response.text);
  assertMatchesSpec('ExternalAccountWithVerification', response.body);
  const account = response.body as ExternalAccountJson;
  assert.match(account.id, /^eac_[0-9A-Za-z]{27}$/);
  assert.equal(account.object, 'external_account');
  assert.equal(account.provider, 'oauth_google');
  assert.equal(account.provider_user_id, providerUserId);
  assert.equal(account.email_address, 'ada.lovelace@gmail.com');
  assert.equal(account.approved_scopes, 'email profile openid');
  assert.equal(account.first_name, 'Ada');
  assert.equal(account.image_url, 'https://lh3.googleusercontent.com/a/ada');
  assert.equal(account.username, 'ada');
  assert.equal(account.phone_number, null);
  assert.equal(account.label, 'personal');
  assert.deepEqual(account.public_metadata, { plan: 'pro' });
  assert.deepEqual(account.verification, { object: 'verification_oauth', status: 'verified', strategy: 'oauth_google', attempts: null, expire_at: account.created_at });
  assert.equal(account.identification_id, account.id, 'no email address of the user matches');
});

test('the account appears in the User, and a matching email address links to it', async () => {
  const email = uniqueEmail();
  const user = await createUser({ email_address: [email] });
  const account = await link(user.id, { email_address: email.toUpperCase(), first_name: 'Grace' });
  assert.equal(account.identification_id, user.email_addresses[0]!.id);

  const fetched = await getUser(user.id);
  assert.equal(fetched.external_accounts.length, 1);
  assert.deepEqual(fetched.external_accounts[0], account);
  assert.deepEqual(fetched.email_addresses[0]!.linked_to, [{ type: 'oauth_google', id: account.id }]);
  assert.ok(fetched.updated_at >= user.updated_at);
});

test('an account with no profile fields gets the spec defaults', async () => {
  const user = await createUser();
  const account = await link(user.id);
  assert.equal(account.email_address, '');
  assert.equal(account.first_name, '');
  assert.equal(account.last_name, '');
  assert.equal(account.approved_scopes, '');
  assert.equal(account.image_url, null);
  assert.equal(account.label, null);
  assert.deepEqual(account.public_metadata, {});
});

test('the response never carries a token', async () => {
  const user = await createUser();
  const tokens = ['at-never-echoed', 'rt-never-echoed', 'idt-never-echoed', 'ts-never-echoed'];
  const response = await linkRequest(user.id, {
    provider: 'oauth_google',
    provider_user_id: unique('g'),
    access_token: tokens[0],
    refresh_token: tokens[1],
    id_token: tokens[2],
    token_secret: tokens[3],
    expires_in: 3600,
  });
  assert.equal(response.status, 200, response.text);
  const userText = (await api(server, 'GET', `/v1/users/${user.id}`)).text;
  for (const token of tokens) {
    assert.ok(!response.text.includes(token));
    assert.ok(!userText.includes(token));
  }
});

test('the provider list filters find the user by provider and provider_user_id, with or without the prefix', async () => {
  const user = await createUser();
  const account = await link(user.id);
  await link((await createUser()).id, { provider: 'github', provider_user_id: account.provider_user_id });

  for (const provider of ['oauth_google', 'google']) {
    const query = `provider=${provider}&provider_user_id=${account.provider_user_id}`;
    const list = await api(server, 'GET', `/v1/users?${query}`);
    assert.equal(list.status, 200, list.text);
    assertArrayMatchesSpec('User', list.body);
    assert.deepEqual((list.body as UserJson[]).map((u) => u.id), [user.id]);
    const count = await api(server, 'GET', `/v1/users/count?${query}`);
    assert.deepEqual(count.body, { object: 'total_count', total_count: 1 });
  }
  const none = await api(server, 'GET', `/v1/users?provider=oauth_google&provider_user_id=${unique('nobody')}`);
  assert.deepEqual(none.body, []);
});

test('a second account with the same provider and provider_user_id is 422 form_identifier_exists, for any user', async () => {
  const user = await createUser();
  const account = await link(user.id);
  assertClerkError(await linkRequest(user.id, { provider: 'oauth_google', provider_user_id: account.provider_user_id }), 422, 'form_identifier_exists', 'provider_user_id');
  const other = await createUser();
  assertClerkError(await linkRequest(other.id, { provider: 'google', provider_user_id: account.provider_user_id }), 422, 'form_identifier_exists', 'provider_user_id');
  assert.equal((await getUser(other.id)).external_accounts.length, 0);
  // Another provider may use the same id.
  await link(other.id, { provider: 'oauth_github', provider_user_id: account.provider_user_id });
});

test('concurrent links of one identity: exactly one wins, the rest are 422', async () => {
  const user = await createUser();
  const providerUserId = unique('race');
  const responses = await Promise.all(Array.from({ length: 8 }, () => linkRequest(user.id, { provider: 'oauth_google', provider_user_id: providerUserId })));
  assert.equal(responses.filter((r) => r.status === 200).length, 1);
  for (const response of responses.filter((r) => r.status !== 200)) assertClerkError(response, 422, 'form_identifier_exists');
});

test('linking to an unknown user is 404 resource_not_found', async () => {
  assertClerkError(await linkRequest('user_2xhFjEI5X2qWRvtV13BzSj8H6Dk', { provider: 'oauth_google', provider_user_id: unique('g') }), 404, 'resource_not_found');
});

test('bad bodies are Clerk 422s naming the parameter', async () => {
  const user = await createUser();
  const base = { provider: 'oauth_google', provider_user_id: unique('g') };
  assertClerkError(await linkRequest(user.id, { provider_user_id: unique('g') }), 422, 'form_param_missing', 'provider');
  assertClerkError(await linkRequest(user.id, { provider: 'oauth_google' }), 422, 'form_param_missing', 'provider_user_id');
  assertClerkError(await linkRequest(user.id, { ...base, provider: 'Google!' }), 422, 'form_param_format_invalid', 'provider');
  assertClerkError(await linkRequest(user.id, { ...base, email_address: 'not-an-email' }), 422, 'form_param_format_invalid', 'email_address');
  assertClerkError(await linkRequest(user.id, { ...base, image_url: 'javascript:alert(1)' }), 422, 'form_param_format_invalid', 'image_url');
  assertClerkError(await linkRequest(user.id, { ...base, phone_number: '12' }), 422, 'form_param_format_invalid', 'phone_number');
  assertClerkError(await linkRequest(user.id, { ...base, expires_at: Date.now(), expires_in: 60 }), 422, 'form_conditional_param_disallowed', 'expires_in');
  assertClerkError(await linkRequest(user.id, { ...base, expires_in: -1 }), 422, 'form_param_value_invalid', 'expires_in');
  assertClerkError(await linkRequest(user.id, { ...base, access_token: 42 }), 422, 'form_param_type_invalid', 'access_token');
  assertClerkError(await linkRequest(user.id, { ...base, favourite_colour: 'blue' }), 422, 'form_param_unknown', 'favourite_colour');
  assert.equal((await getUser(user.id)).external_accounts.length, 0);
});

test('the control surface needs the secret key', async () => {
  const user = await createUser();
  const body = { provider: 'oauth_google', provider_user_id: unique('g') };
  assertClerkError(await api(server, 'POST', `/_clerkd/users/${user.id}/external_accounts`, { body, anonymous: true }), 401, 'authentication_invalid');
  const wrong = await api(server, 'POST', `/_clerkd/users/${user.id}/external_accounts`, { body, headers: { authorization: 'Bearer sk_test_wrong' } });
  assertClerkError(wrong, 401, 'clerk_key_invalid');
  assert.equal((await getUser(user.id)).external_accounts.length, 0);
});

// ---- control surface: update ----------------------------------------------------------------

test('PATCH changes only the fields given; null clears', async () => {
  const user = await createUser();
  const account = await link(user.id, { first_name: 'Ada', label: 'work', approved_scopes: 'email', public_metadata: { a: 1 } });
  const response = await api(server, 'PATCH', `/_clerkd/users/${user.id}/external_accounts/${account.id}`, {
    body: { label: null, approved_scopes: 'email profile', access_token: 'new-at', expires_in: 60 },
  });
  assert.equal(response.status, 200, response.text);
  assertMatchesSpec('ExternalAccountWithVerification', response.body);
  const updated = response.body as ExternalAccountJson;
  assert.equal(updated.id, account.id);
  assert.equal(updated.first_name, 'Ada');
  assert.equal(updated.label, null);
  assert.equal(updated.approved_scopes, 'email profile');
  assert.deepEqual(updated.public_metadata, { a: 1 });
  assert.ok(updated.updated_at >= account.updated_at);
  assert.ok(!response.text.includes('new-at'));
});

test('PATCH cannot change the identity, and an unknown or foreign account is 404', async () => {
  const user = await createUser();
  const account = await link(user.id);
  const path = `/_clerkd/users/${user.id}/external_accounts/${account.id}`;
  assertClerkError(await api(server, 'PATCH', path, { body: { provider_user_id: 'x' } }), 422, 'form_param_unknown', 'provider_user_id');
  assertClerkError(await api(server, 'PATCH', `/_clerkd/users/${user.id}/external_accounts/eac_2xhFjEI5X2qWRvtV13BzSj8H6Dk`, { body: { label: 'x' } }), 404, 'resource_not_found');
  const other = await createUser();
  assertClerkError(await api(server, 'PATCH', `/_clerkd/users/${other.id}/external_accounts/${account.id}`, { body: { label: 'x' } }), 404, 'resource_not_found');
});

// ---- DELETE /v1 -------------------------------------------------------------------------------

test('DELETE removes the account and answers the spec DeletedObject', async () => {
  const email = uniqueEmail();
  const user = await createUser({ email_address: [email] });
  const kept = await link(user.id, { provider: 'github' });
  const account = await link(user.id, { email_address: email });
  const response = await deleteAccount(user.id, account.id);
  assert.equal(response.status, 200, response.text);
  assertMatchesSpec('DeletedObject', response.body);
  assert.deepEqual(response.body, { object: 'external_account', id: account.id, deleted: true });

  const after = await getUser(user.id);
  assert.deepEqual(after.external_accounts.map((a) => a.id), [kept.id]);
  assert.deepEqual(after.email_addresses[0]!.linked_to, []);
  assertClerkError(await deleteAccount(user.id, account.id), 404, 'resource_not_found');
  // The identity is free again.
  await link(user.id, { provider_user_id: account.provider_user_id });
});

test('DELETE of an unknown account, an unknown user, or another user\'s account is 404 and removes nothing', async () => {
  const owner = await createUser();
  const account = await link(owner.id);
  const other = await createUser();
  assertClerkError(await deleteAccount(other.id, account.id), 404, 'resource_not_found');
  assertClerkError(await deleteAccount(owner.id, 'eac_2xhFjEI5X2qWRvtV13BzSj8H6Dk'), 404, 'resource_not_found');
  assertClerkError(await deleteAccount('user_2xhFjEI5X2qWRvtV13BzSj8H6Dk', account.id), 404, 'resource_not_found');
  assert.equal((await getUser(owner.id)).external_accounts.length, 1);
});

test('deleting the user removes its accounts and frees their identities', async () => {
  const user = await createUser();
  const account = await link(user.id);
  assert.equal((await api(server, 'DELETE', `/v1/users/${user.id}`)).status, 200);
  const other = await createUser();
  await link(other.id, { provider_user_id: account.provider_user_id });
});
