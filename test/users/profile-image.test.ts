import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { users } from '../../src/db/schema.js';
import { ClerkApiError } from '../../src/errors.js';
import { ImageStore } from '../../src/images/store.js';
import { ProfileImageService } from '../../src/users/profile-image.js';
import { GIF, PNG } from '../support/images.js';
import { api, startTestServer, unique, type TestServer } from '../support/server.js';

/** ProfileImageService on its own: what happens to files when the database step fails or lags. */

let server: TestServer;
let root: string;
before(async () => {
  server = await startTestServer();
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'clerkd-profile-image-'));
});
after(async () => {
  await server.close();
  fs.rmSync(root, { recursive: true, force: true });
});

function freshService(): { service: ProfileImageService; store: ImageStore; warnings: object[] } {
  const store = new ImageStore({ dir: fs.mkdtempSync(path.join(root, 'images-')), maxBytes: 4096 });
  const warnings: object[] = [];
  const service = new ProfileImageService({ db: server.db, store, log: { warn: (details) => warnings.push(details) } });
  return { service, store, warnings };
}

async function createUserId(): Promise<string> {
  const response = await api(server, 'POST', '/v1/users', { body: { email_address: [`${unique('pis')}@example.com`] } });
  assert.equal(response.status, 200, response.text);
  return (response.body as { id: string }).id;
}

test('when the user disappears while the file is being stored, the new file is removed and the call fails with 404', async () => {
  const { service, store } = freshService();
  const userId = await createUserId();
  async function* uploadThatOutlivesTheUser() {
    yield PNG.bytes;
    server.db.delete(users).where(eq(users.id, userId)).run();
  }
  await assert.rejects(service.setProfileImage(userId, uploadThatOutlivesTheUser()), (error: unknown) => {
    assert.ok(error instanceof ClerkApiError);
    assert.equal(error.status, 404);
    return true;
  });
  assert.deepEqual(fs.readdirSync(store.dir), []);
});

test('an unknown user is refused before the upload is read', async () => {
  const { service, store } = freshService();
  let read = false;
  async function* upload() {
    read = true;
    yield PNG.bytes;
  }
  await assert.rejects(service.setProfileImage('user_2xhFjEI5X2qWRvtV13BzSj8H6Dk', upload()), ClerkApiError);
  assert.equal(read, false);
  assert.deepEqual(fs.readdirSync(store.dir), []);
});

test('setting and deleting keep exactly one file on disk per user with an image', async () => {
  const { service, store } = freshService();
  const userId = await createUserId();
  const first = await service.setProfileImage(userId, PNG.bytes);
  const second = await service.setProfileImage(userId, GIF.bytes);
  assert.deepEqual(fs.readdirSync(store.dir), [second.user.profileImageKey]);
  assert.notEqual(first.user.profileImageKey, second.user.profileImageKey);
  const cleared = await service.deleteProfileImage(userId);
  assert.equal(cleared.user.profileImageKey, null);
  assert.deepEqual(fs.readdirSync(store.dir), []);
});

test('removeStoredImage never throws: a file it cannot remove is logged and left', async () => {
  const { service, store, warnings } = freshService();
  const key = 'img_0123456789ABCDEFGHIJKLMNOPQ.png';
  fs.mkdirSync(path.join(store.dir, key)); // unlink() fails on a directory
  await service.removeStoredImage(key);
  await service.removeStoredImage(null);
  await service.removeStoredImage('img_missing.png');
  assert.equal(warnings.length, 1);
  assert.ok(fs.existsSync(path.join(store.dir, key)));
});
