import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { buildApp } from '../../src/app.js';
import { newId } from '../../src/ids.js';
import { PNG } from '../support/images.js';
import { api, startTestServer } from '../support/server.js';

test('at start, half-written uploads and images no user refers to are removed; referenced images stay', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clerkd-orphans-'));
  const server = await startTestServer({ CLERKD_IMAGES_DIR: dir });
  try {
    const user = (await api(server, 'POST', '/v1/users', { body: { first_name: 'Orphan' } })).body as { id: string };
    const form = new FormData();
    form.append('file', new Blob([PNG.bytes], { type: 'image/png' }), 'blob');
    const uploaded = await fetch(`${server.baseUrl}/v1/users/${user.id}/profile_image`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.secretKey}` },
      body: form,
    });
    assert.equal(uploaded.status, 200);
    const kept = path.basename(new URL(((await uploaded.json()) as { image_url: string }).image_url).pathname);
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
