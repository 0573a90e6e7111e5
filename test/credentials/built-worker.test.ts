import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import bcryptjs from 'bcryptjs';
import { startBuiltServer } from '../support/built-server.js';
import { api } from '../support/server.js';

/**
 * The hash workers start from the compiled server too (dist/passwords/hash-worker.js; the
 * rest of the suite runs them from src/ under tsx). Needs `npm run build` first.
 */

test('the built server (dist/main.js) hashes and verifies passwords in its hash workers', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clerkd-built-hash-'));
  const secretKey = 'sk_test_built_hash_workers';
  const server = await startBuiltServer({ CLERKD_DATA_DIR: dataDir, CLERKD_SECRET_KEYS: secretKey, CLERKD_HASH_THREADS: '2' });
  const target = { baseUrl: server.baseUrl, secretKey };
  try {
    const password = 'Built-Server-Password-1!';
    const created = await api(target, 'POST', '/v1/users', { body: { email_address: ['built@example.com'], password } });
    assert.equal(created.status, 200, created.text);
    const id = (created.body as { id: string }).id;
    assert.equal((await api(target, 'POST', `/v1/users/${id}/verify_password`, { body: { password } })).status, 200);
    assert.equal((await api(target, 'POST', `/v1/users/${id}/verify_password`, { body: { password: 'wrong-password' } })).status, 422);

    const imported = await api(target, 'POST', '/v1/users', {
      body: { email_address: ['imported@example.com'], password_digest: bcryptjs.hashSync(password, 4), password_hasher: 'bcrypt' },
    });
    assert.equal(imported.status, 200, imported.text);
    const importedId = (imported.body as { id: string }).id;
    assert.equal((await api(target, 'POST', `/v1/users/${importedId}/verify_password`, { body: { password } })).status, 200);
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
