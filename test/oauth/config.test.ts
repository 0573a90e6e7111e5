import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig } from '../../src/config.js';
import { DEVELOPMENT_ENCRYPTION_KEY } from '../../src/oauth/crypto.js';
import { freePort, MAIN, ROOT } from '../support/built-server.js';
import { PRODUCTION_SECRET_KEY } from '../support/production.js';

/** CLERKD_ENCRYPTION_KEY, CLERKD_OAUTH_PROVIDERS and CLERKD_OAUTH_REFRESH_TIMEOUT_MS, checked at start. */

const BASE = { CLERKD_DATABASE: ':memory:' };
const PRODUCTION = { ...BASE, NODE_ENV: 'production', CLERKD_SECRET_KEYS: PRODUCTION_SECRET_KEY };

function configError(env: Record<string, string>, pattern: RegExp): void {
  assert.throws(() => loadConfig(env), (error: unknown) => {
    assert.ok(error instanceof ConfigError, String(error));
    assert.match(error.message, pattern);
    return true;
  });
}

// ---- encryption key ------------------------------------------------------------------------

test('without CLERKD_ENCRYPTION_KEY, development uses the documented development key and says so', () => {
  const config = loadConfig(BASE);
  assert.equal(config.usingDevelopmentEncryptionKey, true);
  assert.deepEqual(config.encryptionKey, Buffer.from(DEVELOPMENT_ENCRYPTION_KEY, 'base64'));
});

test('a configured key is used, given as hex or base64', () => {
  const key = randomBytes(32);
  for (const text of [key.toString('hex'), key.toString('base64')]) {
    const config = loadConfig({ ...BASE, CLERKD_ENCRYPTION_KEY: text });
    assert.deepEqual(config.encryptionKey, key);
    assert.equal(config.usingDevelopmentEncryptionKey, false);
  }
});

test('a key that is not 32 bytes is a ConfigError naming the variable', () => {
  configError({ ...BASE, CLERKD_ENCRYPTION_KEY: randomBytes(16).toString('base64') }, /CLERKD_ENCRYPTION_KEY must be 32 bytes/);
  configError({ ...BASE, CLERKD_ENCRYPTION_KEY: 'hunter2' }, /CLERKD_ENCRYPTION_KEY/);
});

test('production refuses to start without a key, and refuses the development key', () => {
  configError(PRODUCTION, /requires CLERKD_ENCRYPTION_KEY/);
  configError({ ...PRODUCTION, CLERKD_ENCRYPTION_KEY: DEVELOPMENT_ENCRYPTION_KEY }, /refuses the well-known development key in CLERKD_ENCRYPTION_KEY/);
  const config = loadConfig({ ...PRODUCTION, CLERKD_ENCRYPTION_KEY: randomBytes(32).toString('base64') });
  assert.equal(config.usingDevelopmentEncryptionKey, false);
});

// ---- providers -------------------------------------------------------------------------------

const providers = (value: unknown) => ({ ...BASE, CLERKD_OAUTH_PROVIDERS: JSON.stringify(value) });
const GOOGLE = { token_url: 'https://oauth2.googleapis.com/token', client_id: 'id', client_secret: 'secret' };

test('no providers are configured by default, and the refresh timeout is 5 s', () => {
  const config = loadConfig(BASE);
  assert.deepEqual(config.oauthProviders, {});
  assert.equal(config.oauthRefreshTimeoutMs, 5000);
});

test('providers are keyed with the oauth_ prefix and default to client_secret_basic', () => {
  const config = loadConfig(providers({ google: GOOGLE, oauth_github: { ...GOOGLE, token_url: 'https://github.com/login/oauth/access_token', auth_method: 'client_secret_post' } }));
  assert.deepEqual(config.oauthProviders, {
    oauth_google: { tokenUrl: 'https://oauth2.googleapis.com/token', clientId: 'id', clientSecret: 'secret', authMethod: 'client_secret_basic' },
    oauth_github: { tokenUrl: 'https://github.com/login/oauth/access_token', clientId: 'id', clientSecret: 'secret', authMethod: 'client_secret_post' },
  });
});

test('a bad provider setting is a ConfigError that says what is wrong, without echoing the secret', () => {
  configError({ ...BASE, CLERKD_OAUTH_PROVIDERS: '{not json' }, /CLERKD_OAUTH_PROVIDERS must be a JSON object/);
  configError(providers(['oauth_google']), /CLERKD_OAUTH_PROVIDERS must be a JSON object/);
  configError(providers({ google: 'https://x' }), /\["google"\] must be an object/);
  configError(providers({ google: { ...GOOGLE, token_url: 'not a url' } }), /\["google"\]\.token_url must be an absolute URL/);
  configError(providers({ google: { ...GOOGLE, token_url: 'ftp://x/token' } }), /token_url must be an http\(s\) URL/);
  configError(providers({ google: { ...GOOGLE, client_id: '' } }), /\["google"\]\.client_id must be a non-empty string/);
  configError(providers({ google: { token_url: GOOGLE.token_url, client_id: 'id' } }), /client_secret must be a non-empty string/);
  configError(providers({ google: { ...GOOGLE, auth_method: 'private_key_jwt' } }), /auth_method must be one of client_secret_basic, client_secret_post/);
  configError(providers({ google: { ...GOOGLE, scope: 'email' } }), /\["google"\]\.scope is not a known setting/);
  configError(providers({ 'Google!': GOOGLE }), /provider ids look like "oauth_google"/);
  configError(providers({ google: GOOGLE, oauth_google: GOOGLE }), /oauth_google is configured twice/);
  assert.throws(() => loadConfig(providers({ google: { ...GOOGLE, client_id: 7 } })), (error: Error) => !error.message.includes('secret'));
});

test('the refresh timeout is configurable within bounds', () => {
  assert.equal(loadConfig({ ...BASE, CLERKD_OAUTH_REFRESH_TIMEOUT_MS: '250' }).oauthRefreshTimeoutMs, 250);
  configError({ ...BASE, CLERKD_OAUTH_REFRESH_TIMEOUT_MS: '0' }, /CLERKD_OAUTH_REFRESH_TIMEOUT_MS must be between/);
  configError({ ...BASE, CLERKD_OAUTH_REFRESH_TIMEOUT_MS: 'soon' }, /CLERKD_OAUTH_REFRESH_TIMEOUT_MS must be an integer/);
});

// ---- the entry point -------------------------------------------------------------------------



/** Runs `npm start`'s entry point until it is ready (then stops it) or exits; returns its output. */
async function runEntryPoint(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  // The built entry point under plain node, as `npm start` runs it. Not under tsx: tsx relays a
  // SIGTERM to its child and, when the child does not confirm within 30 ms (a loaded machine),
  // SIGKILLs it and exits 143 itself, which made this test fail under load.
  const child = spawn(process.execPath, [MAIN], { cwd: ROOT, env: { ...process.env, NODE_ENV: '', CLERKD_SECRET_KEYS: '', CLERKD_ENCRYPTION_KEY: '', CLERKD_OAUTH_PROVIDERS: '', ...env } });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.includes('clerkd is ready')) child.kill('SIGTERM');
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (exitCode) => resolve(exitCode)));
  clearTimeout(timer);
  return { code, output };
}

test('the entry point warns loudly when tokens are encrypted with the development key', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clerkd-oauth-'));
  try {
    const { code, output } = await runEntryPoint({ PORT: String(await freePort()), CLERKD_DATA_DIR: dataDir });
    assert.match(output, /clerkd is ready/);
    assert.match(output, /encrypting OAuth tokens with the well-known DEVELOPMENT key/);
    assert.equal(code, 0);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('in production the entry point refuses to start without CLERKD_ENCRYPTION_KEY', async () => {
  const { code, output } = await runEntryPoint({ NODE_ENV: 'production', CLERKD_SECRET_KEYS: PRODUCTION_SECRET_KEY, PORT: String(await freePort()) });
  assert.equal(code, 1);
  assert.match(output, /CLERKD_ENCRYPTION_KEY/);
});

test('the entry point refuses a bad CLERKD_OAUTH_PROVIDERS with a clear message', async () => {
  const { code, output } = await runEntryPoint({ CLERKD_OAUTH_PROVIDERS: '{"google":{"token_url":"nope"}}', PORT: String(await freePort()) });
  assert.equal(code, 1);
  assert.match(output, /clerkd: CLERKD_OAUTH_PROVIDERS\["google"\]\.token_url must be an absolute URL/);
});
