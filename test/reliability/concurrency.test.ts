import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { assertClerkErrorBody, errorCode } from '../support/clerk-errors.js';
import { ROOT, startBuiltServer, type BuiltServer } from '../support/built-server.js';
import { fingerprint } from '../support/db-fingerprint.js';
import { postJson, uploadProfileImage, type Target } from '../support/fixtures.js';
import { PNG } from '../support/images.js';
import { rawRequest } from '../support/raw-http.js';
import { startTestServer, unique, type TestServer } from '../support/server.js';

/**
 * Parallel requests through HTTP, against one in-process server and against two clerkd
 * processes sharing one SQLite file (where the races are real: two writers, one lock).
 * Then SQLite's busy and locked conditions: a lock held briefly by another process is
 * waited for; one held past CLERKD_BUSY_TIMEOUT_MS answers 503 in Clerk's shape with
 * Retry-After, never 500, and leaves nothing behind.
 */

const KEY = 'sk_test_concurrency_key';
const LOCKOUT_ATTEMPTS = 5;
const PARALLEL = 24;

interface Cluster {
  name: string;
  /** Request i goes to targets[i % targets.length]. */
  targets: Target[];
}

let inProcess: TestServer;
let processes: BuiltServer[] = [];
let dataDir: string;
const clusters: Cluster[] = [];

before(async () => {
  inProcess = await startTestServer({ CLERKD_LOCKOUT_MAX_ATTEMPTS: String(LOCKOUT_ATTEMPTS) });
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clerkd-concurrency-'));
  const env = {
    CLERKD_DATA_DIR: dataDir,
    CLERKD_SECRET_KEYS: KEY,
    CLERKD_ARGON2_MEMORY_KIB: '1024',
    CLERKD_ARGON2_TIME_COST: '1',
    CLERKD_LOCKOUT_MAX_ATTEMPTS: String(LOCKOUT_ATTEMPTS),
  };
  // One after the other: both migrate the same file at start.
  processes.push(await startBuiltServer(env));
  processes.push(await startBuiltServer(env));
  clusters.push({ name: 'one in-process server', targets: [inProcess] });
  clusters.push({ name: 'two processes on one database file', targets: processes.map((p) => ({ baseUrl: p.baseUrl, secretKey: KEY })) });
});

after(async () => {
  await inProcess.close();
  for (const child of processes) child.child.kill('SIGTERM');
  await Promise.all(processes.map((child) => child.exited));
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function targetFor(cluster: Cluster, i: number): Target {
  return cluster.targets[i % cluster.targets.length]!;
}

async function get(target: Target, urlPath: string): Promise<{ status: number; body: unknown; text: string }> {
  const response = await fetch(`${target.baseUrl}${urlPath}`, { headers: { authorization: `Bearer ${target.secretKey}` } });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, text };
}

async function createUser(target: Target, body: Record<string, unknown>): Promise<{ id: string; [key: string]: unknown }> {
  const response = await postJson(target, '/v1/users', body);
  assert.equal(response.status, 200, response.text);
  return response.body as { id: string };
}

function statuses(responses: { status: number }[]): string {
  const counts = new Map<number, number>();
  for (const { status } of responses) counts.set(status, (counts.get(status) ?? 0) + 1);
  return [...counts].map(([status, n]) => `${status}×${n}`).join(' ');
}

for (const clusterIndex of [0, 1]) {
  describe(`parallel requests (${clusterIndex === 0 ? 'one in-process server' : 'two processes on one database file'})`, () => {
    const cluster = () => clusters[clusterIndex]!;

    for (const field of ['email_address', 'username', 'phone_number', 'external_id'] as const) {
      test(`${PARALLEL} parallel creates with the same ${field}: exactly one 200, the rest 422 form_identifier_exists`, async () => {
        const value =
          field === 'email_address'
            ? `${unique('race')}@example.com`
            : field === 'phone_number'
              ? `+1555${String(Date.now() % 10_000_000).padStart(7, '0')}`
              : unique('race');
        const body = field === 'email_address' || field === 'phone_number' ? { [field]: [value] } : { [field]: value };
        const responses = await Promise.all(
          Array.from({ length: PARALLEL }, (_, i) => postJson(targetFor(cluster(), i), '/v1/users', { ...body, password: `Parallel-pass-${i}-xyz` })),
        );
        const ok = responses.filter((response) => response.status === 200);
        assert.equal(ok.length, 1, statuses(responses));
        for (const refused of responses.filter((response) => response.status !== 200)) {
          assert.equal(refused.status, 422, refused.text);
          assertClerkErrorBody(refused.body, field);
          assert.equal(errorCode(refused.body), 'form_identifier_exists', refused.text);
        }
        const filter = field === 'external_id' ? `external_id=${value}` : `${field}=${encodeURIComponent(value)}`;
        const count = await get(targetFor(cluster(), 1), `/v1/users/count?${filter}`);
        assert.deepEqual(count.body, { object: 'total_count', total_count: 1 });
      });
    }

    test(`${PARALLEL} parallel metadata merges of different keys all land`, async () => {
      const user = await createUser(targetFor(cluster(), 0), { public_metadata: { seed: true } });
      const responses = await Promise.all(
        Array.from({ length: PARALLEL }, (_, i) =>
          postJson(
            targetFor(cluster(), i),
            `/v1/users/${user.id}/metadata`,
            { public_metadata: { [`k${i}`]: i, nested: { [`n${i}`]: i } }, private_metadata: { [`p${i}`]: `v${i}` } },
            'PATCH',
          ),
        ),
      );
      assert.deepEqual(
        responses.map((response) => response.status),
        responses.map(() => 200),
        statuses(responses),
      );
      const final = (await get(targetFor(cluster(), 1), `/v1/users/${user.id}`)).body as { public_metadata: Record<string, unknown>; private_metadata: Record<string, unknown> };
      const expectedPublic: Record<string, unknown> = { seed: true, nested: {} };
      const expectedPrivate: Record<string, unknown> = {};
      for (let i = 0; i < PARALLEL; i++) {
        expectedPublic[`k${i}`] = i;
        (expectedPublic.nested as Record<string, number>)[`n${i}`] = i;
        expectedPrivate[`p${i}`] = `v${i}`;
      }
      assert.deepEqual(final.public_metadata, expectedPublic);
      assert.deepEqual(final.private_metadata, expectedPrivate);
    });

    test('one backup code used in parallel succeeds exactly once', async () => {
      const codes = ['race-code-0001', 'race-code-0002', 'race-code-0003'];
      const user = await createUser(targetFor(cluster(), 0), { backup_codes: codes });
      const responses = await Promise.all(
        Array.from({ length: 12 }, (_, i) => postJson(targetFor(cluster(), i), `/v1/users/${user.id}/verify_totp`, { code: codes[0] })),
      );
      const ok = responses.filter((response) => response.status === 200);
      assert.equal(ok.length, 1, statuses(responses));
      assert.deepEqual(ok[0]!.body, { verified: true, code_type: 'backup_code' });
      // The losers count as failed attempts: at most the lockout's 10 are compared, the rest find the user locked.
      const refused = responses.filter((response) => response.status !== 200);
      for (const response of refused) {
        const expected = response.status === 422 ? 'totp_incorrect_code' : 'user_locked';
        assert.ok(response.status === 422 || response.status === 403, response.text);
        assert.equal(errorCode(response.body), expected, response.text);
      }
      assert.ok(refused.filter((response) => response.status === 422).length <= 10, statuses(responses));
      // Unlock, then the
      // other codes are untouched, and the used one stays used.
      assert.equal((await postJson(targetFor(cluster(), 0), `/v1/users/${user.id}/unlock`, {})).status, 200);
      assert.equal((await postJson(targetFor(cluster(), 1), `/v1/users/${user.id}/verify_totp`, { code: codes[1] })).status, 200);
      assert.equal((await postJson(targetFor(cluster(), 0), `/v1/users/${user.id}/verify_totp`, { code: codes[0] })).status, 422);
    });

    test('parallel wrong passwords count every attempt once, never go below zero, and lock the user', async () => {
      const password = 'Right-password-7781';
      const user = await createUser(targetFor(cluster(), 0), { password });
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, i) => postJson(targetFor(cluster(), i), `/v1/users/${user.id}/verify_password`, { password: `wrong-password-${i}` })),
      );
      const remaining: number[] = [];
      for (const response of responses) {
        assert.ok(response.status === 422 || response.status === 403, response.text);
        assertClerkErrorBody(response.body, 'verify_password');
        const [error] = (response.body as { errors: { code: string; meta: Record<string, unknown> }[] }).errors;
        if (response.status === 422) {
          assert.equal(error!.code, 'incorrect_password');
          const left = error!.meta.verification_attempts_remaining as number;
          assert.ok(Number.isInteger(left) && left >= 0, `attempts remaining ${left}`);
          remaining.push(left);
        } else assert.equal(error!.code, 'user_locked');
      }
      // Each attempt before the lock saw its own count: 4, 3, 2, 1, 0, with none skipped or repeated.
      const positives = remaining.filter((left) => left > 0).sort((a, b) => b - a);
      assert.deepEqual(positives, Array.from({ length: LOCKOUT_ATTEMPTS - 1 }, (_, i) => LOCKOUT_ATTEMPTS - 1 - i), `remaining ${remaining.join(',')}`);
      assert.ok(remaining.includes(0), 'the last counted attempt had 0 left');
      const after = (await get(targetFor(cluster(), 1), `/v1/users/${user.id}`)).body as { locked: boolean; verification_attempts_remaining: number };
      assert.equal(after.locked, true);
      assert.equal(after.verification_attempts_remaining, 0);
      // Locked means locked: the right password is refused too.
      const right = await postJson(targetFor(cluster(), 0), `/v1/users/${user.id}/verify_password`, { password });
      assert.equal(right.status, 403, right.text);
      assert.equal(errorCode(right.body), 'user_locked');
    });
  });
}

describe('SQLite busy and locked', () => {
  let server: TestServer;
  let busyDir: string;
  let databaseFile: string;
  let userId: string;
  const BUSY_TIMEOUT_MS = 150;

  before(async () => {
    busyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clerkd-busy-'));
    databaseFile = path.join(busyDir, 'clerkd.sqlite');
    server = await startTestServer({
      CLERKD_DATA_DIR: busyDir,
      CLERKD_DATABASE: databaseFile,
      CLERKD_IMAGES_DIR: path.join(busyDir, 'images'),
      CLERKD_BUSY_TIMEOUT_MS: String(BUSY_TIMEOUT_MS),
    });
    userId = (await createUser(server, { email_address: [`${unique('busy')}@example.com`], password: 'Busy-password-1234' })).id;
  });
  after(async () => {
    await server.close();
    fs.rmSync(busyDir, { recursive: true, force: true });
  });

  test('the server really uses the file, with the configured busy timeout', () => {
    assert.equal(server.config.databasePath, databaseFile);
    assert.equal(server.config.busyTimeoutMs, BUSY_TIMEOUT_MS);
    assert.ok(fs.existsSync(databaseFile));
  });

  const WRITES: { name: string; send: (target: TestServer) => Promise<{ status: number; body: unknown; text: string; retryAfter?: string | null; contentType?: string | null }> }[] = [
    { name: 'create user', send: (t) => postJson(t, '/v1/users', { email_address: [`${unique('b')}@example.com`] }) },
    { name: 'create user with a password', send: (t) => postJson(t, '/v1/users', { password: 'Another-busy-pass-1' }) },
    { name: 'update user', send: (t) => postJson(t, `/v1/users/${userId}`, { first_name: 'Busy' }, 'PATCH') },
    { name: 'merge metadata', send: (t) => postJson(t, `/v1/users/${userId}/metadata`, { public_metadata: { busy: true } }, 'PATCH') },
    { name: 'replace metadata', send: (t) => postJson(t, `/v1/users/${userId}/metadata`, { public_metadata: { busy: true } }, 'PUT') },
    { name: 'wrong password (counts an attempt)', send: (t) => postJson(t, `/v1/users/${userId}/verify_password`, { password: 'not-the-password' }) },
    { name: 'ban', send: (t) => postJson(t, `/v1/users/${userId}/ban`, {}) },
    { name: 'create organization', send: (t) => postJson(t, '/v1/organizations', { name: 'Busy Org' }) },
    { name: 'profile image upload', send: (t) => uploadProfileImage(t, userId, PNG.bytes) },
    { name: 'link external account', send: (t) => postJson(t, `/_clerkd/users/${userId}/external_accounts`, { provider: 'oauth_google', provider_user_id: unique('g'), access_token: 'busy-token' }) },
    { name: 'delete user', send: (t) => postJson(t, `/v1/users/${userId}`, {}, 'DELETE') },
  ];

  test('a write lock held past the busy timeout by another connection answers 503 with Retry-After on every write, and changes nothing', async () => {
    const holder = new Database(databaseFile);
    try {
      holder.prepare('BEGIN IMMEDIATE').run();
      for (const write of WRITES) {
        const before = fingerprint(server.db, server.config.imagesDir).hash;
        const started = Date.now();
        const response = await write.send(server);
        const context = `${write.name}: ${response.status} ${response.text.slice(0, 200)}`;
        assert.equal(response.status, 503, context);
        assertClerkErrorBody(response.body, context);
        assert.equal(errorCode(response.body), 'service_unavailable', context);
        assert.ok(Date.now() - started >= BUSY_TIMEOUT_MS - 20, `${write.name} gave up before the busy timeout`);
        assert.equal(fingerprint(server.db, server.config.imagesDir).hash, before, `${write.name} left something behind`);
      }
      // Headers, checked once over raw HTTP.
      const raw = await rawRequest(server.baseUrl, {
        method: 'POST',
        target: '/v1/users',
        headers: [
          ['Authorization', `Bearer ${server.secretKey}`],
          ['Content-Type', 'application/json'],
        ],
        body: '{}',
      });
      assert.equal(raw.status, 503);
      assert.equal(raw.headers['retry-after'], '1');
      assert.equal(raw.headers['content-type'], 'application/json');
      // Readers are not blocked by a writer (WAL).
      assert.equal((await get(server, `/v1/users/${userId}`)).status, 200);
      assert.equal((await get(server, '/v1/users?limit=5')).status, 200);
    } finally {
      holder.prepare('ROLLBACK').run();
      holder.close();
    }
    // Once the lock is gone every write goes through again, and the user was neither banned nor deleted.
    const user = (await get(server, `/v1/users/${userId}`)).body as { banned: boolean; public_metadata: Record<string, unknown> };
    assert.equal(user.banned, false);
    assert.deepEqual(user.public_metadata, {});
    assert.equal((await postJson(server, `/v1/users/${userId}/metadata`, { public_metadata: { after: true } }, 'PATCH')).status, 200);
  });

  test('an exclusive lock (a checkpoint or VACUUM in another process) answers 503 too, never 500', async () => {
    const holder = new Database(databaseFile);
    try {
      holder.prepare('BEGIN EXCLUSIVE').run();
      const response = await postJson(server, '/v1/users', { email_address: [`${unique('x')}@example.com`] });
      assert.equal(response.status, 503, response.text);
      assert.equal(errorCode(response.body), 'service_unavailable');
    } finally {
      holder.prepare('ROLLBACK').run();
      holder.close();
    }
  });

  test('a lock another process releases within the busy timeout is waited for, and the write succeeds', async () => {
    const waitingServer = await startTestServer({
      CLERKD_DATA_DIR: busyDir,
      CLERKD_DATABASE: databaseFile,
      CLERKD_IMAGES_DIR: path.join(busyDir, 'images'),
      CLERKD_BUSY_TIMEOUT_MS: '5000',
    });
    // A separate process: this one's event loop stands still while SQLite waits.
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `const db = new (require('better-sqlite3'))(process.argv[1]); db.prepare('BEGIN IMMEDIATE').run(); process.stdout.write('locked\\n'); setTimeout(() => { db.prepare('COMMIT').run(); db.close(); }, 400);`,
        databaseFile,
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('locked') && resolve());
        holder.on('exit', (code) => reject(new Error(`the lock holder exited early (${code})`)));
      });
      const started = Date.now();
      const response = await postJson(waitingServer, '/v1/users', { email_address: [`${unique('wait')}@example.com`] });
      assert.equal(response.status, 200, response.text);
      assert.ok(Date.now() - started >= 200, 'the write waited for the lock');
    } finally {
      holder.kill();
      await waitingServer.close();
    }
  });
});
