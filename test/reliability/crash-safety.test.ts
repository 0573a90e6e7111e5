import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { startBuiltServer, type BuiltServer } from '../support/built-server.js';
import { postJson, uploadProfileImage, type Target } from '../support/fixtures.js';
import { PNG_2X2 } from '../support/images.js';

/**
 * Crash safety: the built server (node dist/main.js) takes a mixed write load (creates,
 * metadata merges, profile image uploads, deletes) from parallel clients; every write it
 * acknowledges is recorded; it is killed with SIGKILL mid-stream, restarted on the same data
 * directory, killed again, several times. Afterwards every acknowledged write is there, the
 * database passes `PRAGMA integrity_check` (and the FTS index its own check), no user is
 * half-written, and no image file is left that no user refers to.
 */

const KEY = 'sk_test_crash_key';
const CYCLES = 3;
const WORKERS = 8;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clerkd-crash-'));
const env = {
  CLERKD_DATA_DIR: dataDir,
  CLERKD_SECRET_KEYS: KEY,
  CLERKD_ARGON2_MEMORY_KIB: '1024',
  CLERKD_ARGON2_TIME_COST: '1',
};

after(() => {
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** What the server acknowledged (answered 200 to) before it was killed. */
const acknowledged = {
  users: new Map<string, { email: string; username: string }>(),
  merges: [] as { userId: string; key: string; value: number }[],
  images: new Map<string, string>(),
  deletes: new Set<string>(),
};
let inFlightAtKill = 0;
let failedInFlight = 0;

function imageKeyOf(user: { image_url: string }): string {
  return user.image_url.slice(user.image_url.lastIndexOf('/') + 1);
}

let sequence = 0;
/** One client: create a user, then upload an image and merge metadata into it, or delete it. */
async function worker(target: Target, stop: { now: boolean }, inFlight: { count: number }): Promise<void> {
  const attempt = async <T>(work: () => Promise<T>): Promise<T | undefined> => {
    inFlight.count += 1;
    try {
      return await work();
    } catch {
      failedInFlight += 1; // the connection died with the server: not acknowledged
      return undefined;
    } finally {
      inFlight.count -= 1;
    }
  };
  while (!stop.now) {
    const n = ++sequence;
    const email = `crash${n}-${process.pid}@example.com`;
    const username = `crash${n}_${process.pid}`;
    const created = await attempt(() => postJson(target, '/v1/users', { email_address: [email], username, public_metadata: { n } }));
    if (created?.status !== 200) continue;
    const userId = (created.body as { id: string }).id;
    acknowledged.users.set(userId, { email, username });

    if (n % 5 === 0) {
      const deleted = await attempt(() => postJson(target, `/v1/users/${userId}`, {}, 'DELETE'));
      if (deleted?.status === 200) acknowledged.deletes.add(userId);
      continue;
    }
    const uploaded = await attempt(() => uploadProfileImage(target, userId, PNG_2X2.bytes));
    if (uploaded?.status === 200) acknowledged.images.set(userId, imageKeyOf(uploaded.body as { image_url: string }));
    for (let m = 0; m < 3 && !stop.now; m++) {
      const key = `m${m}`;
      const merged = await attempt(() => postJson(target, `/v1/users/${userId}/metadata`, { private_metadata: { [key]: n * 10 + m } }, 'PATCH'));
      if (merged?.status === 200) acknowledged.merges.push({ userId, key, value: n * 10 + m });
    }
  }
}

/** Image files the server removed at start (uploads published, but killed before their transaction committed). */
let orphansSwept = 0;
function countSwept(server: BuiltServer): void {
  for (const match of server.output().matchAll(/"abandonedImages":(\d+)/g)) orphansSwept += Number(match[1]);
}

async function loadThenKill(server: BuiltServer, runMs: number): Promise<void> {
  const stop = { now: false };
  const inFlight = { count: 0 };
  const target = { baseUrl: server.baseUrl, secretKey: KEY };
  const workers = Array.from({ length: WORKERS }, () => worker(target, stop, inFlight));
  await new Promise((resolve) => setTimeout(resolve, runMs));
  inFlightAtKill += inFlight.count;
  server.child.kill('SIGKILL');
  assert.equal(await server.exited, 'SIGKILL');
  stop.now = true;
  await Promise.all(workers);
}

async function getJson(target: Target, urlPath: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${target.baseUrl}${urlPath}`, { headers: { authorization: `Bearer ${target.secretKey}` } });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

async function checkAcknowledged(target: Target): Promise<void> {
  for (const [userId, { email, username }] of acknowledged.users) {
    const { status, body } = await getJson(target, `/v1/users/${userId}`);
    if (acknowledged.deletes.has(userId)) {
      assert.equal(status, 404, `acknowledged delete of ${userId} was lost`);
      continue;
    }
    assert.equal(status, 200, `acknowledged user ${userId} was lost`);
    assert.deepEqual(
      body.email_addresses.map((e: { email_address: string }) => e.email_address),
      [email],
    );
    assert.equal(body.username, username);
    const image = acknowledged.images.get(userId);
    if (image !== undefined) {
      assert.equal(imageKeyOf(body), image, `acknowledged profile image of ${userId} was lost`);
      const served = await fetch(`${target.baseUrl}/images/${image}`);
      assert.equal(served.status, 200, `image ${image} is referenced but not served`);
      assert.deepEqual(Buffer.from(await served.arrayBuffer()), PNG_2X2.bytes);
    }
  }
  const byUser = new Map<string, Record<string, unknown>>();
  for (const merge of acknowledged.merges) {
    if (!byUser.has(merge.userId)) byUser.set(merge.userId, (await getJson(target, `/v1/users/${merge.userId}`)).body.private_metadata);
    assert.equal(byUser.get(merge.userId)![merge.key], merge.value, `acknowledged merge ${merge.key} of ${merge.userId} was lost`);
  }
}

test('every acknowledged write survives SIGKILL mid-stream, and the data directory stays consistent', { timeout: 120_000 }, async () => {
  for (let cycle = 0; cycle < CYCLES; cycle++) {
    const server = await startBuiltServer(env);
    countSwept(server);
    // Everything acknowledged before earlier kills is still there after this restart.
    await checkAcknowledged({ baseUrl: server.baseUrl, secretKey: KEY });
    await loadThenKill(server, 900 + cycle * 300);
  }

  // A last restart: the orphan sweep runs at start; then a clean stop.
  const final = await startBuiltServer(env);
  countSwept(final);
  const target = { baseUrl: final.baseUrl, secretKey: KEY };
  await checkAcknowledged(target);
  final.child.kill('SIGTERM');
  assert.equal(await final.exited, 0);

  const writes = acknowledged.users.size + acknowledged.merges.length + acknowledged.images.size + acknowledged.deletes.size;
  console.log(
    `crash safety: ${CYCLES} SIGKILLs, ${writes} acknowledged writes (${acknowledged.users.size} creates, ${acknowledged.merges.length} merges, ` +
      `${acknowledged.images.size} image uploads, ${acknowledged.deletes.size} deletes), ${inFlightAtKill} requests in flight at the kills, ` +
      `${failedInFlight} cut off, ${orphansSwept} orphaned image files swept at restart; lost: 0`,
  );
  assert.ok(acknowledged.users.size >= 20 && acknowledged.images.size >= 5 && acknowledged.merges.length >= 10, 'the load did some work');
  assert.ok(inFlightAtKill > 0, 'the kills happened mid-stream');

  // The file itself, opened after the server stopped.
  const sqlite = new Database(path.join(dataDir, 'clerkd.sqlite'), { readonly: true });
  try {
    assert.equal(sqlite.pragma('integrity_check', { simple: true }), 'ok');
    assert.deepEqual(sqlite.pragma('foreign_key_check'), []);
    // The FTS5 index agrees with the users table (throws SQLITE_CORRUPT_VTAB if not).
    const writable = new Database(path.join(dataDir, 'clerkd.sqlite'));
    try {
      writable.prepare("INSERT INTO users_search(users_search, rank) VALUES ('integrity-check', 1)").run();
    } finally {
      writable.close();
    }

    // No half-written user: every user has the email it was created with, and its primary points at it.
    const halfWritten = sqlite
      .prepare(
        `SELECT u.id FROM users u
         WHERE NOT EXISTS (SELECT 1 FROM email_addresses e WHERE e.user_id = u.id)
            OR NOT EXISTS (SELECT 1 FROM email_addresses e WHERE e.id = u.primary_email_address_id AND e.user_id = u.id)`,
      )
      .all();
    assert.deepEqual(halfWritten, []);
    const orphanedEmails = sqlite.prepare('SELECT id FROM email_addresses WHERE user_id NOT IN (SELECT id FROM users)').all();
    assert.deepEqual(orphanedEmails, []);

    // Every image file is referenced by a user, and every reference has its file.
    const referenced = new Set((sqlite.prepare('SELECT profile_image_key AS key FROM users WHERE profile_image_key IS NOT NULL').all() as { key: string }[]).map((row) => row.key));
    // Temporary uploads (never served) are swept by age, not here; image files must all be accounted for.
    const files = fs.readdirSync(path.join(dataDir, 'images')).filter((file) => !file.startsWith('.upload-'));
    assert.deepEqual(files.filter((file) => !referenced.has(file)), [], 'image files no user refers to');
    assert.deepEqual([...referenced].filter((key) => !files.includes(key)), [], 'users referring to missing image files');
  } finally {
    sqlite.close();
  }
});
