import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { newId } from '../../src/ids.js';
import { uploadProfileImage } from '../support/fixtures.js';
import { PNG } from '../support/images.js';
import { api, startTestServer, type TestServer } from '../support/server.js';

/** /images/<key> serves regular files in the images directory only: never through a link, never a FIFO. */

let server: TestServer;
let root: string;
let images: string;

before(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'clerkd-links-'));
  images = path.join(root, 'images');
  server = await startTestServer({ CLERKD_IMAGES_DIR: images });
});
after(async () => {
  await server.close();
  fs.rmSync(root, { recursive: true, force: true });
});

async function uploadOne(): Promise<string> {
  const user = (await api(server, 'POST', '/v1/users', { body: { first_name: 'Link' } })).body as { id: string };
  const uploaded = await uploadProfileImage(server, user.id);
  assert.equal(uploaded.status, 200, uploaded.text);
  return path.basename(new URL((uploaded.body as { image_url: string }).image_url).pathname);
}

test("a symbolic link under a valid key name answers 404, never its target's bytes", async () => {
  await uploadOne();
  const outside = path.join(root, 'outside.png');
  fs.writeFileSync(outside, PNG.bytes);
  for (const target of ['/etc/passwd', outside]) {
    const key = `${newId('img')}.png`;
    fs.symlinkSync(target, path.join(images, key));
    const response = await fetch(`${server.baseUrl}/images/${key}`);
    const body = Buffer.from(await response.arrayBuffer());
    assert.equal(response.status, 404, `a link to ${target}`);
    assert.ok(!body.includes(Buffer.from(fs.readFileSync(target)).subarray(0, 8)), `the body of a link to ${target}`);
    const revalidated = await fetch(`${server.baseUrl}/images/${key}`, { headers: { 'if-none-match': `"${key}"` } });
    assert.equal(revalidated.status, 404, `a link to ${target}, with If-None-Match`);
  }
});

test('a FIFO under a valid key name answers 404 at once instead of blocking the request', async () => {
  await uploadOne();
  const key = `${newId('img')}.png`;
  execFileSync('mkfifo', [path.join(images, key)]);
  const response = await fetch(`${server.baseUrl}/images/${key}`, { signal: AbortSignal.timeout(3000) });
  assert.equal(response.status, 404);
});

test('the images directory and its files are not open to other users; the owner reads and writes them', async () => {
  const key = await uploadOne();
  const dirMode = fs.statSync(images).mode & 0o777;
  const fileMode = fs.statSync(path.join(images, key)).mode & 0o777;
  assert.equal(dirMode & 0o007, 0, `directory mode ${dirMode.toString(8)}`);
  assert.equal(dirMode & 0o700, 0o700, `directory mode ${dirMode.toString(8)}`);
  assert.equal(fileMode & 0o077 & ~0o040, 0, `file mode ${fileMode.toString(8)}`);
  assert.equal(fileMode & 0o600, 0o600, `file mode ${fileMode.toString(8)}`);
});
