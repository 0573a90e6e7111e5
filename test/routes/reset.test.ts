import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { PNG } from '../support/images.js';
import { api, startTestServer, type TestServer } from '../support/server.js';
import { PRODUCTION_ENV } from '../support/production.js';

/** POST /_clerkd/reset: authenticated, wipes everything in one go, re-applies CLERKD_SEED, refused in production. */

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clerkd-reset-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const SEED = {
  clerkd_snapshot: 1,
  users: [
    { id: 'user_seedalice', email_addresses: [{ email_address: 'alice@seed.test' }], first_name: 'Alice' },
    { id: 'user_seedbob', email_addresses: [{ email_address: 'bob@seed.test' }], username: 'bob_seed' },
  ],
  organizations: [{ id: 'org_seedacme', name: 'Acme' }],
  organization_memberships: [{ organization_id: 'org_seedacme', user_id: 'user_seedalice', role: 'org:admin' }],
};

function writeSeed(name: string, content: unknown): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(content));
  return file;
}

async function count(server: TestServer, resource = 'users'): Promise<number> {
  const response = await api(server, 'GET', resource === 'users' ? '/v1/users/count' : `/v1/${resource}?limit=1`);
  return (response.body as { total_count: number }).total_count;
}

async function uploadImage(server: TestServer, userId: string): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([PNG.bytes], { type: PNG.contentType }), 'avatar.png');
  const response = await fetch(`${server.baseUrl}/v1/users/${userId}/profile_image`, { method: 'POST', headers: { authorization: `Bearer ${server.secretKey}` }, body: form });
  assert.equal(response.status, 200);
  const url = ((await response.json()) as { image_url: string }).image_url;
  return url.slice(url.lastIndexOf('/') + 1);
}

test('reset needs the secret key', async () => {
  const server = await startTestServer();
  try {
    const anonymous = await api(server, 'POST', '/_clerkd/reset', { anonymous: true });
    assert.equal(anonymous.status, 401);
    assert.equal((anonymous.body as { errors: { code: string }[] }).errors[0]!.code, 'authentication_invalid');
    const wrong = await api(server, 'POST', '/_clerkd/reset', { headers: { authorization: 'Bearer sk_test_wrong' } });
    assert.equal(wrong.status, 401);
    assert.equal((wrong.body as { errors: { code: string }[] }).errors[0]!.code, 'clerk_key_invalid');
  } finally {
    await server.close();
  }
});

test('reset deletes every user, organization and membership and their image files', async (t) => {
  const imagesDir = path.join(dir, 'images-wipe');
  const server = await startTestServer({ CLERKD_IMAGES_DIR: imagesDir });
  try {
    const user = await api(server, 'POST', '/v1/users', { body: { email_address: ['wiped@example.com'] } });
    const userId = (user.body as { id: string }).id;
    await api(server, 'POST', '/v1/users', { body: { username: 'wiped_too' } });
    await api(server, 'POST', '/v1/organizations', { body: { name: 'Wiped Org', created_by: userId } });
    const key = await uploadImage(server, userId);
    assert.ok(fs.existsSync(path.join(imagesDir, key)));

    const started = performance.now();
    const response = await api(server, 'POST', '/_clerkd/reset');
    const ms = performance.now() - started;
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, {
      reset: true,
      deleted: { users: 2, organizations: 1, organization_memberships: 1 },
      seeded: null,
      removed_images: 1,
    });
    assert.equal(await count(server), 0);
    assert.equal(await count(server, 'organizations'), 0);
    assert.ok(!fs.existsSync(path.join(imagesDir, key)), 'the image file is removed after the commit');
    // The same email is free again.
    assert.equal((await api(server, 'POST', '/v1/users', { body: { email_address: ['wiped@example.com'] } })).status, 200);
    t.diagnostic(`reset of a small database over HTTP: ${ms.toFixed(1)} ms`);
  } finally {
    await server.close();
  }
});

test('reset re-applies CLERKD_SEED, so every test can start from the same users', async () => {
  const server = await startTestServer({ CLERKD_SEED: writeSeed('seed.json', SEED) });
  try {
    await api(server, 'POST', '/v1/users', { body: { email_address: ['extra@example.com'] } });
    const first = await api(server, 'POST', '/_clerkd/reset');
    assert.equal(first.status, 200);
    assert.deepEqual((first.body as { seeded: unknown }).seeded, { users: 2, organizations: 1, organization_memberships: 1 });
    assert.equal(await count(server), 2);
    const alice = await api(server, 'GET', '/v1/users/user_seedalice');
    assert.equal((alice.body as { email_addresses: { email_address: string }[] }).email_addresses[0]!.email_address, 'alice@seed.test');
    const memberships = await api(server, 'GET', '/v1/organizations/org_seedacme/memberships');
    assert.equal((memberships.body as { total_count: number }).total_count, 1);

    // Changes made by a test are gone after the next reset.
    await api(server, 'DELETE', '/v1/users/user_seedbob');
    const second = await api(server, 'POST', '/_clerkd/reset');
    assert.deepEqual((second.body as { deleted: unknown }).deleted, { users: 1, organizations: 1, organization_memberships: 1 });
    assert.equal((await api(server, 'GET', '/v1/users/user_seedbob')).status, 200);
  } finally {
    await server.close();
  }
});

test('a broken seed file fails the reset and deletes nothing', async () => {
  const seed = writeSeed('broken-seed.json', { ...SEED, users: [SEED.users[0], { ...SEED.users[1], email_addresses: [{ email_address: 'alice@seed.test' }] }] });
  const server = await startTestServer({ CLERKD_SEED: seed });
  try {
    await api(server, 'POST', '/v1/users', { body: { email_address: ['kept@example.com'] } });
    const response = await api(server, 'POST', '/_clerkd/reset');
    assert.equal(response.status, 500);
    const error = (response.body as { errors: { code: string; long_message: string }[] }).errors[0]!;
    assert.equal(error.code, 'seed_invalid');
    assert.match(error.long_message, /users\[1\]\.email_addresses\[0\]\.email_address: duplicate of users\[0\]/);
    assert.equal(await count(server), 1);
  } finally {
    await server.close();
  }
});

test('reset is refused with 403 in production', async () => {
  const server = await startTestServer({ ...PRODUCTION_ENV });
  try {
    await api(server, 'POST', '/v1/users', { body: { email_address: ['prod@example.com'] } });
    const response = await api(server, 'POST', '/_clerkd/reset');
    assert.equal(response.status, 403);
    const error = (response.body as { errors: { code: string; long_message: string }[] }).errors[0]!;
    assert.equal(error.code, 'feature_not_enabled');
    assert.match(error.long_message, /NODE_ENV=production/);
    assert.equal(await count(server), 1);
    assert.equal((await api(server, 'POST', '/_clerkd/reset', { anonymous: true })).status, 401, 'and still asks for the key first');
  } finally {
    await server.close();
  }
});
