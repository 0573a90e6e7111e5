import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mock, test } from 'node:test';
import { buildApp } from '../../src/app.js';
import { newId } from '../../src/ids.js';
import { ImageStore, STALE_UPLOAD_MS, UPLOAD_LEASE_REFRESH_MS } from '../../src/images/store.js';
import { PNG } from '../support/images.js';
import { uploadProfileImage } from '../support/fixtures.js';
import { api, startTestServer } from '../support/server.js';

/** The start-up sweep: stale temporary uploads go; image files stay, whoever refers to them. */

function setAge(file: string, ageMs: number): void {
  const when = new Date(Date.now() - ageMs);
  fs.utimesSync(file, when, when);
}

test('at start, a temporary upload untouched for longer than the bound is removed; a fresh one and every image file stay', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clerkd-orphans-'));
  const server = await startTestServer({ CLERKD_IMAGES_DIR: dir });
  try {
    const user = (await api(server, 'POST', '/v1/users', { body: { first_name: 'Orphan' } })).body as { id: string };
    const uploaded = await uploadProfileImage(server, user.id);
    assert.equal(uploaded.status, 200, uploaded.text);
    const referenced = path.basename(new URL((uploaded.body as { image_url: string }).image_url).pathname);
    // Not referenced here: perhaps another database's image, perhaps a crash's leftover. Either way it stays.
    const unreferenced = `${newId('img')}.png`;
    fs.writeFileSync(path.join(dir, unreferenced), PNG.bytes);
    setAge(path.join(dir, unreferenced), 2 * STALE_UPLOAD_MS);
    fs.writeFileSync(path.join(dir, '.upload-abandoned'), 'partial');
    setAge(path.join(dir, '.upload-abandoned'), STALE_UPLOAD_MS + 60_000);
    fs.writeFileSync(path.join(dir, '.upload-in-flight'), 'partial');
    setAge(path.join(dir, '.upload-in-flight'), STALE_UPLOAD_MS - 60_000);

    const restarted = await buildApp({ config: server.config, db: server.db, logger: false });
    await restarted.close();

    assert.deepEqual(fs.readdirSync(dir).sort(), ['.upload-in-flight', referenced, unreferenced].sort());
  } finally {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a paused upload keeps touching its temporary file, so no sweep takes it for abandoned', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clerkd-lease-'));
  const store = new ImageStore({ dir, maxBytes: 1024 * 1024 });
  mock.timers.enable({ apis: ['setInterval'] });
  let resume = () => {};
  const paused = new Promise<void>((resolve) => (resume = resolve));
  async function* slowClient(): AsyncIterable<Uint8Array> {
    yield PNG.bytes.subarray(0, 20);
    await paused;
    yield PNG.bytes.subarray(20);
  }
  try {
    const saving = store.save(slowClient());
    const temp = await (async () => {
      for (;;) {
        const name = fs.readdirSync(dir).find((entry) => entry.startsWith('.upload-'));
        if (name && fs.statSync(path.join(dir, name)).size === 20) return path.join(dir, name);
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    setAge(temp, 2 * STALE_UPLOAD_MS);
    mock.timers.tick(UPLOAD_LEASE_REFRESH_MS);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(Date.now() - fs.statSync(temp).mtimeMs < STALE_UPLOAD_MS, 'the lease refreshed the file');
    assert.equal(await new ImageStore({ dir, maxBytes: 1024 }).removeStaleUploads(), 0);

    resume();
    const stored = await saving;
    assert.deepEqual(fs.readFileSync(path.join(dir, stored.key)), Buffer.from(PNG.bytes));
  } finally {
    mock.timers.reset();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
