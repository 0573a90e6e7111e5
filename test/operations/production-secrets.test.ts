import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { ConfigError, DEVELOPMENT_SECRET_KEY, loadConfig } from '../../src/config.js';
import { DEVELOPMENT_ENCRYPTION_KEY } from '../../src/oauth/crypto.js';
import { MAIN, ROOT } from '../support/built-server.js';
import { PRODUCTION_ENV, PRODUCTION_SECRET_KEY } from '../support/production.js';

/** NODE_ENV=production refuses short, placeholder and well-known secrets, with a message that says why. */

function refused(env: Record<string, string>, pattern: RegExp): void {
  assert.throws(() => loadConfig({ ...PRODUCTION_ENV, ...env }), (error: unknown) => error instanceof ConfigError && pattern.test(error.message), JSON.stringify(env));
}

test('production refuses a short secret key, saying how long one must be', () => {
  refused({ CLERKD_SECRET_KEYS: 'a' }, /at least 32 characters, this one has 1/);
  refused({ CLERKD_SECRET_KEYS: `${PRODUCTION_SECRET_KEY},sk_live_short` }, /CLERKD_SECRET_KEYS \(key 2\): a key must have at least 32/);
});

test("production refuses the compose file's old placeholder and other placeholder keys", () => {
  refused({ CLERKD_SECRET_KEYS: 'sk_test_change_me' }, /CLERKD_SECRET_KEYS/);
  refused({ CLERKD_SECRET_KEYS: 'sk_live_change_me_change_me_change_me_0123' }, /looks like a placeholder/);
  refused({ CLERKD_SECRET_KEYS: 'sk_live_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' }, /looks like a placeholder/);
  refused({ CLERKD_SECRET_KEYS: DEVELOPMENT_SECRET_KEY }, /well-known development key/);
});

test('production refuses an all-zero, a repeated-byte or the development encryption key', () => {
  refused({ CLERKD_ENCRYPTION_KEY: Buffer.alloc(32).toString('base64') }, /CLERKD_ENCRYPTION_KEY: it is not random/);
  refused({ CLERKD_ENCRYPTION_KEY: '00'.repeat(32) }, /CLERKD_ENCRYPTION_KEY: it is not random/);
  refused({ CLERKD_ENCRYPTION_KEY: 'ab'.repeat(32) }, /CLERKD_ENCRYPTION_KEY: it is not random/);
  refused({ CLERKD_ENCRYPTION_KEY: DEVELOPMENT_ENCRYPTION_KEY }, /development key/);
});

test('development mode keeps accepting short keys, as local set-ups use them', () => {
  assert.deepEqual(loadConfig({ CLERKD_SECRET_KEYS: 'a' }).secretKeys, ['a']);
});

test('the entry point refuses a weak production secret with one line and exit code 1', () => {
  const result = spawnSync(process.execPath, [MAIN], {
    cwd: ROOT,
    env: { ...process.env, ...PRODUCTION_ENV, CLERKD_SECRET_KEYS: 'sk_test_change_me', CLERKD_DATABASE: ':memory:', PORT: '0' },
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.equal(result.status, 1);
  assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  assert.match(result.stderr, /^clerkd: NODE_ENV=production refuses CLERKD_SECRET_KEYS: a key must have at least 32 characters/);
  assert.doesNotMatch(result.stderr + result.stdout, /sk_test_change_me/, 'the refused key is not echoed');
});
