import assert from 'node:assert/strict';
import fs from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { UserJson } from '../../src/schemas/user-response.js';
import { ALL_FORMATS, GIF, JPEG, paddedImage, PNG, PNG_2X2, WEBP, type ImageFixture } from '../support/images.js';
import { api, startTestServer, unique, type ApiResponse, type TestServer } from '../support/server.js';
import { assertMatchesSpec } from '../support/spec-schema.js';
import { assertClerkError } from '../support/clerk-errors.js';

/**
 * POST/DELETE /v1/users/{id}/profile_image over HTTP, and the public /images/<key> URLs
 * they hand out. Bodies are built the way @clerk/backend builds them: FormData with a Blob.
 */

let server: TestServer;
/** A second server whose image limit is 1 KiB, with its own images directory. */
let small: TestServer;
let smallRoot: string;

before(async () => {
  server = await startTestServer();
  smallRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'clerkd-small-images-'));
  small = await startTestServer({ CLERKD_IMAGE_MAX_BYTES: '1024', CLERKD_IMAGES_DIR: path.join(smallRoot, 'images') });
});
after(async () => {
  await server.close();
  await small.close();
  fs.rmSync(smallRoot, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------
// Factories and assertions
// ---------------------------------------------------------------------------------------

async function createUser(on: TestServer = server): Promise<UserJson> {
  const response = await api(on, 'POST', '/v1/users', { body: { email_address: [`${unique('img')}@example.com`] } });
  assert.equal(response.status, 200, response.text);
  return response.body as UserJson;
}

interface UploadOptions {
  /** The part's declared Content-Type (default image/png, whatever the bytes are). */
  type?: string;
  field?: string;
  filename?: string;
  on?: TestServer;
}

function form(bytes: Uint8Array, options: UploadOptions = {}): FormData {
  const body = new FormData();
  body.append(options.field ?? 'file', new Blob([bytes], { type: options.type ?? 'image/png' }), options.filename ?? 'blob');
  return body;
}

async function send(on: TestServer, method: string, urlPath: string, init: { body?: FormData | string; headers?: Record<string, string>; anonymous?: boolean } = {}): Promise<ApiResponse> {
  const headers = { ...(init.anonymous ? {} : { authorization: `Bearer ${on.secretKey}` }), ...init.headers };
  const response = await fetch(`${on.baseUrl}${urlPath}`, { method, headers, body: init.body });
  const text = await response.text();
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, body, text };
}

async function upload(userId: string, bytes: Uint8Array, options: UploadOptions = {}): Promise<ApiResponse> {
  return send(options.on ?? server, 'POST', `/v1/users/${userId}/profile_image`, { body: form(bytes, options) });
}

async function uploadOk(userId: string, image: ImageFixture, on: TestServer = server): Promise<UserJson> {
  const response = await upload(userId, image.bytes, { on });
  assert.equal(response.status, 200, response.text);
  assert.equal(response.headers.get('content-type'), 'application/json');
  assertMatchesSpec('User', response.body);
  return response.body as UserJson;
}

async function getUser(userId: string): Promise<UserJson> {
  const response = await api(server, 'GET', `/v1/users/${userId}`);
  assert.equal(response.status, 200, response.text);
  return response.body as UserJson;
}


/** The key an image URL names; the URL itself must be `<publicUrl>/images/<key>`. */
function keyOf(url: string, on: TestServer = server): string {
  const prefix = `${on.config.publicUrl}/images/`;
  assert.ok(url.startsWith(prefix), `${url} does not start with ${prefix}`);
  return url.slice(prefix.length);
}

/** Fetches a public image URL from the test server, with no Authorization header. */
async function fetchPublic(url: string, headers: Record<string, string> = {}, on: TestServer = server): Promise<Response> {
  return fetch(url.replace(on.config.publicUrl, on.baseUrl), { headers });
}

function storedFiles(on: TestServer = server): string[] {
  return fs.existsSync(on.config.imagesDir) ? fs.readdirSync(on.config.imagesDir).sort() : [];
}

/** Sends a path byte for byte (fetch would resolve `..` and re-encode). */
function rawGet(on: TestServer, rawPath: string): Promise<ApiResponse> {
  const { hostname, port } = new URL(on.baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, path: rawPath, method: 'GET' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const headers = new Headers();
        for (const [name, value] of Object.entries(res.headers)) if (typeof value === 'string') headers.set(name, value);
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers, body, text });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

// ---------------------------------------------------------------------------------------
// Uploading
// ---------------------------------------------------------------------------------------

for (const image of ALL_FORMATS) {
  test(`a ${image.name} upload becomes the profile image, served without auth as ${image.contentType} byte for byte`, async () => {
    const user = await createUser();
    const updated = await uploadOk(user.id, image);

    assert.equal(updated.has_image, true);
    assert.equal(updated.image_url, updated.profile_image_url);
    const key = keyOf(updated.image_url);
    assert.match(key, new RegExp(`^img_[0-9A-Za-z]{27}\\.${image.extension}$`));
    assert.ok(storedFiles().includes(key));

    const served = await fetchPublic(updated.image_url);
    assert.equal(served.status, 200);
    assert.equal(served.headers.get('content-type'), image.contentType);
    assert.equal(served.headers.get('etag'), `"${key}"`);
    assert.equal(served.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(served.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(served.headers.get('content-length'), String(image.bytes.length));
    assert.deepEqual(Buffer.from(await served.arrayBuffer()), image.bytes);
  });
}

test('the upload bumps updated_at and GET /users/{id} reports the same image', async () => {
  const user = await createUser();
  const updated = await uploadOk(user.id, PNG);
  assert.ok(updated.updated_at >= user.updated_at);
  const fetched = await getUser(user.id);
  assert.equal(fetched.image_url, updated.image_url);
  assert.equal(fetched.has_image, true);
});

test('the type comes from the bytes, not from the declared part type or filename', async () => {
  const user = await createUser();
  const updated = await upload(user.id, JPEG.bytes, { type: 'image/png', filename: 'avatar.png' });
  assert.equal(updated.status, 200, updated.text);
  const url = (updated.body as UserJson).image_url;
  assert.ok(keyOf(url).endsWith('.jpg'));
  assert.equal((await fetchPublic(url)).headers.get('content-type'), 'image/jpeg');

  const untyped = await upload(user.id, GIF.bytes, { type: 'application/octet-stream' });
  assert.equal(untyped.status, 200, untyped.text);
  assert.ok(keyOf((untyped.body as UserJson).image_url).endsWith('.gif'));
});

test('If-None-Match with the ETag answers 304 with no body; another tag gets the image', async () => {
  const user = await createUser();
  const url = (await uploadOk(user.id, PNG)).image_url;
  const etag = (await fetchPublic(url)).headers.get('etag')!;

  for (const header of [etag, `W/${etag}`, `"something-else", ${etag}`, '*']) {
    const cached = await fetchPublic(url, { 'if-none-match': header });
    assert.equal(cached.status, 304, header);
    assert.equal(cached.headers.get('etag'), etag);
    assert.equal(cached.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(await cached.text(), '');
  }
  const other = await fetchPublic(url, { 'if-none-match': '"img_other.png"' });
  assert.equal(other.status, 200);
  assert.deepEqual(Buffer.from(await other.arrayBuffer()), PNG.bytes);
});

test('replacing the image removes the old file from disk and its URL stops working', async () => {
  const user = await createUser();
  const first = await uploadOk(user.id, PNG);
  const oldKey = keyOf(first.image_url);
  const second = await uploadOk(user.id, PNG_2X2);
  const newKey = keyOf(second.image_url);

  assert.notEqual(newKey, oldKey);
  assert.equal(fs.existsSync(path.join(server.config.imagesDir, oldKey)), false);
  assert.equal(fs.existsSync(path.join(server.config.imagesDir, newKey)), true);
  assertClerkError(await send(server, 'GET', `/images/${oldKey}`, { anonymous: true }), 404, 'resource_not_found');
  assert.deepEqual(Buffer.from(await (await fetchPublic(second.image_url)).arrayBuffer()), PNG_2X2.bytes);
});

test('a file larger than the JSON body limit is accepted up to CLERKD_IMAGE_MAX_BYTES', async () => {
  assert.ok(server.config.imageMaxBytes > server.config.bodyLimitBytes);
  const user = await createUser();
  const big = paddedImage(server.config.bodyLimitBytes + 512 * 1024);
  const response = await upload(user.id, big);
  assert.equal(response.status, 200, response.text);
  const served = await fetchPublic((response.body as UserJson).image_url);
  assert.deepEqual(Buffer.from(await served.arrayBuffer()), big);
});

// ---------------------------------------------------------------------------------------
// Refused uploads
// ---------------------------------------------------------------------------------------

test('a text file named .png and typed image/png is refused with 422 form_param_format_invalid and nothing is stored', async () => {
  const user = await createUser();
  const before = storedFiles();
  const response = await upload(user.id, Buffer.from('just some text, honest\n'), { type: 'image/png', filename: 'avatar.png' });
  assertClerkError(response, 422, 'form_param_format_invalid', 'file');
  assert.deepEqual(storedFiles(), before);
  assert.equal((await getUser(user.id)).has_image, false);
});

test('an SVG is not accepted as a profile image', async () => {
  const user = await createUser();
  const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
  assertClerkError(await upload(user.id, svg, { type: 'image/svg+xml' }), 422, 'form_param_format_invalid', 'file');
});

test('a failed upload keeps the previous image and its file intact', async () => {
  const user = await createUser();
  const current = await uploadOk(user.id, GIF);
  const files = storedFiles();

  assertClerkError(await upload(user.id, Buffer.from('not an image')), 422, 'form_param_format_invalid');

  const after = await getUser(user.id);
  assert.equal(after.image_url, current.image_url);
  assert.equal(after.has_image, true);
  assert.equal(after.updated_at, current.updated_at);
  assert.deepEqual(storedFiles(), files);
  assert.deepEqual(Buffer.from(await (await fetchPublic(current.image_url)).arrayBuffer()), GIF.bytes);
});

test('an upload over CLERKD_IMAGE_MAX_BYTES answers 413 and leaves no file in the images directory', async () => {
  const user = await createUser(small);
  const before = storedFiles(small);
  const response = await upload(user.id, paddedImage(1025), { on: small });
  assertClerkError(response, 413, 'request_body_too_large', 'file');
  assert.deepEqual(storedFiles(small), before);

  const huge = await upload(user.id, paddedImage(3 * 1024 * 1024), { on: small });
  assertClerkError(huge, 413, 'request_body_too_large', 'file');
  assert.deepEqual(storedFiles(small), before);
  assert.equal(storedFiles(small).filter((name) => name.startsWith('.')).length, 0, 'no temporary upload files');
  assert.equal((await api(small, 'GET', `/v1/users/${user.id}`)).status, 200, 'the connection still serves requests');
});

test('an upload of exactly CLERKD_IMAGE_MAX_BYTES is accepted', async () => {
  const user = await createUser(small);
  const response = await upload(user.id, paddedImage(1024), { on: small });
  assert.equal(response.status, 200, response.text);
  const key = keyOf((response.body as UserJson).image_url, small);
  assert.equal(fs.statSync(path.join(small.config.imagesDir, key)).size, 1024);
});

test('an oversized upload keeps the previous image', async () => {
  const user = await createUser(small);
  const current = await uploadOk(user.id, PNG, small);
  assertClerkError(await upload(user.id, paddedImage(4096), { on: small }), 413, 'request_body_too_large');
  const after = await api(small, 'GET', `/v1/users/${user.id}`);
  assert.equal((after.body as UserJson).image_url, current.image_url);
  assert.ok(storedFiles(small).includes(keyOf(current.image_url, small)));
});

test('an unknown user answers 404 and no file is written', async () => {
  const before = storedFiles();
  const response = await upload('user_2xhFjEI5X2qWRvtV13BzSj8H6Dk', PNG.bytes);
  assertClerkError(response, 404, 'resource_not_found');
  assert.deepEqual(storedFiles(), before);

  const large = await upload('user_2xhFjEI5X2qWRvtV13BzSj8H6Dk', paddedImage(2 * 1024 * 1024));
  assertClerkError(large, 404, 'resource_not_found');
  assert.deepEqual(storedFiles(), before);
});

test('a form without a `file` part answers 400 form_param_missing "Image file missing"', async () => {
  const user = await createUser();
  const cases: FormData[] = [form(PNG.bytes, { field: 'image' }), new FormData()];
  const textOnly = new FormData();
  textOnly.append('file', 'not a file, a text field');
  cases.push(textOnly);

  for (const body of cases) {
    const response = await send(server, 'POST', `/v1/users/${user.id}/profile_image`, { body });
    assertClerkError(response, 400, 'form_param_missing', 'file');
    const [first] = (response.body as { errors: { message: string; long_message: string }[] }).errors;
    assert.equal(first?.message, 'Image file missing');
    assert.equal(first?.long_message, 'There was no image file present in the request');
  }
  assert.equal((await getUser(user.id)).has_image, false);
});

test('an empty file part counts as a missing image', async () => {
  const user = await createUser();
  assertClerkError(await upload(user.id, new Uint8Array()), 400, 'form_param_missing', 'file');
});

test('a JSON body, or no body at all, answers 400 form_param_missing', async () => {
  const user = await createUser();
  const json = await api(server, 'POST', `/v1/users/${user.id}/profile_image`, { body: { file: 'aGVsbG8=' } });
  assertClerkError(json, 400, 'form_param_missing', 'file');
  const empty = await api(server, 'POST', `/v1/users/${user.id}/profile_image`, { headers: { 'content-type': 'application/json' } });
  assertClerkError(empty, 400, 'form_param_missing', 'file');
  const none = await api(server, 'POST', `/v1/users/${user.id}/profile_image`);
  assertClerkError(none, 400, 'form_param_missing', 'file');
});

test('any other Content-Type answers 415 naming multipart/form-data', async () => {
  const user = await createUser();
  const response = await api(server, 'POST', `/v1/users/${user.id}/profile_image`, { rawBody: PNG.bytes.toString('latin1'), headers: { 'content-type': 'image/png' } });
  assertClerkError(response, 415, 'unsupported_content_type');
  assert.match((response.body as { errors: { long_message: string }[] }).errors[0]!.long_message, /multipart\/form-data/);
});

test('a malformed multipart body answers 400 request_body_invalid', async () => {
  const user = await createUser();
  const noBoundary = await api(server, 'POST', `/v1/users/${user.id}/profile_image`, { rawBody: 'garbage', headers: { 'content-type': 'multipart/form-data' } });
  assertClerkError(noBoundary, 400, 'request_body_invalid');
  const truncated = await api(server, 'POST', `/v1/users/${user.id}/profile_image`, {
    rawBody: '--xyz\r\nContent-Disposition: form-data; name="file"; filename="blob"\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n\x1a\n0000',
    headers: { 'content-type': 'multipart/form-data; boundary=xyz' },
  });
  assertClerkError(truncated, 400, 'request_body_invalid');
});

test('text fields next to the file are ignored, however many there are', async () => {
  const user = await createUser();
  const withNote = new FormData();
  withNote.append('note', 'from the admin screen');
  withNote.append('file', new Blob([PNG.bytes]), 'blob');
  const accepted = await send(server, 'POST', `/v1/users/${user.id}/profile_image`, { body: withNote });
  assert.equal(accepted.status, 200, accepted.text);

  // Past the parser's field limit the extra fields are dropped unread; the file still counts.
  const stuffed = new FormData();
  for (let i = 0; i < 50; i++) stuffed.append(`field${i}`, 'x'.repeat(1024));
  stuffed.append('file', new Blob([GIF.bytes]), 'blob');
  const response = await send(server, 'POST', `/v1/users/${user.id}/profile_image`, { body: stuffed });
  assert.equal(response.status, 200, response.text);
  assert.ok(keyOf((response.body as UserJson).image_url).endsWith('.gif'));
});

/** Sends a multipart body in two writes with a pause between them, the way a slow network delivers it. */
async function sendInTwoPackets(on: TestServer, userId: string, first: Buffer, second: Buffer, boundary: string): Promise<number> {
  const url = new URL(on.baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => {
      socket.write(
        `POST /v1/users/${userId}/profile_image HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${on.secretKey}\r\n` +
          `Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${first.length + second.length}\r\nConnection: close\r\n\r\n`,
      );
      socket.write(first);
      setTimeout(() => socket.write(second), 30);
    });
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1])));
    socket.on('error', reject);
  });
}

test('many text fields before the file get the same answer wherever the network splits the body', async () => {
  const user = await createUser();
  const boundary = 'many-fields';
  const fields = Array.from({ length: 40 }, (_, i) => `--${boundary}\r\nContent-Disposition: form-data; name="field${i}"\r\n\r\n${'x'.repeat(100)}\r\n`);
  const filePart = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="blob"\r\nContent-Type: image/gif\r\n\r\n`),
    Buffer.from(GIF.bytes),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  // Split before, at and past the parser's field limit: the field that crosses it and the file part arrive apart.
  for (const split of [5, 16, 17, 30, 40]) {
    const status = await sendInTwoPackets(server, user.id, Buffer.from(fields.slice(0, split).join('')), Buffer.concat([Buffer.from(fields.slice(split).join('')), filePart]), boundary);
    assert.equal(status, 200, `split after field ${split}`);
  }
});

test('uploading needs the secret key, and an unauthenticated upload stores nothing', async () => {
  const user = await createUser();
  const before = storedFiles();
  const response = await send(server, 'POST', `/v1/users/${user.id}/profile_image`, { body: form(PNG.bytes), anonymous: true });
  assertClerkError(response, 401, 'authentication_invalid');
  assert.deepEqual(storedFiles(), before);
});

// ---------------------------------------------------------------------------------------
// Deleting
// ---------------------------------------------------------------------------------------

test('DELETE removes the file, clears has_image and points image_url back at the default avatar', async () => {
  const user = await createUser();
  const withImage = await uploadOk(user.id, WEBP);
  const key = keyOf(withImage.image_url);

  const response = await api(server, 'DELETE', `/v1/users/${user.id}/profile_image`, { headers: { 'content-type': 'application/json' } });
  assert.equal(response.status, 200, response.text);
  assert.equal(response.headers.get('content-type'), 'application/json');
  assertMatchesSpec('User', response.body);
  const cleared = response.body as UserJson;
  assert.equal(cleared.has_image, false);
  assert.equal(cleared.image_url, `${server.config.publicUrl}/images/default-avatar.svg`);
  assert.equal(cleared.profile_image_url, cleared.image_url);
  assert.ok(cleared.updated_at >= withImage.updated_at);

  assert.equal(fs.existsSync(path.join(server.config.imagesDir, key)), false);
  assertClerkError(await send(server, 'GET', `/images/${key}`, { anonymous: true }), 404, 'resource_not_found');
  const avatar = await fetchPublic(cleared.image_url);
  assert.equal(avatar.status, 200);
  assert.equal(avatar.headers.get('content-type'), 'image/svg+xml');
  assert.match(await avatar.text(), /^<svg /);
});

test('DELETE on a user without an image returns the user unchanged', async () => {
  const user = await createUser();
  const response = await api(server, 'DELETE', `/v1/users/${user.id}/profile_image`);
  assert.equal(response.status, 200, response.text);
  const body = response.body as UserJson;
  assert.equal(body.has_image, false);
  assert.equal(body.updated_at, user.updated_at);
});

test('DELETE for an unknown user answers 404', async () => {
  const response = await api(server, 'DELETE', '/v1/users/user_2xhFjEI5X2qWRvtV13BzSj8H6Dk/profile_image', { headers: { 'content-type': 'application/json' } });
  assertClerkError(response, 404, 'resource_not_found');
});

// ---------------------------------------------------------------------------------------
// Serving: nothing outside the images directory
// ---------------------------------------------------------------------------------------

test('image keys with ../ or encoded slashes answer 404 and never serve a file outside the directory', async () => {
  const user = await createUser(small);
  const key = keyOf((await uploadOk(user.id, PNG, small)).image_url, small);
  // Bait: an image one level up, next to the images directory, and a non-key file inside it.
  fs.writeFileSync(path.join(smallRoot, 'secret.png'), PNG.bytes);
  fs.writeFileSync(path.join(small.config.imagesDir, 'notakey.png'), PNG.bytes);

  for (const rawPath of [
    '/images/../secret.png',
    '/images/..%2Fsecret.png',
    '/images/..%2fsecret.png',
    '/images/%2e%2e%2fsecret.png',
    '/images/%2E%2E%2Fsecret.png',
    '/images/..%5Csecret.png',
    '/images/%2e%2e',
    '/images/..',
    '/images/notakey.png',
    `/images/${key}%2F..%2F..%2Fsecret.png`,
    `/images/${key.toUpperCase()}`,
    `/images/${key}%00`,
    `/images/${encodeURIComponent(path.join(smallRoot, 'secret.png'))}`,
  ]) {
    const response = await rawGet(small, rawPath);
    assert.notEqual(response.status, 200, rawPath);
    assertClerkError(response, 404, 'resource_not_found');
    assert.ok(!response.text.includes('PNG'), rawPath);
  }
  // The real key still works.
  assert.equal((await rawGet(small, `/images/${key}`)).status, 200);
});

test('a well-formed key with no file behind it answers 404, also with If-None-Match', async () => {
  const missing = 'img_0123456789ABCDEFGHIJKLMNOPQ.png';
  assertClerkError(await rawGet(server, `/images/${missing}`), 404, 'resource_not_found');
  const conditional = await send(server, 'GET', `/images/${missing}`, { anonymous: true, headers: { 'if-none-match': `"${missing}"` } });
  assertClerkError(conditional, 404, 'resource_not_found');
});

// ---------------------------------------------------------------------------------------
// Deleting the user
// ---------------------------------------------------------------------------------------

test(
  'deleting a user removes its image file',
  async () => {
    const user = await createUser();
    const key = keyOf((await uploadOk(user.id, PNG)).image_url);
    const response = await api(server, 'DELETE', `/v1/users/${user.id}`);
    assert.equal(response.status, 200, response.text);
    assert.equal(fs.existsSync(path.join(server.config.imagesDir, key)), false);
    assertClerkError(await send(server, 'GET', `/images/${key}`, { anonymous: true }), 404, 'resource_not_found');
  },
);
