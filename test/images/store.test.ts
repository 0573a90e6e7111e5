import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.js';
import { ClerkApiError } from '../../src/errors.js';
import { IMAGE_KEY_PATTERN, ImageStore } from '../../src/images/store.js';
import { GIF, JPEG, paddedImage, PNG, WEBP } from '../support/images.js';

const roots: string[] = [];
after(() => {
  for (const root of roots) fs.rmSync(root, { recursive: true, force: true });
});

/** A store in a fresh directory; the directory itself is created by the first save. */
function freshStore(maxBytes = 4096): ImageStore {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'clerkd-store-'));
  roots.push(root);
  return new ImageStore({ dir: path.join(root, 'images'), maxBytes });
}

function filesIn(store: ImageStore): string[] {
  return fs.existsSync(store.dir) ? fs.readdirSync(store.dir) : [];
}

async function rejectsWithCode(work: Promise<unknown>, status: number, code: string): Promise<void> {
  await assert.rejects(work, (error: unknown) => {
    assert.ok(error instanceof ClerkApiError, String(error));
    assert.equal(error.status, status);
    assert.equal(error.code, code);
    return true;
  });
}

/** A stream of `total` bytes in 100-byte chunks that records how many were pulled from it. */
function countingStream(head: Buffer, total: number): { stream: Readable; pulled: () => number } {
  let sent = 0;
  const stream = new Readable({
    highWaterMark: 100, // so read-ahead cannot hide how far the store read
    read() {
      if (sent >= total) return void this.push(null);
      const size = Math.min(100, total - sent);
      const chunk = Buffer.alloc(size);
      if (sent < head.length) head.copy(chunk, 0, sent, Math.min(head.length, sent + size));
      sent += size;
      this.push(chunk);
    },
  });
  return { stream, pulled: () => sent };
}

test('save writes the bytes under an opaque img_ key with the detected extension', async () => {
  const store = freshStore();
  for (const image of [PNG, JPEG, GIF, WEBP]) {
    const saved = await store.save(Readable.from([image.bytes.subarray(0, 5), image.bytes.subarray(5)]));
    assert.match(saved.key, IMAGE_KEY_PATTERN);
    assert.ok(saved.key.endsWith(`.${image.extension}`));
    assert.equal(saved.size, image.bytes.length);
    assert.deepEqual(fs.readFileSync(path.join(store.dir, saved.key)), image.bytes);
  }
  assert.equal(filesIn(store).length, 4);
});

test('save accepts a plain buffer', async () => {
  const store = freshStore();
  const saved = await store.save(PNG.bytes);
  assert.equal(saved.format.contentType, 'image/png');
  assert.deepEqual(filesIn(store), [saved.key]);
});

test('a non-image is refused with form_param_format_invalid and leaves no file', async () => {
  const store = freshStore();
  await rejectsWithCode(store.save(Readable.from([Buffer.from('hello, I am text wearing a .png name')])), 422, 'form_param_format_invalid');
  assert.deepEqual(filesIn(store), []);
});

test('an empty file is refused as missing and leaves no file', async () => {
  const store = freshStore();
  await rejectsWithCode(store.save(Readable.from([])), 400, 'form_param_missing');
  assert.deepEqual(filesIn(store), []);
});

test('an oversized stream is stopped as soon as it passes the limit, and its temporary file is deleted', async () => {
  const store = freshStore(1024);
  const { stream, pulled } = countingStream(PNG.bytes, 1_000_000);
  await rejectsWithCode(store.save(stream), 413, 'request_body_too_large');
  assert.ok(pulled() < 2048, `read ${pulled()} bytes of a 1 MB stream before refusing it`);
  assert.deepEqual(filesIn(store), []);
});

test('a file of exactly the limit is accepted', async () => {
  const store = freshStore(1024);
  const saved = await store.save(paddedImage(1024));
  assert.equal(saved.size, 1024);
});

test('a stream that fails midway leaves no file', async () => {
  const store = freshStore();
  async function* broken() {
    yield PNG.bytes;
    throw new Error('client went away');
  }
  await assert.rejects(store.save(broken()), /client went away/);
  assert.deepEqual(filesIn(store), []);
});

test('open and stat find a saved image; remove deletes it and ignores a missing one', async () => {
  const store = freshStore();
  const { key } = await store.save(GIF.bytes);
  assert.deepEqual(await store.stat(key), { format: { contentType: 'image/gif', extension: 'gif' }, size: GIF.bytes.length });
  const opened = await store.open(key);
  assert.ok(opened);
  const chunks: Buffer[] = [];
  for await (const chunk of opened.stream) chunks.push(chunk as Buffer);
  assert.deepEqual(Buffer.concat(chunks), GIF.bytes);

  assert.equal(await store.remove(key), true);
  assert.equal(await store.remove(key), false);
  assert.equal(await store.stat(key), null);
  assert.equal(await store.open(key), null);
});

test('keys that are not img_<KSUID>.<ext> never reach the filesystem', async () => {
  const store = freshStore();
  const root = path.dirname(store.dir);
  fs.mkdirSync(store.dir, { recursive: true });
  fs.writeFileSync(path.join(root, 'secret.png'), PNG.bytes);
  fs.writeFileSync(path.join(store.dir, 'notakey.png'), PNG.bytes);
  const valid = 'img_0123456789ABCDEFGHIJKLMNOPQ.png';
  for (const key of [
    '../secret.png',
    '..%2Fsecret.png',
    'notakey.png',
    `${valid}/..`,
    `../images/${valid}`,
    valid.toUpperCase(),
    valid.replace('.png', '.svg'),
    `${valid}\u0000`,
    '',
  ]) {
    assert.equal(await store.stat(key), null, key);
    assert.equal(await store.open(key), null, key);
    assert.equal(await store.remove(key), false, key);
  }
  assert.ok(fs.existsSync(path.join(root, 'secret.png')));
  assert.ok(fs.existsSync(path.join(store.dir, 'notakey.png')));
});

test('CLERKD_IMAGES_DIR defaults to <data dir>/images and a relative value is inside the data dir', () => {
  const dataDir = path.join(os.tmpdir(), 'clerkd-config-check');
  assert.equal(loadConfig({ CLERKD_DATA_DIR: dataDir }).imagesDir, path.join(dataDir, 'images'));
  assert.equal(loadConfig({ CLERKD_DATA_DIR: dataDir, CLERKD_IMAGES_DIR: 'pics' }).imagesDir, path.join(dataDir, 'pics'));
  assert.equal(loadConfig({ CLERKD_DATA_DIR: dataDir, CLERKD_IMAGES_DIR: '/srv/images' }).imagesDir, '/srv/images');
});

test('CLERKD_IMAGE_MAX_BYTES defaults to 10 MB and must be an integer from 1024 to 100 MB', () => {
  assert.equal(loadConfig({}).imageMaxBytes, 10 * 1024 * 1024);
  assert.equal(loadConfig({ CLERKD_IMAGE_MAX_BYTES: '2048' }).imageMaxBytes, 2048);
  for (const bad of ['1023', '10MB', '-1', String(100 * 1024 * 1024 + 1)]) {
    assert.throws(() => loadConfig({ CLERKD_IMAGE_MAX_BYTES: bad }), ConfigError, bad);
  }
});
