import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ConfigError, DEVELOPMENT_SECRET_KEY, loadConfig } from '../../src/config.js';
import { api, startTestServer, TEST_SECRET_KEY, unique, type ApiResponse, type TestServer } from '../support/server.js';
import { assertArrayMatchesSpec, assertMatchesSpec } from '../support/spec-schema.js';
import { assertClerkError } from '../support/clerk-errors.js';
import { PRODUCTION_ENV, PRODUCTION_SECRET_KEY } from '../support/production.js';

/** `Authorization: Bearer <secret key>` on /v1, public images, and which keys the config admits. */

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.close();
});


function bearer(key: string): Record<string, string> {
  return { authorization: `Bearer ${key}` };
}

// ---- the Authorization header ----------------------------------------------------------

test('a request without an Authorization header answers 401 authentication_invalid', async () => {
  const response = await api(server, 'GET', '/v1/users', { anonymous: true });
  assertClerkError(response, 401, 'authentication_invalid');
});

test('an empty Authorization header answers 401 authentication_invalid', async () => {
  const response = await api(server, 'GET', '/v1/users', { headers: { authorization: '' } });
  assertClerkError(response, 401, 'authentication_invalid');
});

test('a Basic Authorization header answers 401 authorization_header_format_invalid', async () => {
  const response = await api(server, 'GET', '/v1/users', { headers: { authorization: 'Basic xyz' } });
  assertClerkError(response, 401, 'authorization_header_format_invalid');
});

test('a Bearer scheme without a key answers 401 authorization_header_format_invalid', async () => {
  const response = await api(server, 'GET', '/v1/users', { headers: { authorization: 'Bearer' } });
  assertClerkError(response, 401, 'authorization_header_format_invalid');
});

test('a bare key without the Bearer scheme answers 401 authorization_header_format_invalid', async () => {
  const response = await api(server, 'GET', '/v1/users', { headers: { authorization: TEST_SECRET_KEY } });
  assertClerkError(response, 401, 'authorization_header_format_invalid');
});

test('a wrong bearer key answers 401 clerk_key_invalid', async () => {
  const response = await api(server, 'GET', '/v1/users', { headers: bearer('sk_test_wrong_key') });
  assertClerkError(response, 401, 'clerk_key_invalid');
});

test('a key that only shares a prefix with the configured key answers 401 clerk_key_invalid', async () => {
  const response = await api(server, 'GET', '/v1/users', { headers: bearer(`${TEST_SECRET_KEY}x`) });
  assertClerkError(response, 401, 'clerk_key_invalid');
});

test('the configured bearer key is accepted', async () => {
  const response = await api(server, 'GET', '/v1/users', { headers: bearer(TEST_SECRET_KEY) });
  assert.equal(response.status, 200, response.text);
  assertArrayMatchesSpec('User', response.body);
});

test('an unauthenticated create is refused before anything is written', async () => {
  const email = `${unique('a')}@example.com`;
  const refused = await api(server, 'POST', '/v1/users', { body: { email_address: [email] }, anonymous: true });
  assertClerkError(refused, 401, 'authentication_invalid');
  const count = await api(server, 'GET', `/v1/users/count?email_address=${encodeURIComponent(email)}`);
  assert.equal(count.status, 200);
  assertMatchesSpec('TotalCount', count.body);
  assert.deepEqual(count.body, { object: 'total_count', total_count: 0 });
});

test('every /v1 route needs the key: DELETE, PATCH and PUT metadata answer 401 without it', async () => {
  const id = 'user_2xhFjEI5X2qWRvtV13BzSj8H6Dk';
  for (const [method, path] of [
    ['DELETE', `/v1/users/${id}`],
    ['PATCH', `/v1/users/${id}`],
    ['PUT', `/v1/users/${id}/metadata`],
    ['GET', `/v1/users/${id}`],
    ['GET', '/v1/users/count'],
  ] as const) {
    const response = await api(server, method, path, { anonymous: true, ...(method === 'GET' || method === 'DELETE' ? {} : { body: {} }) });
    assertClerkError(response, 401, 'authentication_invalid');
  }
});

// ---- several keys -------------------------------------------------------------------

test('with several keys configured, each one is accepted', async (t) => {
  const multi = await startTestServer({ CLERKD_SECRET_KEYS: 'sk_a,sk_b' });
  t.after(() => multi.close());
  for (const key of ['sk_a', 'sk_b']) {
    const response = await api(multi, 'GET', '/v1/users', { headers: bearer(key) });
    assert.equal(response.status, 200, `${key}: ${response.text}`);
    assertArrayMatchesSpec('User', response.body);
  }
});

test('with several keys configured, a key outside the list is refused as clerk_key_invalid', async (t) => {
  const multi = await startTestServer({ CLERKD_SECRET_KEYS: 'sk_a,sk_b' });
  t.after(() => multi.close());
  for (const key of ['sk_c', 'sk_a,sk_b', TEST_SECRET_KEY]) {
    assertClerkError(await api(multi, 'GET', '/v1/users', { headers: bearer(key) }), 401, 'clerk_key_invalid');
  }
});

// ---- public images ---------------------------------------------------------------------

test('the default avatar is served without authentication as image/svg+xml', async () => {
  const response = await api(server, 'GET', '/images/default-avatar.svg', { anonymous: true });
  assert.equal(response.status, 200, response.text);
  assert.equal(response.headers.get('content-type')?.split(';')[0]?.trim(), 'image/svg+xml');
  assert.match(response.text, /^<svg[\s>]/);
});

test("a user's image_url points at an avatar that loads without authentication", async () => {
  const created = await api(server, 'POST', '/v1/users', { body: { email_address: [`${unique('img')}@example.com`] } });
  assert.equal(created.status, 200, created.text);
  assertMatchesSpec('User', created.body);
  const { image_url: imageUrl } = created.body as { image_url: string };
  const path = new URL(imageUrl).pathname;
  assert.equal(path, '/images/default-avatar.svg');
  const image = await api(server, 'GET', path, { anonymous: true });
  assert.equal(image.status, 200);
});

// ---- configuration ----------------------------------------------------------------------

test('production without configured keys refuses to start', () => {
  assert.throws(() => loadConfig({ NODE_ENV: 'production' }), ConfigError);
});

test('production refuses the development key among the configured keys', () => {
  assert.throws(() => loadConfig({ NODE_ENV: 'production', CLERKD_SECRET_KEYS: `${PRODUCTION_SECRET_KEY},${DEVELOPMENT_SECRET_KEY}` }), ConfigError);
});

test('production accepts a configured key that is not the development key', () => {
  const config = loadConfig({ ...PRODUCTION_ENV, CLERKD_DATABASE: ':memory:' });
  assert.deepEqual(config.secretKeys, [PRODUCTION_SECRET_KEY]);
  assert.equal(config.usingDevelopmentKey, false);
});

test('the development key is sk_test_clerkd_development_secret_key', () => {
  assert.equal(DEVELOPMENT_SECRET_KEY, 'sk_test_clerkd_development_secret_key');
});

test('without configured keys in development, the development key is accepted over HTTP', async (t) => {
  const dev = await startTestServer({ CLERKD_SECRET_KEYS: '' });
  t.after(() => dev.close());
  assert.equal(dev.config.usingDevelopmentKey, true);
  const response = await api(dev, 'GET', '/v1/users', { headers: bearer('sk_test_clerkd_development_secret_key') });
  assert.equal(response.status, 200, response.text);
  assertArrayMatchesSpec('User', response.body);
});

test('without configured keys in development, any other key is still refused', async (t) => {
  const dev = await startTestServer({ CLERKD_SECRET_KEYS: '' });
  t.after(() => dev.close());
  assertClerkError(await api(dev, 'GET', '/v1/users', { headers: bearer(TEST_SECRET_KEY) }), 401, 'clerk_key_invalid');
});

test('once keys are configured, the development key is refused', async () => {
  const response = await api(server, 'GET', '/v1/users', { headers: bearer(DEVELOPMENT_SECRET_KEY) });
  assertClerkError(response, 401, 'clerk_key_invalid');
});
