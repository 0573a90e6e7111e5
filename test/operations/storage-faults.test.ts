import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { openDatabase } from '../../src/db/connection.js';
import { MAIN, ROOT, startBuiltServer } from '../support/built-server.js';
import { sqliteOf } from '../support/db-fingerprint.js';
import { api, startTestServer, TEST_SECRET_KEY, uniqueEmail, type ApiResponse, type TestServer } from '../support/server.js';

/** A full disk, a read-only database and a corrupt file answer 503 naming the cause, and /healthz says so until the storage works again. */

const dirs: string[] = [];
function tempDir(label: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `clerkd-${label}-`));
  dirs.push(dir);
  return dir;
}
after(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

function assertStorageFault(response: ApiResponse, code: string, words: RegExp): void {
  assert.equal(response.status, 503, response.text);
  const [error] = (response.body as { errors: { code: string; long_message: string; meta: { cause: string } }[] }).errors;
  assert.equal(error!.code, code);
  assert.match(error!.long_message, words);
  assert.ok(response.headers.get('retry-after'), 'Retry-After is set');
}

async function createUser(server: TestServer): Promise<ApiResponse> {
  return api(server, 'POST', '/v1/users', { body: { email_address: [uniqueEmail('fault')], first_name: 'x'.repeat(2000) } });
}

test('a full disk answers 503 storage_full, /healthz answers 503 until a write succeeds again, and nothing half-written remains', async () => {
  const server = await startTestServer();
  const sqlite = sqliteOf(server.db);
  try {
    assert.equal((await createUser(server)).status, 200);
    // SQLite's page limit fails a write exactly as a full disk does (SQLITE_FULL).
    sqlite.pragma(`max_page_count = ${sqlite.pragma('page_count', { simple: true }) as number}`);
    let refused: ApiResponse | undefined;
    let created = 1;
    for (let i = 0; i < 50 && refused === undefined; i++) {
      const response = await createUser(server);
      if (response.status === 200) created += 1;
      else refused = response;
    }
    assert.ok(refused, 'a create met the full disk');
    assertStorageFault(refused, 'storage_full', /the disk is full/);
    assertStorageFault(await api(server, 'GET', '/healthz', { anonymous: true }), 'storage_full', /the disk is full/);
    assert.equal((await api(server, 'GET', '/v1/users/count')).text, `{"object":"total_count","total_count":${created}}`, 'the refused create left nothing');

    sqlite.pragma('max_page_count = 1073741823');
    assert.equal((await api(server, 'GET', '/healthz', { anonymous: true })).status, 200, 'the health probe finds the space again');
    assert.equal((await createUser(server)).status, 200);
    assert.equal(JSON.stringify(sqlite.pragma('integrity_check')), '[{"integrity_check":"ok"}]');
  } finally {
    await server.close();
  }
});

test('a read-only database answers 503 storage_read_only, and /healthz reports it until it is writable', async () => {
  const server = await startTestServer();
  const sqlite = sqliteOf(server.db);
  try {
    sqlite.pragma('query_only = ON');
    assertStorageFault(await createUser(server), 'storage_read_only', /read-only/);
    assertStorageFault(await api(server, 'GET', '/healthz', { anonymous: true }), 'storage_read_only', /read-only/);
    assert.equal((await api(server, 'GET', '/v1/users/count')).text, '{"object":"total_count","total_count":0}', 'nothing was written');
    sqlite.pragma('query_only = OFF');
    assert.equal((await api(server, 'GET', '/healthz', { anonymous: true })).status, 200);
  } finally {
    await server.close();
  }
});

/** A database with users whose email index pages are overwritten with garbage. */
function corruptIndexDatabase(): { dataDir: string; email: string } {
  const dataDir = tempDir('corrupt');
  const file = path.join(dataDir, 'clerkd.sqlite');
  const handle = openDatabase(file, { busyTimeoutMs: 0 });
  const sqlite = sqliteOf(handle.db);
  const email = 'victim@example.com';
  const now = Date.now();
  const insertUser = sqlite.prepare(`INSERT INTO users (id, created_at, updated_at) VALUES (?, ?, ?)`);
  const insertEmail = sqlite.prepare(`INSERT INTO email_addresses (id, user_id, email_address, status, created_at, updated_at) VALUES (?, ?, ?, 'verified', ?, ?)`);
  sqlite.transaction(() => {
    for (let i = 0; i < 2000; i++) {
      insertUser.run(`user_${String(i).padStart(27, '0')}`, now, now);
      insertEmail.run(`idn_${String(i).padStart(27, '0')}`, `user_${String(i).padStart(27, '0')}`, i === 1000 ? email : `u${i}@example.com`, now, now);
    }
  })();
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
  const pageSize = sqlite.pragma('page_size', { simple: true }) as number;
  const indexes = sqlite.prepare(`SELECT name, rootpage FROM sqlite_master WHERE type = 'index' AND tbl_name = 'email_addresses'`).all() as { name: string; rootpage: number }[];
  handle.close();
  const fd = fs.openSync(file, 'r+');
  for (const index of indexes) fs.writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (index.rootpage - 1) * pageSize);
  fs.closeSync(fd);
  return { dataDir, email };
}

test('a corrupt index answers 503 storage_corrupt on the lookup, and /healthz reports it from then on', async () => {
  const { dataDir, email } = corruptIndexDatabase();
  const server = await startBuiltServer({ CLERKD_DATA_DIR: dataDir, CLERKD_SECRET_KEYS: TEST_SECRET_KEY });
  const target = { baseUrl: server.baseUrl, secretKey: TEST_SECRET_KEY };
  try {
    const lookup = await api(target, 'GET', `/v1/users?email_address=${encodeURIComponent(email)}`);
    assertStorageFault(lookup, 'storage_corrupt', /corrupt/);
    assertStorageFault(await api(target, 'GET', '/healthz', { anonymous: true }), 'storage_corrupt', /corrupt/);
    assertStorageFault(await api(target, 'GET', '/healthz', { anonymous: true }), 'storage_corrupt', /corrupt/);
  } finally {
    server.child.kill('SIGKILL');
    await server.exited;
  }
});

function runStart(env: Record<string, string>): { status: number | null; stderr: string; stdout: string } {
  const result = spawnSync(process.execPath, [MAIN], { cwd: ROOT, env: { ...process.env, NODE_ENV: '', CLERKD_SECRET_KEYS: '', PORT: '0', ...env }, encoding: 'utf8', timeout: 20_000 });
  return { status: result.status, stderr: result.stderr, stdout: result.stdout };
}

function assertOneLine(result: { status: number | null; stderr: string }, pattern: RegExp): void {
  assert.equal(result.status, 1);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
}

test('a file that is not a database, or a directory in its place, ends start-up with one line naming it', () => {
  const dataDir = tempDir('notadb');
  const file = path.join(dataDir, 'clerkd.sqlite');
  fs.writeFileSync(file, 'this is not a database, it is a grocery list\n'.repeat(200));
  assertOneLine(runStart({ CLERKD_DATA_DIR: dataDir }), new RegExp(`^clerkd: cannot open the database ${file.replace(/[.]/g, '\\.')}: the file is not a SQLite database`));

  const other = tempDir('isdir');
  fs.mkdirSync(path.join(other, 'clerkd.sqlite'));
  assertOneLine(runStart({ CLERKD_DATA_DIR: other }), /^clerkd: cannot open the database .*clerkd\.sqlite: /);
});

test('a corrupt database file ends `clerkd export` with one line, not a stack trace', () => {
  const { dataDir } = corruptIndexDatabase();
  const file = path.join(dataDir, 'clerkd.sqlite');
  // Garble the schema page too: the file is then unreadable from its first query.
  const fd = fs.openSync(file, 'r+');
  fs.writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, 100);
  fs.closeSync(fd);
  const result = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'clerkd.js'), 'export', '-', '--data-dir', dataDir], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
  assertOneLine({ status: result.status, stderr: result.stderr }, /^clerkd: cannot open the database .*clerkd\.sqlite: the file is (corrupt|not a SQLite database)/);
});

test('a snapshot nested 100,000 deep is refused with one line, not a stack overflow', () => {
  const dataDir = tempDir('deep');
  const snapshot = path.join(dataDir, 'deep.json');
  fs.writeFileSync(snapshot, `{"clerkd_snapshot":1,"users":[{"public_metadata":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}]}`);
  const result = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'clerkd.js'), 'import', snapshot, '--data-dir', dataDir], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
  assertOneLine({ status: result.status, stderr: result.stderr }, /^clerkd: .*deep\.json nests JSON deeper than \d+ levels/);
});

test('the database file, its WAL and shared-memory file are readable by their owner only', async () => {
  const dataDir = tempDir('modes');
  const server = await startBuiltServer({ CLERKD_DATA_DIR: dataDir, CLERKD_SECRET_KEYS: TEST_SECRET_KEY });
  try {
    assert.equal((await api({ baseUrl: server.baseUrl, secretKey: TEST_SECRET_KEY }, 'POST', '/v1/users', { body: { email_address: [uniqueEmail('mode')] } })).status, 200);
    for (const name of ['clerkd.sqlite', 'clerkd.sqlite-wal', 'clerkd.sqlite-shm']) {
      const mode = fs.statSync(path.join(dataDir, name)).mode & 0o777;
      assert.equal(mode.toString(8), '600', name);
    }
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
  }
});

test('a database file created 0644 by an older clerkd is tightened to 0600 when opened', () => {
  const dataDir = tempDir('tighten');
  const file = path.join(dataDir, 'clerkd.sqlite');
  new Database(file).close();
  fs.chmodSync(file, 0o644);
  openDatabase(file, { busyTimeoutMs: 0 }).close();
  assert.equal((fs.statSync(file).mode & 0o777).toString(8), '600');
});
