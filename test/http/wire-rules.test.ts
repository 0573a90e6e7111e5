import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { UserJson } from '../../src/schemas/user-response.js';
import { api, startTestServer, unique, type ApiResponse, type TestServer } from '../support/server.js';
import { assertArrayMatchesSpec, assertMatchesSpec } from '../support/spec-schema.js';
import { assertClerkError } from '../support/clerk-errors.js';

/**
 * What the official SDKs need from every response and send in every request
 * (SDK-WIRE-NOTES §4, §8, §9): exact content type, empty and `null` bodies, Clerk errors.
 */

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.close();
});

const JSON_CONTENT_TYPE = { 'content-type': 'application/json' };

async function createUser(): Promise<UserJson> {
  const response = await api(server, 'POST', '/v1/users', { body: { email_address: [`${unique('w')}@example.com`], first_name: 'Wire' } });
  assert.equal(response.status, 200, response.text);
  assertMatchesSpec('User', response.body);
  return response.body as UserJson;
}


// ---- response content type -----------------------------------------------------------

test('a 200 answer has content-type exactly application/json', async () => {
  const user = await createUser();
  const response = await api(server, 'GET', `/v1/users/${user.id}`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'application/json');
  assertMatchesSpec('User', response.body);
});

test('a list answer has content-type exactly application/json', async () => {
  const response = await api(server, 'GET', '/v1/users?limit=1');
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'application/json');
  assertArrayMatchesSpec('User', response.body);
});

test('a 422 answer has content-type exactly application/json', async () => {
  const response = await api(server, 'POST', '/v1/users', { body: { email_address: ['nope'] } });
  assertClerkError(response, 422, 'form_param_format_invalid');
});

test('a 404 for an unknown user has content-type exactly application/json', async () => {
  const response = await api(server, 'GET', '/v1/users/user_2xhFjEI5X2qWRvtV13BzSj8H6Dk');
  assertClerkError(response, 404, 'resource_not_found');
});

test('an unknown route answers 404 resource_not_found in Clerk shape with content-type exactly application/json', async () => {
  const response = await api(server, 'GET', '/v1/no_such_resource');
  assertClerkError(response, 404, 'resource_not_found');
});

test('an unknown route outside /v1 answers 404 resource_not_found in Clerk shape', async () => {
  const response = await api(server, 'GET', '/definitely/not/here', { anonymous: true });
  assertClerkError(response, 404, 'resource_not_found');
});

test('an unsupported method on a known path answers a Clerk-shaped 404, not Fastify’s default body', async () => {
  const response = await api(server, 'PUT', '/v1/users', { body: {} });
  assertClerkError(response, 404, 'resource_not_found');
});

test('every error body carries a non-empty string clerk_trace_id, different per request', async () => {
  const first = await api(server, 'GET', '/v1/users/user_2xhFjEI5X2qWRvtV13BzSj8H6Dk');
  const second = await api(server, 'GET', '/v1/users/user_2xhFjEI5X2qWRvtV13BzSj8H6Dk');
  const traceOf = (response: ApiResponse) => (response.body as { clerk_trace_id?: unknown }).clerk_trace_id;
  for (const response of [first, second]) {
    assert.equal(typeof traceOf(response), 'string');
    assert.notEqual(traceOf(response), '');
  }
  assert.notEqual(traceOf(first), traceOf(second));
});

test('a 401 error body carries a clerk_trace_id too', async () => {
  const response = await api(server, 'GET', '/v1/users', { anonymous: true });
  assertClerkError(response, 401, 'authentication_invalid');
  const trace = (response.body as { clerk_trace_id?: unknown }).clerk_trace_id;
  assert.ok(typeof trace === 'string' && trace.length > 0);
});

// ---- request bodies ------------------------------------------------------------------

test('DELETE with content-type application/json and an empty body works (what @clerk/backend sends)', async () => {
  const user = await createUser();
  const response = await api(server, 'DELETE', `/v1/users/${user.id}`, { rawBody: '', headers: JSON_CONTENT_TYPE });
  assert.equal(response.status, 200, response.text);
  assertMatchesSpec('DeletedObject', response.body);
  assert.deepEqual(response.body, { object: 'user', id: user.id, deleted: true });
});

test('DELETE with content-type application/json and no body at all works', async () => {
  const user = await createUser();
  const response = await api(server, 'DELETE', `/v1/users/${user.id}`, { headers: JSON_CONTENT_TYPE });
  assert.equal(response.status, 200, response.text);
  assertMatchesSpec('DeletedObject', response.body);
});

test('DELETE with the literal body null and content-type application/json works (what the Go SDK sends)', async () => {
  const user = await createUser();
  const response = await api(server, 'DELETE', `/v1/users/${user.id}`, { rawBody: 'null', headers: JSON_CONTENT_TYPE });
  assert.equal(response.status, 200, response.text);
  assertMatchesSpec('DeletedObject', response.body);
});

test('GET with content-type application/json and no body works (what @clerk/backend sends)', async () => {
  const user = await createUser();
  const response = await api(server, 'GET', `/v1/users/${user.id}`, { headers: JSON_CONTENT_TYPE });
  assert.equal(response.status, 200, response.text);
  assertMatchesSpec('User', response.body);
});

test('POST with content-type application/json and an empty body is read as an empty object', async () => {
  const response = await api(server, 'POST', '/v1/users', { rawBody: '', headers: JSON_CONTENT_TYPE });
  assert.equal(response.status, 200, response.text);
  assertMatchesSpec('User', response.body);
});

test('PATCH with the literal body null is an empty update that changes no field', async () => {
  const user = await createUser();
  const response = await api(server, 'PATCH', `/v1/users/${user.id}`, { rawBody: 'null', headers: JSON_CONTENT_TYPE });
  assert.equal(response.status, 200, response.text);
  assertMatchesSpec('User', response.body);
  const { updated_at: _after, ...after } = response.body as UserJson;
  const { updated_at: _before, ...before } = user;
  assert.deepEqual(after, before);
});

test('PATCH with an empty body and content-type application/json is an empty update', async () => {
  const user = await createUser();
  const response = await api(server, 'PATCH', `/v1/users/${user.id}`, { rawBody: '', headers: JSON_CONTENT_TYPE });
  assert.equal(response.status, 200, response.text);
  assertMatchesSpec('User', response.body);
  assert.equal((response.body as UserJson).first_name, 'Wire');
});

test('a body sent as application/json; charset=utf-8 is accepted', async () => {
  const email = `${unique('w')}@example.com`;
  const response = await api(server, 'POST', '/v1/users', {
    rawBody: JSON.stringify({ email_address: [email] }),
    headers: { 'content-type': 'application/json; charset=utf-8' },
  });
  assert.equal(response.status, 200, response.text);
  assertMatchesSpec('User', response.body);
  assert.equal((response.body as UserJson).email_addresses[0]!.email_address, email);
});

test('malformed JSON answers 400 request_body_invalid', async () => {
  const response = await api(server, 'POST', '/v1/users', { rawBody: '{"email_address": [', headers: JSON_CONTENT_TYPE });
  assertClerkError(response, 400, 'request_body_invalid');
});

test('a JSON array body answers 400 request_body_invalid', async () => {
  const response = await api(server, 'POST', '/v1/users', { rawBody: '[{"first_name":"x"}]', headers: JSON_CONTENT_TYPE });
  assertClerkError(response, 400, 'request_body_invalid');
});

test('a JSON string body answers 400 request_body_invalid', async () => {
  const response = await api(server, 'PATCH', '/v1/users/user_2xhFjEI5X2qWRvtV13BzSj8H6Dk', { rawBody: '"hello"', headers: JSON_CONTENT_TYPE });
  assertClerkError(response, 400, 'request_body_invalid');
});

test('a text/plain body on POST /v1/users answers 415 unsupported_content_type', async () => {
  const response = await api(server, 'POST', '/v1/users', { rawBody: 'first_name=Ada', headers: { 'content-type': 'text/plain' } });
  assertClerkError(response, 415, 'unsupported_content_type');
});

test('a form-encoded body on POST /v1/users answers 415 unsupported_content_type', async () => {
  const response = await api(server, 'POST', '/v1/users', {
    rawBody: 'first_name=Ada',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  assertClerkError(response, 415, 'unsupported_content_type');
});

test('a __proto__ key in the body answers 400 request_body_invalid, never 500', async () => {
  const response = await api(server, 'POST', '/v1/users', { rawBody: '{"__proto__":{"x":1}}', headers: JSON_CONTENT_TYPE });
  assertClerkError(response, 400, 'request_body_invalid');
});

test('a constructor.prototype key in the body answers 400 request_body_invalid, never 500', async () => {
  const response = await api(server, 'POST', '/v1/users', { rawBody: '{"constructor":{"prototype":{"x":1}}}', headers: JSON_CONTENT_TYPE });
  assertClerkError(response, 400, 'request_body_invalid');
});

test('a __proto__ key nested in metadata answers 400 request_body_invalid, never 500', async () => {
  const user = await createUser();
  const response = await api(server, 'PUT', `/v1/users/${user.id}/metadata`, {
    rawBody: '{"public_metadata":{"__proto__":{"admin":true}}}',
    headers: JSON_CONTENT_TYPE,
  });
  assertClerkError(response, 400, 'request_body_invalid');
});

test('a deeply nested JSON body answers 400 request_body_invalid, never 500', async () => {
  let nested = '1';
  for (let depth = 0; depth < 5000; depth += 1) nested = `{"a":${nested}}`;
  const response = await api(server, 'POST', '/v1/users', { rawBody: `{"public_metadata":${nested}}`, headers: JSON_CONTENT_TYPE });
  assertClerkError(response, 400, 'request_body_invalid');
});

// ---- paths ---------------------------------------------------------------------------

test('GET /v1/users/ with a trailing slash lists users', async () => {
  await createUser();
  const response = await api(server, 'GET', '/v1/users/');
  assert.equal(response.status, 200, response.text);
  assert.equal(response.headers.get('content-type'), 'application/json');
  assertArrayMatchesSpec('User', response.body);
  assert.ok((response.body as unknown[]).length > 0);
});

test('GET /v1/users/{id}/ with a trailing slash reads the user', async () => {
  const user = await createUser();
  const response = await api(server, 'GET', `/v1/users/${user.id}/`);
  assert.equal(response.status, 200, response.text);
  assertMatchesSpec('User', response.body);
  assert.deepEqual(response.body, user);
});

test('a malformed percent-encoding in the path answers 400 malformed_request_parameters with content-type exactly application/json', async () => {
  const response = await api(server, 'GET', '/v1/users/%E0%A4%A');
  assertClerkError(response, 400, 'malformed_request_parameters');
});

test('a user id longer than the router accepts answers 404 resource_not_found with content-type exactly application/json', async () => {
  const response = await api(server, 'GET', `/v1/users/user_${'a'.repeat(600)}`);
  assertClerkError(response, 404, 'resource_not_found');
});
