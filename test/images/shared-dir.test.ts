import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { paddedImage, PNG_2X2 } from '../support/images.js';
import { api, startTestServer, type TestServer } from '../support/server.js';

/**
 * Two servers on one data dir share its images directory: one on the database file, one on
 * `:memory:` (or on another file). Neither may delete the other's images: not at start, not
 * while the other is uploading, not on a reset.
 */

const roots: string[] = [];
after(() => {
  for (const root of roots) fs.rmSync(root, { recursive: true, force: true });
});

function dataDir(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'clerkd-shared-'));
  roots.push(root);
  return root;
}

function serverOn(dir: string, database: string): Promise<TestServer> {
  return startTestServer({ CLERKD_DATA_DIR: dir, CLERKD_DATABASE: database, CLERKD_IMAGES_DIR: path.join(dir, 'images') });
}

interface UserJson {
  id: string;
  has_image: boolean;
  image_url: string;
}

async function createUser(server: TestServer): Promise<UserJson> {
  const response = await api(server, 'POST', '/v1/users', { body: { first_name: 'Shared' } });
  assert.equal(response.status, 200, response.text);
  return response.body as UserJson;
}

async function uploadImage(server: TestServer, userId: string, bytes: Uint8Array): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([bytes], { type: 'image/png' }), 'blob');
  const response = await api(server, 'POST', `/v1/users/${userId}/profile_image`, { formData: form });
  assert.equal(response.status, 200, response.text);
  return new URL((response.body as UserJson).image_url).pathname;
}

async function download(server: TestServer, imagePath: string): Promise<{ status: number; bytes: Buffer }> {
  const response = await fetch(`${server.baseUrl}${imagePath}`);
  return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()) };
}

async function getUser(server: TestServer, userId: string): Promise<UserJson> {
  const response = await api(server, 'GET', `/v1/users/${userId}`);
  assert.equal(response.status, 200, response.text);
  return response.body as UserJson;
}

test("a second server starting on the same data dir leaves the first server's images, which still download byte for byte", async () => {
  const dir = dataDir();
  const first = await serverOn(dir, 'clerkd.sqlite');
  try {
    const user = await createUser(first);
    const imagePath = await uploadImage(first, user.id, PNG_2X2.bytes);
    for (const database of [':memory:', 'other.sqlite']) {
      const second = await serverOn(dir, database);
      await second.close();
      assert.equal((await getUser(first, user.id)).has_image, true);
      const served = await download(first, imagePath);
      assert.equal(served.status, 200, `after a server on ${database} started`);
      assert.deepEqual(served.bytes, Buffer.from(PNG_2X2.bytes));
    }
  } finally {
    await first.close();
  }
});

/** Sends an upload's headers and the first `sentBefore` bytes of its body; `finish()` sends the rest and reads the answer. */
function startUpload(server: TestServer, userId: string, image: Buffer, sentBefore: number): { finish(): Promise<{ status: number; body: string }>; abort(): void } {
  const boundary = 'in-flight-boundary';
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="blob"\r\nContent-Type: image/png\r\n\r\n`),
    image,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const url = new URL(server.baseUrl);
  const socket = net.connect(Number(url.port), url.hostname);
  let received = Buffer.alloc(0);
  const answered = new Promise<{ status: number; body: string }>((resolve, reject) => {
    socket.on('data', (chunk) => (received = Buffer.concat([received, chunk])));
    socket.on('end', () => {
      const text = received.toString('latin1');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]), body: text.slice(text.indexOf('\r\n\r\n') + 4) });
    });
    socket.on('error', reject);
  });
  socket.write(
    `POST /v1/users/${userId}/profile_image HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${server.secretKey}\r\n` +
      `Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
  );
  socket.write(body.subarray(0, sentBefore));
  return {
    finish: () => {
      socket.write(body.subarray(sentBefore));
      return answered;
    },
    abort: () => socket.destroy(),
  };
}

async function waitFor<T>(what: string, probe: () => T | undefined): Promise<T> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('an upload in flight survives another server starting on the same images directory', async () => {
  const dir = dataDir();
  const images = path.join(dir, 'images');
  const first = await serverOn(dir, 'clerkd.sqlite');
  let upload: ReturnType<typeof startUpload> | undefined;
  try {
    const user = await createUser(first);
    const image = paddedImage(512 * 1024);
    upload = startUpload(first, user.id, image, 256 * 1024);
    const temp = await waitFor('the temporary upload file', () =>
      fs.existsSync(images) ? fs.readdirSync(images).find((name) => name.startsWith('.upload-')) : undefined,
    );

    const second = await serverOn(dir, ':memory:');
    await second.close();
    assert.ok(fs.existsSync(path.join(images, temp)), 'the in-flight upload kept its temporary file');

    const answer = await upload.finish();
    assert.equal(answer.status, 200, answer.body);
    const imagePath = new URL((JSON.parse(answer.body) as UserJson).image_url).pathname;
    assert.deepEqual((await download(first, imagePath)).bytes, image);
  } finally {
    // A failed assertion must not leave the request open, or close() would wait for it.
    upload?.abort();
    await first.close();
  }
});

test("a reset of one server removes its own images and leaves the other server's", async () => {
  const dir = dataDir();
  const onFile = await serverOn(dir, 'clerkd.sqlite');
  const inMemory = await serverOn(dir, ':memory:');
  try {
    const kept = await createUser(onFile);
    const keptPath = await uploadImage(onFile, kept.id, PNG_2X2.bytes);
    const wiped = await createUser(inMemory);
    const wipedPath = await uploadImage(inMemory, wiped.id, PNG_2X2.bytes);

    const reset = await api(inMemory, 'POST', '/_clerkd/reset');
    assert.equal(reset.status, 200, reset.text);
    assert.equal((reset.body as { removed_images: number }).removed_images, 1);

    assert.equal((await download(inMemory, wipedPath)).status, 404);
    const served = await download(onFile, keptPath);
    assert.equal(served.status, 200);
    assert.deepEqual(served.bytes, Buffer.from(PNG_2X2.bytes));
    assert.equal((await getUser(onFile, kept.id)).has_image, true);
  } finally {
    await inMemory.close();
    await onFile.close();
  }
});
