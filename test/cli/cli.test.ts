import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { CONFIG_FLAGS } from '../../src/cli/options.js';
import { DEVELOPMENT_SECRET_KEY, loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/connection.js';
import { TokenCipher } from '../../src/oauth/crypto.js';
import { fillRichDatabase, testConfig } from '../snapshot/factories.js';
import { clerkd, startServer, tempDir } from './support.js';
import { PRODUCTION_ENV } from '../support/production.js';

/** The `clerkd` bin: help, one-line errors, export/import through files, reset, and the lock a running server holds. */

const dirs: string[] = [];
function dir(label: string): string {
  const created = tempDir(label);
  dirs.push(created);
  return created;
}
after(() => {
  for (const created of dirs) fs.rmSync(created, { recursive: true, force: true });
});

const SEED = {
  clerkd_snapshot: 1,
  users: [
    { id: 'user_seedalice', email_addresses: [{ email_address: 'alice@seed.test' }] },
    { id: 'user_seedbob', email_addresses: [{ email_address: 'bob@seed.test' }] },
  ],
};

function writeJson(folder: string, name: string, content: unknown): string {
  const file = path.join(folder, name);
  fs.writeFileSync(file, JSON.stringify(content));
  return file;
}

/** One line on stderr, starting with `clerkd: `, no stack trace. */
function assertOneLineError(result: { code: number | null; stderr: string; stdout: string }, expected: string | RegExp): void {
  assert.equal(result.code, 1, `exit code 1 (stderr: ${result.stderr})`);
  const lines = result.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line: ${result.stderr}`);
  assert.doesNotMatch(result.stderr, /\n\s+at /);
  if (typeof expected === 'string') assert.equal(lines[0], expected);
  else assert.match(lines[0]!, expected);
}

async function usersCount(port: number): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}/v1/users/count`, { headers: { authorization: `Bearer ${DEVELOPMENT_SECRET_KEY}` } });
  return ((await response.json()) as { total_count: number }).total_count;
}

test('--help lists every command and every flag with its environment variable and default', async () => {
  const result = await clerkd(['--help']);
  assert.equal(result.code, 0);
  for (const command of ['clerkd start', 'clerkd import FILE', 'clerkd export FILE|-', 'clerkd reset']) assert.ok(result.stdout.includes(command), command);
  for (const option of CONFIG_FLAGS) {
    assert.match(result.stdout, new RegExp(`--${option.flag} ${option.placeholder} +${option.env} .*\\[default: ${option.defaultValue.replace(/[()]/g, '\\$&')}\\]`));
  }
});

test('each command lists only the flags it reads', async () => {
  const result = await clerkd(['import', '--help']);
  assert.equal(result.code, 0);
  assert.match(result.stdout, /Usage: clerkd import FILE \[--replace\]/);
  assert.match(result.stdout, /--data-dir DIR/);
  assert.match(result.stdout, /--replace/);
  assert.doesNotMatch(result.stdout, /--port/);
});

test('the defaults --help prints are the ones the configuration applies', () => {
  const defaults = loadConfig({});
  for (const option of CONFIG_FLAGS) {
    if (option.defaultValue.startsWith('(') || option.defaultValue.includes('HOST')) continue;
    assert.deepEqual(loadConfig({ [option.env]: option.defaultValue }), defaults, `${option.env}=${option.defaultValue} is the default`);
  }
});

test('a flag that does not exist is one line and exit code 1', async () => {
  assertOneLineError(await clerkd(['start', '--prot', '3000']), 'clerkd: unknown option --prot for clerkd start (see clerkd start --help)');
  assertOneLineError(await clerkd(['export', '--port', '3000', 'out.json']), 'clerkd: unknown option --port for clerkd export (see clerkd export --help)');
  assertOneLineError(await clerkd(['frobnicate']), /^clerkd: unknown command "frobnicate"/);
  assertOneLineError(await clerkd(['import']), 'clerkd: clerkd import takes FILE (usage: clerkd import FILE [--replace] [options])');
});

test('a bad flag value is named by its flag', async () => {
  assertOneLineError(await clerkd(['start', '--port', 'http']), 'clerkd: --port must be an integer, got "http"');
  assertOneLineError(await clerkd(['start', '--port']), 'clerkd: --port needs a value (see clerkd start --help)');
});

test('an unreadable file is one line', async () => {
  const data = dir('unreadable');
  assertOneLineError(await clerkd(['import', path.join(data, 'missing.json'), '--data-dir', data]), `clerkd: cannot read ${path.join(data, 'missing.json')}: no such file`);
  const notJson = path.join(data, 'not.json');
  fs.writeFileSync(notJson, '{"clerkd_snapshot": 1,');
  assertOneLineError(await clerkd(['import', notJson, '--data-dir', data]), new RegExp(`^clerkd: ${notJson.replace(/[.]/g, '\\.')} is not valid JSON: `));
});

test('an invalid snapshot is refused with the record and field, and nothing is imported', async () => {
  const data = dir('invalid');
  assert.equal((await clerkd(['import', writeJson(data, 'first.json', { clerkd_snapshot: 1, users: [{ username: 'already_here' }] }), '--data-dir', data])).code, 0);
  const before = (await clerkd(['export', '-', '--data-dir', data])).stdout;
  const file = writeJson(data, 'bad.json', { ...SEED, users: [...SEED.users, { email_addresses: [{ email_address: 'ALICE@seed.test' }] }] });
  assertOneLineError(
    await clerkd(['import', file, '--data-dir', data]),
    `clerkd: cannot import ${file}: users[2].email_addresses[0].email_address: duplicate of users[0] (nothing was imported)`,
  );
  assert.equal((await clerkd(['export', '-', '--data-dir', data])).stdout, before);
});

test('export and import round-trip a database through files, tokens re-encrypted under another key', async () => {
  const source = dir('source');
  const target = dir('target');
  const config = testConfig({ CLERKD_DATA_DIR: source, CLERKD_DATABASE: 'clerkd.sqlite' });
  const database = openDatabase(config.databasePath, { busyTimeoutMs: config.busyTimeoutMs });
  await fillRichDatabase(database.db, config, new TokenCipher(config.encryptionKey));
  database.close();

  const first = path.join(source, 'first.json');
  const exported = await clerkd(['export', first, '--data-dir', source]);
  assert.equal(exported.code, 0, exported.stderr);
  assert.match(exported.stderr, /^exported 5 users, 2 organizations and 3 memberships to /);

  const otherKey = Buffer.alloc(32, 3).toString('base64');
  const imported = await clerkd(['import', first, '--data-dir', target, '--encryption-key', otherKey]);
  assert.equal(imported.code, 0, imported.stderr);
  assert.match(imported.stderr, /^imported 5 users, 2 organizations and 3 memberships from .* \(clerkd snapshot\)/);

  const second = await clerkd(['export', '-', '--data-dir', target], { CLERKD_ENCRYPTION_KEY: otherKey });
  assert.equal(second.code, 0, second.stderr);
  assert.equal(second.stdout, fs.readFileSync(first, 'utf8'));

  // Under the wrong key the tokens cannot be read: export says so instead of writing garbage.
  assertOneLineError(await clerkd(['export', '-', '--data-dir', target]), /^clerkd: cannot export: users\[\d\]\.external_accounts\[0\]\.access_token: could not be decrypted/);
});

test('import --replace swaps the data; without it an import adds to what is there', async () => {
  const data = dir('replace');
  const seed = writeJson(data, 'seed.json', SEED);
  assert.equal((await clerkd(['import', seed, '--data-dir', data])).code, 0);
  assertOneLineError(await clerkd(['import', seed, '--data-dir', data]), /users\[0\]\.id: already in the database \(nothing was imported\)$/);
  const replaced = await clerkd(['import', seed, '--replace', '--data-dir', data]);
  assert.equal(replaced.code, 0, replaced.stderr);
  assert.match(replaced.stderr, /\(replacing 2 users, 0 organizations and 0 memberships\)/);
});

test('import and reset refuse a database a running server uses, and work once it stops', async () => {
  const data = dir('locked');
  const seed = writeJson(data, 'seed.json', SEED);
  const server = await startServer(['--data-dir', data]);
  const database = path.join(data, 'clerkd.sqlite');
  const inUse = `clerkd: the database is in use by a running clerkd (${database}); stop it or use POST /_clerkd/reset`;
  try {
    assertOneLineError(await clerkd(['import', seed, '--data-dir', data]), inUse);
    assertOneLineError(await clerkd(['reset', '--data-dir', data]), inUse);
    // Export only reads: it runs beside the server.
    const exported = await clerkd(['export', '-', '--data-dir', data]);
    assert.equal(exported.code, 0, exported.stderr);
    assert.equal(await usersCount(server.port), 0);
  } finally {
    assert.equal(await server.stop(), 0, server.output());
  }
  const imported = await clerkd(['import', seed, '--data-dir', data]);
  assert.equal(imported.code, 0, imported.stderr);
});

test('reset wipes the database and applies --seed', async () => {
  const data = dir('reset');
  const seed = writeJson(data, 'seed.json', SEED);
  assert.equal((await clerkd(['import', writeJson(data, 'other.json', { clerkd_snapshot: 1, users: [{ username: 'someone' }] }), '--data-dir', data])).code, 0);
  const reset = await clerkd(['reset', '--data-dir', data, '--seed', seed]);
  assert.equal(reset.code, 0, reset.stderr);
  assert.match(reset.stderr, /deleted 1 user, 0 organizations and 0 memberships; seeded 2 users, 0 organizations and 0 memberships from /);
  const exported = JSON.parse((await clerkd(['export', '-', '--data-dir', data])).stdout) as { users: { id: string }[] };
  assert.deepEqual(exported.users.map((user) => user.id).sort(), ['user_seedalice', 'user_seedbob']);
});

test('reset is refused in production', async () => {
  const data = dir('production');
  const env = { ...PRODUCTION_ENV };
  assertOneLineError(await clerkd(['reset', '--data-dir', data], env), 'clerkd: reset is disabled when NODE_ENV=production');
});

test('CLERKD_SEED seeds an empty database at start and leaves a database with users alone', async () => {
  const data = dir('seed-start');
  const seed = writeJson(data, 'seed.json', SEED);
  const first = await startServer(['--data-dir', data, '--seed', seed]);
  try {
    assert.equal(await usersCount(first.port), 2);
    const response = await fetch(`http://127.0.0.1:${first.port}/v1/users/user_seedbob`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${DEVELOPMENT_SECRET_KEY}` },
    });
    assert.equal(response.status, 200);
  } finally {
    await first.stop();
  }
  const second = await startServer(['--data-dir', data], { CLERKD_SEED: seed });
  try {
    assert.equal(await usersCount(second.port), 1, 'not re-seeded: the database holds users');
    assert.match(second.output(), /CLERKD_SEED not applied/);
  } finally {
    await second.stop();
  }
});

test('a seed file that is refused stops the server at start with one line', async () => {
  const data = dir('seed-bad');
  const seed = writeJson(data, 'seed.json', { clerkd_snapshot: 1, users: [{ username: 'x' }] });
  const message = `${seed} is refused: users[0].username: Username must be between 4 and 64 characters long.`;
  assertOneLineError(await clerkd(['start', '--data-dir', data, '--port', '0'], { CLERKD_SEED: seed }), `clerkd: CLERKD_SEED: ${message}`);
  assertOneLineError(await clerkd(['start', '--data-dir', data, '--seed', seed, '--port', '0']), `clerkd: --seed: ${message}`);
});
