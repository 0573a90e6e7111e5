import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { openDatabase } from '../../src/db/connection.js';
import { newId } from '../../src/ids.js';
import { pendingImageRepository } from '../../src/users/pending-image-repository.js';
import { startBuiltServer, type BuiltServer } from '../support/built-server.js';
import { PNG } from '../support/images.js';
import { api, TEST_SECRET_KEY } from '../support/server.js';

/**
 * An upload killed after its file took its key but before the user row pointed at it leaves
 * a `pending_images` row in its own database. A server that starts alone on that database
 * removes the file; one that starts beside a running server leaves it (that server may be in
 * the middle of exactly such an upload), and no server removes a file it has no row for.
 */

const roots: string[] = [];
after(() => {
  for (const root of roots) fs.rmSync(root, { recursive: true, force: true });
});

/** A data dir whose database has one abandoned upload (row and file) and one file it never knew. */
function leftovers(): { dataDir: string; abandoned: string; foreign: string } {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clerkd-abandoned-'));
  roots.push(dataDir);
  const imagesDir = path.join(dataDir, 'images');
  fs.mkdirSync(imagesDir);
  const abandoned = `${newId('img')}.png`;
  const foreign = `${newId('img')}.png`;
  fs.writeFileSync(path.join(imagesDir, abandoned), PNG.bytes);
  fs.writeFileSync(path.join(imagesDir, foreign), PNG.bytes);
  const handle = openDatabase(path.join(dataDir, 'clerkd.sqlite'), { busyTimeoutMs: 0 });
  pendingImageRepository.insert(handle.db, abandoned, Date.now());
  handle.close();
  return { dataDir, abandoned, foreign };
}

async function stop(server: BuiltServer): Promise<void> {
  server.child.kill('SIGTERM');
  await server.exited;
}

test('a server alone on its database removes the files of abandoned uploads, and only those', async () => {
  const { dataDir, abandoned, foreign } = leftovers();
  const server = await startBuiltServer({ CLERKD_DATA_DIR: dataDir, CLERKD_SECRET_KEYS: TEST_SECRET_KEY });
  try {
    assert.match(server.output(), /"abandonedImages":1/);
    assert.equal((await fetch(`${server.baseUrl}/images/${abandoned}`)).status, 404);
    assert.equal((await fetch(`${server.baseUrl}/images/${foreign}`)).status, 200, 'a file this database has no row for is not its to remove');
  } finally {
    await stop(server);
  }
  const handle = openDatabase(path.join(dataDir, 'clerkd.sqlite'), { busyTimeoutMs: 0 });
  assert.deepEqual(pendingImageRepository.all(handle.db), [], 'the row went with its file');
  handle.close();
});

test('a server that starts beside another on the same database leaves pending uploads alone', async () => {
  const { dataDir, abandoned } = leftovers();
  // The first server starts alone, and removes the old leftover.
  const first = await startBuiltServer({ CLERKD_DATA_DIR: dataDir, CLERKD_SECRET_KEYS: TEST_SECRET_KEY });
  try {
    // What a live upload looks like from outside: a row and a published file, not yet referenced.
    const inWindow = `${newId('img')}.png`;
    fs.writeFileSync(path.join(dataDir, 'images', inWindow), PNG.bytes);
    const handle = openDatabase(path.join(dataDir, 'clerkd.sqlite'), { busyTimeoutMs: 1000 });
    pendingImageRepository.insert(handle.db, inWindow, Date.now());
    handle.close();

    const second = await startBuiltServer({ CLERKD_DATA_DIR: dataDir, CLERKD_SECRET_KEYS: TEST_SECRET_KEY });
    try {
      assert.doesNotMatch(second.output(), /abandonedImages/);
      assert.equal((await fetch(`${second.baseUrl}/images/${inWindow}`)).status, 200);
    } finally {
      await stop(second);
    }
    assert.ok(!fs.existsSync(path.join(dataDir, 'images', abandoned)), 'the first server, alone at its start, had removed the old leftover');
  } finally {
    await stop(first);
  }
});

test('a completed upload leaves no pending row behind', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clerkd-abandoned-'));
  roots.push(dataDir);
  const server = await startBuiltServer({ CLERKD_DATA_DIR: dataDir, CLERKD_SECRET_KEYS: TEST_SECRET_KEY });
  const target = { baseUrl: server.baseUrl, secretKey: TEST_SECRET_KEY };
  try {
    const user = (await api(target, 'POST', '/v1/users', { body: { first_name: 'Pending' } })).body as { id: string };
    const form = new FormData();
    form.append('file', new Blob([PNG.bytes], { type: 'image/png' }), 'a.png');
    assert.equal((await api(target, 'POST', `/v1/users/${user.id}/profile_image`, { formData: form })).status, 200);
  } finally {
    await stop(server);
  }
  const handle = openDatabase(path.join(dataDir, 'clerkd.sqlite'), { busyTimeoutMs: 0 });
  assert.deepEqual(pendingImageRepository.all(handle.db), []);
  handle.close();
});
