/**
 * The official @clerk/backend SDK (pinned 3.25.0) setting and deleting profile images on a
 * real clerkd: `updateUserProfileImage` posts a FormData whose one part is named `file`
 * (filename `blob` for a Blob), `deleteUserProfileImage` sends a DELETE with
 * `Content-Type: application/json` and no body. `recorded` goes through a recording proxy so
 * error tests can see the raw error body.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createClerkClient, type ClerkClient, type User } from '@clerk/backend';
import { isClerkAPIResponseError, type ClerkAPIResponseError } from '@clerk/backend/errors';
import { GIF, JPEG, PNG, WEBP, type ImageFixture } from '../support/images.js';
import { unique, type TestServer } from '../support/server.js';
import { assertMatchesSpec } from '../support/spec-schema.js';
import type { RecordingProxy } from './recording-proxy.js';
import { startSdkSuite } from './sdk-suite.js';

let server: TestServer;
let proxy: RecordingProxy;
let clerk: ClerkClient;
let recorded: ClerkClient;
let close: () => Promise<void>;

before(async () => {
  ({ server, proxy, clerk, recorded, close } = await startSdkSuite());
});

after(async () => {
  await close();
});

async function createUser(): Promise<User> {
  return clerk.users.createUser({ emailAddress: [`${unique('sdkimg')}@example.com`] });
}

function blobOf(image: ImageFixture, type = image.contentType): Blob {
  return new Blob([image.bytes], { type });
}

function keyOf(url: string): string {
  const prefix = `${server.config.publicUrl}/images/`;
  assert.ok(url.startsWith(prefix), `${url} does not start with ${prefix}`);
  return url.slice(prefix.length);
}

function fileExists(key: string): boolean {
  return fs.existsSync(path.join(server.config.imagesDir, key));
}

/** What an `<img>` tag would do: GET the URL with no credentials. */
async function fetchImage(url: string): Promise<{ status: number; contentType: string | null; etag: string | null; bytes: Buffer }> {
  const response = await fetch(url.replace(server.config.publicUrl, server.baseUrl));
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    etag: response.headers.get('etag'),
    bytes: Buffer.from(await response.arrayBuffer()),
  };
}

function assertSdkUser(user: User): void {
  assert.notEqual(Object.getPrototypeOf(user), Object.prototype, 'expected an SDK User instance');
  assert.equal(typeof user.hasImage, 'boolean');
  assertMatchesSpec('User', user.raw);
}

async function rejectsWith(work: () => Promise<unknown>, status: number, code: string): Promise<ClerkAPIResponseError> {
  const { error, exchanges } = await proxy.recordFailure(work);
  assert.ok(isClerkAPIResponseError(error), `expected a ClerkAPIResponseError, got ${String(error)}`);
  assert.equal(error.status, status);
  assert.equal(error.errors[0]?.code, code, `errors: ${JSON.stringify(error.errors)}`);
  const last = exchanges.at(-1);
  assert.ok(last, 'expected the SDK to reach the server');
  assert.equal(last.responseHeaders['content-type'], 'application/json');
  assertMatchesSpec('ClerkErrors', last.json);
  return error;
}

test('updateUserProfileImage with a PNG Blob returns an SDK User whose imageUrl serves the bytes without auth', async () => {
  const user = await createUser();
  assert.equal(user.hasImage, false);

  const updated = await clerk.users.updateUserProfileImage(user.id, { file: blobOf(PNG) });

  assertSdkUser(updated);
  assert.equal(updated.id, user.id);
  assert.equal(updated.hasImage, true);
  const key = keyOf(updated.imageUrl);
  assert.ok(key.endsWith('.png'));
  assert.ok(fileExists(key));
  const served = await fetchImage(updated.imageUrl);
  assert.equal(served.status, 200);
  assert.equal(served.contentType, 'image/png');
  assert.equal(served.etag, `"${key}"`);
  assert.deepEqual(served.bytes, PNG.bytes);

  const fetched = await clerk.users.getUser(user.id);
  assert.equal(fetched.imageUrl, updated.imageUrl);
  assert.equal(fetched.hasImage, true);
});

test('the SDK sends one multipart part named file with filename blob', async () => {
  const user = await createUser();
  const { exchanges } = await proxy.record(() => recorded.users.updateUserProfileImage(user.id, { file: blobOf(GIF) }));
  const post = exchanges.find((e) => e.method === 'POST' && e.path === `/v1/users/${user.id}/profile_image`);
  assert.ok(post);
  assert.match(String(post.requestHeaders['content-type']), /^multipart\/form-data; boundary=/);
  assert.match(post.requestBody, /Content-Disposition: form-data; name="file"; filename="blob"/);
  assert.equal(post.status, 200);
  assert.equal(post.responseHeaders['content-type'], 'application/json');
});

for (const image of [JPEG, GIF, WEBP]) {
  test(`a ${image.name} File labelled image/png with a .png name is stored and served as ${image.contentType}`, async () => {
    const user = await createUser();
    const file = new File([image.bytes], 'avatar.png', { type: 'image/png' });
    const updated = await clerk.users.updateUserProfileImage(user.id, { file });
    assertSdkUser(updated);
    assert.ok(keyOf(updated.imageUrl).endsWith(`.${image.extension}`));
    const served = await fetchImage(updated.imageUrl);
    assert.equal(served.contentType, image.contentType);
    assert.deepEqual(served.bytes, image.bytes);
  });
}

test('replacing the image through the SDK removes the previous file', async () => {
  const user = await createUser();
  const first = await clerk.users.updateUserProfileImage(user.id, { file: blobOf(PNG) });
  const second = await clerk.users.updateUserProfileImage(user.id, { file: blobOf(JPEG) });
  assert.notEqual(second.imageUrl, first.imageUrl);
  assert.equal(fileExists(keyOf(first.imageUrl)), false);
  assert.equal(fileExists(keyOf(second.imageUrl)), true);
  assert.equal((await fetchImage(first.imageUrl)).status, 404);
});

test('deleteUserProfileImage returns the User with hasImage false, the default avatar, and removes the file', async () => {
  const user = await createUser();
  const withImage = await clerk.users.updateUserProfileImage(user.id, { file: blobOf(WEBP) });
  const key = keyOf(withImage.imageUrl);

  const cleared = await clerk.users.deleteUserProfileImage(user.id);

  assertSdkUser(cleared);
  assert.equal(cleared.hasImage, false);
  assert.equal(cleared.imageUrl, `${server.config.publicUrl}/images/default-avatar.svg`);
  assert.equal(fileExists(key), false);
  const avatar = await fetchImage(cleared.imageUrl);
  assert.equal(avatar.status, 200);
  assert.equal(avatar.contentType, 'image/svg+xml');
});

test('a text Blob typed image/png is refused with 422 form_param_format_invalid on param file', async () => {
  const user = await createUser();
  const error = await rejectsWith(
    () => recorded.users.updateUserProfileImage(user.id, { file: new Blob(['hello, not an image'], { type: 'image/png' }) }),
    422,
    'form_param_format_invalid',
  );
  assert.equal(error.errors[0]?.meta?.paramName, 'file');
  assert.equal((await clerk.users.getUser(user.id)).hasImage, false);
});

test('updateUserProfileImage for an unknown user is a 404 resource_not_found and writes no file', async () => {
  const before = fs.existsSync(server.config.imagesDir) ? fs.readdirSync(server.config.imagesDir).sort() : [];
  await rejectsWith(() => recorded.users.updateUserProfileImage('user_2xhFjEI5X2qWRvtV13BzSj8H6Dk', { file: blobOf(PNG) }), 404, 'resource_not_found');
  const after = fs.existsSync(server.config.imagesDir) ? fs.readdirSync(server.config.imagesDir).sort() : [];
  assert.deepEqual(after, before);
});

test('deleteUserProfileImage for an unknown user is a 404 resource_not_found', async () => {
  await rejectsWith(() => recorded.users.deleteUserProfileImage('user_2xhFjEI5X2qWRvtV13BzSj8H6Dk'), 404, 'resource_not_found');
});
