import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { loadConfig, SETTINGS } from '../../src/config.js';
import { helpText } from '../../src/cli/options.js';
import { ROOT } from '../support/built-server.js';
import { PRODUCTION_ENCRYPTION_KEY } from '../support/production.js';

/** Configuration is declared once (SETTINGS): parsing, --help and the README's table follow it. */

function readmeTableVariables(): Map<string, string> {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = /## Configuration\n([\s\S]*?)\n## /.exec(readme)?.[1] ?? '';
  const rows = new Map<string, string>();
  for (const line of section.split('\n')) {
    const cells = /^\| (.+?) \| (.*?) \| .* \|$/.exec(line);
    if (!cells || cells[1] === 'variable' || cells[1]!.startsWith('---')) continue;
    const names = [...cells[1]!.matchAll(/`([A-Z0-9_]+)`/g)].map((match) => match[1]!);
    const defaults = [...cells[2]!.matchAll(/`([^`]*)`/g)].map((match) => match[1]!);
    names.forEach((name, i) => rows.set(name, defaults[i] ?? cells[2]!.trim()));
  }
  return rows;
}

test('the README table lists exactly the declared settings, with the defaults they apply', () => {
  const documented = readmeTableVariables();
  const declared = SETTINGS.map((setting) => setting.env);
  assert.deepEqual([...documented.keys()].filter((name) => name !== 'NODE_ENV').sort(), [...declared].sort());
  for (const setting of SETTINGS) {
    if (setting.defaultValue.startsWith('(')) continue;
    assert.equal(documented.get(setting.env), setting.defaultValue, `README default of ${setting.env}`);
  }
});

test('--help lists every declared setting, CLERKD_BUSY_TIMEOUT_MS among them', () => {
  const help = helpText(null);
  for (const setting of SETTINGS) assert.ok(help.includes(`--${setting.flag} ${setting.placeholder}`) && help.includes(setting.env), setting.env);
  assert.match(help, /--busy-timeout-ms N +CLERKD_BUSY_TIMEOUT_MS/);
});

/** A valid value other than the default, for each setting, and where it must show up. */
const CHANGED: Record<string, { value: string; read: (config: ReturnType<typeof loadConfig>) => unknown }> = {
  PORT: { value: '4100', read: (c) => c.port },
  HOST: { value: '127.0.0.2', read: (c) => c.host },
  CLERKD_DATA_DIR: { value: '/tmp/clerkd-settings-dir', read: (c) => c.dataDir },
  CLERKD_DATABASE: { value: 'other.sqlite', read: (c) => c.databasePath },
  CLERKD_BUSY_TIMEOUT_MS: { value: '1234', read: (c) => c.busyTimeoutMs },
  CLERKD_SECRET_KEYS: { value: 'sk_test_a,sk_test_b', read: (c) => c.secretKeys },
  CLERKD_PUBLIC_URL: { value: 'https://users.example.test', read: (c) => c.publicUrl },
  CLERKD_DEFAULT_API_VERSION: { value: '2021-02-05', read: (c) => c.defaultApiVersion },
  CLERKD_ARGON2_MEMORY_KIB: { value: '4096', read: (c) => c.argon2.memoryCost },
  CLERKD_ARGON2_TIME_COST: { value: '3', read: (c) => c.argon2.timeCost },
  CLERKD_ARGON2_PARALLELISM: { value: '2', read: (c) => c.argon2.parallelism },
  CLERKD_HASH_THREADS: { value: '7', read: (c) => c.hashThreads },
  CLERKD_LOCKOUT_MAX_ATTEMPTS: { value: '3', read: (c) => c.lockout.maxAttempts },
  CLERKD_LOCKOUT_SECONDS: { value: '60', read: (c) => c.lockout.durationSeconds },
  CLERKD_BODY_LIMIT_BYTES: { value: '2048', read: (c) => c.bodyLimitBytes },
  CLERKD_REQUEST_TIMEOUT_MS: { value: '20000', read: (c) => c.timeouts.requestMs },
  CLERKD_HEADERS_TIMEOUT_MS: { value: '2000', read: (c) => c.timeouts.headersMs },
  CLERKD_KEEP_ALIVE_TIMEOUT_MS: { value: '1000', read: (c) => c.timeouts.keepAliveMs },
  CLERKD_SHUTDOWN_TIMEOUT_MS: { value: '3000', read: (c) => c.timeouts.shutdownMs },
  CLERKD_IMAGES_DIR: { value: 'pictures', read: (c) => c.imagesDir },
  CLERKD_IMAGE_MAX_BYTES: { value: '4096', read: (c) => c.imageMaxBytes },
  CLERKD_ENCRYPTION_KEY: { value: PRODUCTION_ENCRYPTION_KEY, read: (c) => c.encryptionKey.toString('base64') },
  CLERKD_OAUTH_PROVIDERS: { value: '{"oauth_google":{"token_url":"http://127.0.0.1:9/token","client_id":"id","client_secret":"s"}}', read: (c) => Object.keys(c.oauthProviders) },
  CLERKD_OAUTH_REFRESH_TIMEOUT_MS: { value: '900', read: (c) => c.oauthRefreshTimeoutMs },
  CLERKD_RATE_LIMITS: { value: 'production', read: (c) => c.rateLimits.mode },
  CLERKD_RATE_LIMIT_WINDOW_MS: { value: '500', read: (c) => c.rateLimits.windowMs },
  LOG_LEVEL: { value: 'debug', read: (c) => c.logLevel },
  CLERKD_LOG_FORMAT: { value: 'json', read: (c) => c.logFormat },
  CLERKD_SEED: { value: 'docs/seed.example.json', read: (c) => c.seedFile },
};

test('every declared setting changes the configuration it is read into: none is parsed and dropped', () => {
  const defaults = loadConfig({});
  for (const setting of SETTINGS) {
    const change = CHANGED[setting.env];
    assert.ok(change, `a test value for ${setting.env}`);
    const changed = loadConfig({ [setting.env]: change.value });
    assert.notDeepEqual(change.read(changed), change.read(defaults), `${setting.env}=${change.value} reaches the configuration`);
  }
});

test('a header timeout longer than the request timeout is refused with both names', () => {
  assert.throws(() => loadConfig({ CLERKD_REQUEST_TIMEOUT_MS: '1000', CLERKD_HEADERS_TIMEOUT_MS: '2000' }), /CLERKD_HEADERS_TIMEOUT_MS \(2000\) must not exceed CLERKD_REQUEST_TIMEOUT_MS \(1000\)/);
});

