import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { buildApp } from '../../src/app.js';
import { newId } from '../../src/ids.js';
import { PNG } from '../support/images.js';
import { uploadProfileImage } from '../support/fixtures.js';
import { api, startTestServer } from '../support/server.js';

test('at start, half-written uploads and images no user refers to are removed; referenced images stay', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clerkd-orphans-'));
  const server = await startTestServer({ CLERKD_IMAGES_DIR: dir });
  try {
    const user = (await api(server, 'POST', '/v1/users', { body: { first_name: 'Orphan' } })).body as { id: string };
    const uploaded = await uploadProfileImage(server, user.id);
    assert.equal(uploaded.status, 200, uploaded.text);
    const kept = path.basename(new URL((uploaded.body as { image_url: string }).image_url).pathname);
    // What a crash between writing a file and committing its row leaves behind.
    const orphan = `${newId('img')}.png`;
    fs.writeFileSync(path.join(dir, orphan), PNG.bytes);
    fs.writeFileSync(path.join(dir, '.upload-interrupted'), 'partial');

    const restarted = await buildApp({ config: server.config, db: server.db, logger: false });
    await restarted.close();

    assert.deepEqual(fs.readdirSync(dir).sort(), [kept]);
  } finally {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
