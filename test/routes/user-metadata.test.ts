import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import type { UserJson } from '../../src/schemas/user-response.js';
import { api, startTestServer, unique, type ApiResponse, type TestServer } from '../support/server.js';
import { assertMatchesSpec } from '../support/spec-schema.js';
import { assertClerkError } from '../support/clerk-errors.js';

/** PUT /v1/users/{id}/metadata (ReplaceUserMetadata): each given field replaces wholesale. */

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.close();
});

const FIELDS = ['public_metadata', 'private_metadata', 'unsafe_metadata'] as const;

const STARTING_METADATA = {
  public_metadata: { plan: 'pro', nested: { keep: 1 } },
  private_metadata: { stripeId: 'cus_1', flags: ['a'] },
  unsafe_metadata: { theme: 'dark' },
};

async function createUser(body: Record<string, unknown> = STARTING_METADATA): Promise<UserJson> {
  const response = await api(server, 'POST', '/v1/users', { body: { email_address: [`${unique('m')}@example.com`], ...body } });
  assert.equal(response.status, 200, response.text);
  assertMatchesSpec('User', response.body);
  return response.body as UserJson;
}

async function getUser(id: string): Promise<UserJson> {
  const response = await api(server, 'GET', `/v1/users/${id}`);
  assert.equal(response.status, 200, response.text);
  return response.body as UserJson;
}

async function replaceMetadata(id: string, body: unknown): Promise<UserJson> {
  const response = await api(server, 'PUT', `/v1/users/${id}/metadata`, { body });
  assert.equal(response.status, 200, response.text);
  assert.equal(response.headers.get('content-type'), 'application/json');
  assertMatchesSpec('User', response.body);
  return response.body as UserJson;
}


function metadataOf(user: UserJson): Pick<UserJson, (typeof FIELDS)[number]> {
  return { public_metadata: user.public_metadata, private_metadata: user.private_metadata, unsafe_metadata: user.unsafe_metadata };
}

for (const field of FIELDS) {
  test(`PUT replaces ${field} wholesale instead of merging into it`, async () => {
    const user = await createUser();
    const replacement = { fresh: { camelCaseKey: true, list: [1, 2] } };
    const updated = await replaceMetadata(user.id, { [field]: replacement });
    assert.deepEqual(updated[field], replacement);
    assert.deepEqual((await getUser(user.id))[field], replacement);
  });

  test(`PUT leaves the other metadata fields unchanged when only ${field} is given`, async () => {
    const user = await createUser();
    const updated = await replaceMetadata(user.id, { [field]: { only: 'this' } });
    for (const other of FIELDS.filter((name) => name !== field)) assert.deepEqual(updated[other], STARTING_METADATA[other]);
  });

  test(`PUT with ${field}: {} clears it`, async () => {
    const user = await createUser();
    const updated = await replaceMetadata(user.id, { [field]: {} });
    assert.deepEqual(updated[field], {});
  });

  test(`PUT with ${field}: null clears it`, async () => {
    const user = await createUser();
    const updated = await replaceMetadata(user.id, { [field]: null });
    assert.deepEqual(updated[field], {});
  });
}

test('PUT with all three fields replaces all three', async () => {
  const user = await createUser();
  const replacement = { public_metadata: { p: 1 }, private_metadata: { q: 2 }, unsafe_metadata: { r: 3 } };
  const updated = await replaceMetadata(user.id, replacement);
  assert.deepEqual(metadataOf(updated), replacement);
});

test('PUT with an empty body changes no metadata', async () => {
  const user = await createUser();
  const updated = await replaceMetadata(user.id, {});
  assert.deepEqual(metadataOf(updated), STARTING_METADATA);
});

test('PUT keeps nested keys exactly as sent, case and nulls included', async () => {
  const user = await createUser();
  const replacement = { fooBar: { bazQux: { deeper_key: null, 'Mixed Case': [{ aB: 1 }] } } };
  const updated = await replaceMetadata(user.id, { public_metadata: replacement });
  assert.deepEqual(updated.public_metadata, replacement);
});

test('PUT moves updated_at forward and leaves the rest of the user alone', async () => {
  const user = await createUser();
  await sleep(5);
  const updated = await replaceMetadata(user.id, { public_metadata: { later: true } });
  assert.ok(updated.updated_at > user.updated_at);
  const { public_metadata: _a, updated_at: _b, ...restAfter } = updated;
  const { public_metadata: _c, updated_at: _d, ...restBefore } = user;
  assert.deepEqual(restAfter, restBefore);
});

for (const [label, value] of [
  ['a string', 'not an object'],
  ['an array', [{ a: 1 }]],
  ['a number', 42],
  ['a boolean', true],
] as const) {
  test(`PUT with ${label} as public_metadata is refused as form_param_type_invalid and changes nothing`, async () => {
    const user = await createUser();
    const response = await api(server, 'PUT', `/v1/users/${user.id}/metadata`, { body: { public_metadata: value, private_metadata: { changed: true } } });
    assertClerkError(response, 422, 'form_param_type_invalid', 'public_metadata');
    assert.deepEqual(await getUser(user.id), user);
  });
}

test('PUT with an unknown key is refused as form_param_unknown and changes nothing', async () => {
  const user = await createUser();
  const response = await api(server, 'PUT', `/v1/users/${user.id}/metadata`, { body: { public_metadata: { x: 1 }, secret_metadata: { y: 2 } } });
  assertClerkError(response, 422, 'form_param_unknown', 'secret_metadata');
  assert.deepEqual(await getUser(user.id), user);
});

test('PUT on an unknown user answers 404 resource_not_found', async () => {
  const response = await api(server, 'PUT', '/v1/users/user_2xhFjEI5X2qWRvtV13BzSj8H6Dk/metadata', { body: { public_metadata: {} } });
  assertClerkError(response, 404, 'resource_not_found');
});
