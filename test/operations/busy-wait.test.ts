import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { startBuiltServer, type BuiltServer } from '../support/built-server.js';
import { api, TEST_SECRET_KEY, uniqueEmail } from '../support/server.js';

/**
 * A write that waits for another process's lock (CLERKD_BUSY_TIMEOUT_MS) never freezes the
 * server: /healthz and image downloads answer meanwhile. Runs `npm start`'s entry point, so
 * the setting is proven to reach the database it configures.
 */

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

async function serverWithLockHolder(busyTimeoutMs: string): Promise<{ server: BuiltServer; holder: Database.Database; target: { baseUrl: string; secretKey: string } }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clerkd-busy-'));
  dirs.push(dataDir);
  const server = await startBuiltServer({ CLERKD_DATA_DIR: dataDir, CLERKD_SECRET_KEYS: TEST_SECRET_KEY, CLERKD_BUSY_TIMEOUT_MS: busyTimeoutMs });
  // Another process's write, as SQLite sees it: a second connection holding the write lock.
  const holder = new Database(path.join(dataDir, 'clerkd.sqlite'));
  return { server, holder, target: { baseUrl: server.baseUrl, secretKey: TEST_SECRET_KEY } };
}

async function stop(server: BuiltServer, holder: Database.Database): Promise<void> {
  if (holder.inTransaction) holder.exec('ROLLBACK');
  holder.close();
  server.child.kill('SIGTERM');
  await server.exited;
}

test('while a write waits for another process, /healthz and images answer, and the write lands once the lock is free', async () => {
  const { server, holder, target } = await serverWithLockHolder('60000');
  try {
    holder.exec('BEGIN IMMEDIATE');
    let settled = false;
    const write = api(target, 'POST', '/v1/users', { body: { email_address: [uniqueEmail('busy')] } }).finally(() => (settled = true));

    const health = await api(target, 'GET', '/healthz', { anonymous: true });
    const image = await api(target, 'GET', '/images/default-avatar.svg', { anonymous: true });
    const read = await api(target, 'GET', '/v1/users/count');
    assert.equal(health.status, 200);
    assert.equal(image.status, 200);
    assert.equal(read.status, 200, 'reads do not wait for the write lock');
    assert.equal(settled, false, 'the write is still waiting for the lock while the others were answered');

    holder.exec('COMMIT');
    const created = await write;
    assert.equal(created.status, 200, created.text);
    assert.equal((await api(target, 'GET', '/v1/users/count')).text, '{"object":"total_count","total_count":1}');
  } finally {
    await stop(server, holder);
  }
});

test('CLERKD_BUSY_TIMEOUT_MS=0 answers a blocked write 503 with Retry-After at once, under npm start', async () => {
  const { server, holder, target } = await serverWithLockHolder('0');
  try {
    holder.exec('BEGIN IMMEDIATE');
    // The lock is released only after the write answers, or after 4 s, well short of the 5 s
    // default a dropped setting would fall back to: the write must answer while it is held.
    let heldUntilAnswer = true;
    const guard = setTimeout(() => {
      heldUntilAnswer = false;
      holder.exec('COMMIT');
    }, 4000);
    const write = await api(target, 'POST', '/v1/users', { body: { email_address: [uniqueEmail('busy0')] } });
    clearTimeout(guard);
    assert.equal(heldUntilAnswer, true, 'answered while the lock was still held');
    assert.equal(write.status, 503, write.text);
    assert.equal(write.headers.get('retry-after'), '1');
    assert.equal((write.body as { errors: { code: string }[] }).errors[0]!.code, 'service_unavailable');
    if (holder.inTransaction) holder.exec('COMMIT');
    assert.equal((await api(target, 'GET', '/v1/users/count')).text, '{"object":"total_count","total_count":0}', 'the refused write stored nothing');
  } finally {
    await stop(server, holder);
  }
});
