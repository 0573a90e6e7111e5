import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { TokenCipher } from '../../src/oauth/crypto.js';
import { exportSnapshot } from '../../src/snapshot/export.js';
import { importSnapshot } from '../../src/snapshot/import.js';
import { api, startTestServer } from '../support/server.js';

/**
 * Backup codes moved by a snapshot to a server with another CLERKD_ENCRYPTION_KEY still
 * work there (their bcrypt half), each once; on the server that made them, a guess costs
 * one HMAC (test/credentials covers that cost).
 */

test('backup codes exported under one encryption key verify, once each, after an import under another', async () => {
  const keyA = randomBytes(32).toString('base64');
  const keyB = randomBytes(32).toString('base64');
  const source = await startTestServer({ CLERKD_ENCRYPTION_KEY: keyA });
  const target = await startTestServer({ CLERKD_ENCRYPTION_KEY: keyB });
  try {
    const created = await api(source, 'POST', '/v1/users', { body: { first_name: 'Moved', backup_codes: ['moved-code-0001', 'moved-code-0002'] } });
    assert.equal(created.status, 200, created.text);
    const snapshot = exportSnapshot(source.db, new TokenCipher(source.config.encryptionKey));
    await importSnapshot(target.db, new TokenCipher(target.config.encryptionKey), JSON.parse(JSON.stringify(snapshot)));
    const id = (created.body as { id: string }).id;

    const verify = (code: string) => api(target, 'POST', `/v1/users/${id}/verify_totp`, { body: { code } });
    assert.equal((await verify('not-a-code-99')).status, 422);
    const used = await verify('moved-code-0002');
    assert.equal(used.status, 200, used.text);
    assert.deepEqual(used.body, { verified: true, code_type: 'backup_code' });
    assert.equal((await verify('moved-code-0002')).status, 422, 'a code works once');
    assert.equal((await verify('moved-code-0001')).status, 200);
  } finally {
    await source.close();
    await target.close();
  }
});
