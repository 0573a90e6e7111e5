import os from 'node:os';
import path from 'node:path';
import { DEVELOPMENT_ENCRYPTION_KEY, parseEncryptionKey } from './oauth/crypto.js';
import { parseOAuthProviders, ProviderConfigError, type OAuthProviderConfig } from './oauth/providers.js';

/**
 * Every environment variable clerkd reads, parsed and typed in one place.
 * Defaults are for local development; production mode (`NODE_ENV=production`)
 * refuses the well-known development key.
 */

/** Accepted when no key is configured, so `npm start` works with zero setup. Documented in the README. */
export const DEVELOPMENT_SECRET_KEY = 'sk_test_clerkd_development_secret_key';

/** The newest Clerk API version this server implements (what @clerk/backend 3.x sends). */
export const LATEST_API_VERSION = '2026-05-12';

export interface Argon2Params {
  /** KiB */
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

export interface LockoutPolicy {
  /** Failed verifications (password, TOTP, backup code) before the account locks. */
  maxAttempts: number;
  /** How long a lock lasts; null means until unlocked. Clerk's default is one hour. */
  durationSeconds: number | null;
}

export interface Config {
  production: boolean;
  host: string;
  port: number;
  dataDir: string;
  /** `:memory:` or a file path; defaults to `<dataDir>/clerkd.sqlite`. */
  databasePath: string;
  secretKeys: string[];
  /** True when no key was configured and the development key is in force. */
  usingDevelopmentKey: boolean;
  publicUrl: string;
  logLevel: string;
  /** How the log is written: readable lines, or JSON for a log collector (`auto`: readable on a terminal). */
  logFormat: LogFormat;
  /** API version assumed when a request carries no `Clerk-API-Version` header. */
  defaultApiVersion: string;
  argon2: Argon2Params;
  lockout: LockoutPolicy;
  bodyLimitBytes: number;
  /** How long a write waits for SQLite's lock (another process) before answering 503. */
  busyTimeoutMs: number;
  /** Worker threads that run password hashes off the event loop. */
  hashThreads: number;
  timeouts: ServerTimeouts;
  /** Where uploaded profile images are stored; defaults to `<dataDir>/images`. */
  imagesDir: string;
  /** Largest accepted profile image upload. */
  imageMaxBytes: number;
  /** AES-256-GCM key for OAuth tokens at rest (32 bytes). */
  encryptionKey: Buffer;
  /** True when CLERKD_ENCRYPTION_KEY is unset and the documented development key is in force. */
  usingDevelopmentEncryptionKey: boolean;
  /** Token endpoints for refreshing OAuth access tokens, by provider id (`oauth_google`). */
  oauthProviders: Record<string, OAuthProviderConfig>;
  /** How long a refresh request to a provider's token endpoint may take. */
  oauthRefreshTimeoutMs: number;
  /** CLERKD_SEED: a snapshot file imported into an empty database at start and re-applied by a reset; null when unset. */
  seedFile: string | null;
  /** Clerk's documented Backend API rate limits, reproduced on request (src/http/rate-limit.ts). */
  rateLimits: RateLimitSettings;
}

/** `off` (default), or the limits of a Clerk development or production instance. */
export type RateLimitMode = 'off' | 'development' | 'production';
export const RATE_LIMIT_MODES: readonly RateLimitMode[] = ['off', 'development', 'production'];

export interface RateLimitSettings {
  mode: RateLimitMode;
  /** Length of one counting window; Clerk's is 10 s, shorter ones make back-off tests fast. */
  windowMs: number;
}

export interface ServerTimeouts {
  /** Longest a client may take to send a whole request (Node's requestTimeout); 0 disables. */
  requestMs: number;
  /** Longest a client may take to send the headers (Node's headersTimeout). */
  headersMs: number;
  /** How long an idle keep-alive connection stays open. */
  keepAliveMs: number;
  /** How long SIGTERM waits for requests in flight before the process exits anyway. */
  shutdownMs: number;
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

/** `server`: only `start` reads it. `storage`: every command (where the data lives, how tokens are encrypted). `seed`: start and reset. */
export type SettingScope = 'server' | 'storage' | 'seed';

/**
 * One setting: its environment variable, the `clerkd` flag that sets it, its default and
 * what it means. This table is the only place a setting is declared: `loadConfig` reads a
 * variable only through it, `--help` prints it, and a test holds the README's table to it.
 */
export interface Setting {
  env: string;
  flag: string;
  placeholder: string;
  /** The default as printed; for integers, also the value applied. */
  defaultValue: string;
  description: string;
  scope: SettingScope;
}

export const SETTINGS = [
  { env: 'PORT', flag: 'port', placeholder: 'N', defaultValue: '3500', description: 'port to listen on', scope: 'server' },
  { env: 'HOST', flag: 'host', placeholder: 'ADDR', defaultValue: '127.0.0.1', description: 'address to bind (0.0.0.0 in a container)', scope: 'server' },
  { env: 'CLERKD_DATA_DIR', flag: 'data-dir', placeholder: 'DIR', defaultValue: './data', description: 'where the SQLite file and the profile images live', scope: 'storage' },
  { env: 'CLERKD_DATABASE', flag: 'database', placeholder: 'FILE', defaultValue: 'clerkd.sqlite', description: 'database file name inside the data dir, or :memory:', scope: 'storage' },
  { env: 'CLERKD_BUSY_TIMEOUT_MS', flag: 'busy-timeout-ms', placeholder: 'N', defaultValue: '5000', description: "how long a write waits for another process's lock before a 503", scope: 'storage' },
  { env: 'CLERKD_SECRET_KEYS', flag: 'secret-keys', placeholder: 'KEYS', defaultValue: '(development key)', description: 'comma-separated secret keys accepted as Bearer tokens', scope: 'server' },
  { env: 'CLERKD_PUBLIC_URL', flag: 'public-url', placeholder: 'URL', defaultValue: 'http://HOST:PORT', description: 'absolute base of the URLs clerkd hands out', scope: 'server' },
  { env: 'CLERKD_DEFAULT_API_VERSION', flag: 'default-api-version', placeholder: 'DATE', defaultValue: LATEST_API_VERSION, description: 'API version assumed without a Clerk-API-Version header', scope: 'server' },
  { env: 'CLERKD_ARGON2_MEMORY_KIB', flag: 'argon2-memory-kib', placeholder: 'N', defaultValue: '19456', description: 'argon2id memory for new passwords', scope: 'server' },
  { env: 'CLERKD_ARGON2_TIME_COST', flag: 'argon2-time-cost', placeholder: 'N', defaultValue: '2', description: 'argon2id iterations', scope: 'server' },
  { env: 'CLERKD_ARGON2_PARALLELISM', flag: 'argon2-parallelism', placeholder: 'N', defaultValue: '1', description: 'argon2id lanes', scope: 'server' },
  { env: 'CLERKD_HASH_THREADS', flag: 'hash-threads', placeholder: 'N', defaultValue: '(cores - 1)', description: 'worker threads for password hashing off the event loop', scope: 'server' },
  { env: 'CLERKD_LOCKOUT_MAX_ATTEMPTS', flag: 'lockout-max-attempts', placeholder: 'N', defaultValue: '10', description: 'failed verifications before a user locks', scope: 'server' },
  { env: 'CLERKD_LOCKOUT_SECONDS', flag: 'lockout-seconds', placeholder: 'N', defaultValue: '3600', description: 'how long a lock lasts (0: until unlocked)', scope: 'server' },
  { env: 'CLERKD_BODY_LIMIT_BYTES', flag: 'body-limit-bytes', placeholder: 'N', defaultValue: '1048576', description: 'largest accepted JSON request body', scope: 'server' },
  { env: 'CLERKD_REQUEST_TIMEOUT_MS', flag: 'request-timeout-ms', placeholder: 'N', defaultValue: '30000', description: 'longest a client may take to send a whole request', scope: 'server' },
  { env: 'CLERKD_HEADERS_TIMEOUT_MS', flag: 'headers-timeout-ms', placeholder: 'N', defaultValue: '10000', description: "longest a client may take to send a request's headers", scope: 'server' },
  { env: 'CLERKD_KEEP_ALIVE_TIMEOUT_MS', flag: 'keep-alive-timeout-ms', placeholder: 'N', defaultValue: '5000', description: 'how long an idle keep-alive connection stays open', scope: 'server' },
  { env: 'CLERKD_SHUTDOWN_TIMEOUT_MS', flag: 'shutdown-timeout-ms', placeholder: 'N', defaultValue: '10000', description: 'how long SIGTERM waits for requests in flight before exiting', scope: 'server' },
  { env: 'CLERKD_IMAGES_DIR', flag: 'images-dir', placeholder: 'DIR', defaultValue: 'images', description: 'profile image directory (relative to the data dir)', scope: 'storage' },
  { env: 'CLERKD_IMAGE_MAX_BYTES', flag: 'image-max-bytes', placeholder: 'N', defaultValue: '10485760', description: 'largest accepted profile image', scope: 'server' },
  { env: 'CLERKD_ENCRYPTION_KEY', flag: 'encryption-key', placeholder: 'KEY', defaultValue: '(development key)', description: '32-byte key (hex or base64) for OAuth tokens at rest', scope: 'storage' },
  { env: 'CLERKD_OAUTH_PROVIDERS', flag: 'oauth-providers', placeholder: 'JSON', defaultValue: '(none)', description: 'token endpoints to refresh OAuth tokens with', scope: 'server' },
  { env: 'CLERKD_OAUTH_REFRESH_TIMEOUT_MS', flag: 'oauth-refresh-timeout-ms', placeholder: 'N', defaultValue: '5000', description: 'how long one token refresh may take', scope: 'server' },
  { env: 'CLERKD_RATE_LIMITS', flag: 'rate-limits', placeholder: 'MODE', defaultValue: 'off', description: "Clerk's rate limits: off, development or production", scope: 'server' },
  { env: 'CLERKD_RATE_LIMIT_WINDOW_MS', flag: 'rate-limit-window-ms', placeholder: 'N', defaultValue: '10000', description: 'length of one rate limit window', scope: 'server' },
  { env: 'LOG_LEVEL', flag: 'log-level', placeholder: 'LEVEL', defaultValue: 'info', description: 'pino log level', scope: 'server' },
  { env: 'CLERKD_LOG_FORMAT', flag: 'log-format', placeholder: 'FORMAT', defaultValue: 'auto', description: 'pretty (one readable line a request), json, or auto (pretty on a terminal)', scope: 'server' },
  { env: 'CLERKD_SEED', flag: 'seed', placeholder: 'FILE', defaultValue: '(none)', description: 'snapshot imported into an empty database at start, re-applied by reset', scope: 'seed' },
] as const satisfies readonly Setting[];

export type SettingName = (typeof SETTINGS)[number]['env'];

function setting(name: SettingName): Setting {
  return SETTINGS.find((entry) => entry.env === name)!;
}

/** The raw value of a declared setting, or undefined when unset or empty. */
function raw(env: Env, name: SettingName): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** An integer setting; its default is the one in SETTINGS unless `fallback` computes it. */
function integer(env: Env, name: SettingName, min: number, max: number, fallback?: number): number {
  const value = raw(env, name);
  if (value === undefined) return fallback ?? Number(setting(name).defaultValue);
  if (!/^-?\d+$/.test(value)) throw new ConfigError(`${name} must be an integer, got "${value}"`);
  const parsed = Number(value);
  if (parsed < min || parsed > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${parsed}`);
  return parsed;
}

function text(env: Env, name: SettingName): string {
  return raw(env, name) ?? setting(name).defaultValue;
}

function absoluteUrl(name: SettingName, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name} must be an absolute URL, got "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`${name} must be an http(s) URL, got "${value}"`);
  }
  return url.toString().replace(/\/+$/, '');
}

export const LOG_FORMATS = ['auto', 'pretty', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

function oneOf<T extends string>(env: Env, name: SettingName, allowed: readonly T[]): T {
  const value = text(env, name) as T;
  if (!allowed.includes(value)) throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${value}"`);
  return value;
}

export function loadConfig(env: Env = process.env): Config {
  const production = env.NODE_ENV === 'production';
  const host = text(env, 'HOST');
  const port = integer(env, 'PORT', 0, 65535);
  const dataDir = path.resolve(text(env, 'CLERKD_DATA_DIR'));
  const databaseName = text(env, 'CLERKD_DATABASE');
  const databasePath = databaseName === ':memory:' ? ':memory:' : path.resolve(dataDir, databaseName);

  const secretKeys = secretKeysOf(env, production);

  const displayHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  const publicUrl = absoluteUrl('CLERKD_PUBLIC_URL', raw(env, 'CLERKD_PUBLIC_URL') ?? `http://${displayHost}:${port}`);

  const apiVersion = text(env, 'CLERKD_DEFAULT_API_VERSION');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(apiVersion)) {
    throw new ConfigError(`CLERKD_DEFAULT_API_VERSION must look like 2026-05-12, got "${apiVersion}"`);
  }

  const encryption = encryptionKey(env, production);

  const lockoutSeconds = integer(env, 'CLERKD_LOCKOUT_SECONDS', 0, 10 * 365 * 24 * 3600);
  const seed = raw(env, 'CLERKD_SEED');

  return {
    production,
    host,
    port,
    dataDir,
    databasePath,
    secretKeys: secretKeys ?? [DEVELOPMENT_SECRET_KEY],
    usingDevelopmentKey: secretKeys === null,
    publicUrl,
    logLevel: text(env, 'LOG_LEVEL'),
    logFormat: oneOf(env, 'CLERKD_LOG_FORMAT', LOG_FORMATS),
    defaultApiVersion: apiVersion,
    // OWASP's minimum for argon2id: m=19 MiB, t=2, p=1.
    argon2: {
      memoryCost: integer(env, 'CLERKD_ARGON2_MEMORY_KIB', 1024, 4 * 1024 * 1024),
      timeCost: integer(env, 'CLERKD_ARGON2_TIME_COST', 1, 100),
      parallelism: integer(env, 'CLERKD_ARGON2_PARALLELISM', 1, 64),
    },
    // One core is left to the event loop: on 2 cores one worker kept /healthz p99 lower (scripts/verify-load.ts).
    hashThreads: integer(env, 'CLERKD_HASH_THREADS', 1, 256, Math.max(1, os.availableParallelism() - 1)),
    lockout: {
      maxAttempts: integer(env, 'CLERKD_LOCKOUT_MAX_ATTEMPTS', 1, 1_000_000),
      // 0 means a lock never expires on its own.
      durationSeconds: lockoutSeconds === 0 ? null : lockoutSeconds,
    },
    bodyLimitBytes: integer(env, 'CLERKD_BODY_LIMIT_BYTES', 1024, 100 * 1024 * 1024),
    busyTimeoutMs: integer(env, 'CLERKD_BUSY_TIMEOUT_MS', 0, 600_000),
    timeouts: serverTimeouts(env),
    imagesDir: path.resolve(dataDir, text(env, 'CLERKD_IMAGES_DIR')),
    imageMaxBytes: integer(env, 'CLERKD_IMAGE_MAX_BYTES', 1024, 100 * 1024 * 1024),
    encryptionKey: encryption.key,
    usingDevelopmentEncryptionKey: encryption.development,
    oauthProviders: oauthProviders(env),
    oauthRefreshTimeoutMs: integer(env, 'CLERKD_OAUTH_REFRESH_TIMEOUT_MS', 1, 120_000),
    seedFile: seed === undefined ? null : path.resolve(seed),
    rateLimits: rateLimitSettings(env),
  };
}

function serverTimeouts(env: Env): ServerTimeouts {
  const timeouts = {
    requestMs: integer(env, 'CLERKD_REQUEST_TIMEOUT_MS', 0, 3_600_000),
    headersMs: integer(env, 'CLERKD_HEADERS_TIMEOUT_MS', 1, 3_600_000),
    keepAliveMs: integer(env, 'CLERKD_KEEP_ALIVE_TIMEOUT_MS', 1, 3_600_000),
    shutdownMs: integer(env, 'CLERKD_SHUTDOWN_TIMEOUT_MS', 0, 3_600_000),
  };
  // Node refuses a header timeout longer than the whole-request timeout.
  if (timeouts.requestMs > 0 && timeouts.headersMs > timeouts.requestMs) {
    throw new ConfigError(`CLERKD_HEADERS_TIMEOUT_MS (${timeouts.headersMs}) must not exceed CLERKD_REQUEST_TIMEOUT_MS (${timeouts.requestMs})`);
  }
  return timeouts;
}

/** Placeholder words that mark a secret someone meant to replace. */
const PLACEHOLDER = /change[-_ ]?me|replace[-_ ]?me|placeholder|example|your[-_]|dummy|secret[-_]?key|xxxx/i;
/** The shortest secret key production accepts (Clerk's own are `sk_live_` plus 40 characters). */
export const MIN_PRODUCTION_KEY_LENGTH = 32;

/** The configured keys, or null when none is (the development key is in force). Production refuses short, placeholder and well-known keys. */
function secretKeysOf(env: Env, production: boolean): string[] | null {
  const keys = (raw(env, 'CLERKD_SECRET_KEYS') ?? '')
    .split(',')
    .map((key) => key.trim())
    .filter((key) => key.length > 0);
  if (keys.length === 0) {
    if (production) throw new ConfigError('NODE_ENV=production requires CLERKD_SECRET_KEYS: the development key is refused in production');
    return null;
  }
  if (!production) return keys;
  keys.forEach((key, index) => {
    const which = keys.length === 1 ? 'CLERKD_SECRET_KEYS' : `CLERKD_SECRET_KEYS (key ${index + 1})`;
    if (key === DEVELOPMENT_SECRET_KEY) throw new ConfigError(`NODE_ENV=production refuses the well-known development key in ${which}`);
    if (key.length < MIN_PRODUCTION_KEY_LENGTH) {
      throw new ConfigError(`NODE_ENV=production refuses ${which}: a key must have at least ${MIN_PRODUCTION_KEY_LENGTH} characters, this one has ${key.length} (e.g. sk_live_$(openssl rand -hex 24))`);
    }
    if (PLACEHOLDER.test(key) || new Set(key).size < 8) throw new ConfigError(`NODE_ENV=production refuses ${which}: it looks like a placeholder, not a random key`);
  });
  return keys;
}

function rateLimitSettings(env: Env): RateLimitSettings {
  return { mode: oneOf(env, 'CLERKD_RATE_LIMITS', RATE_LIMIT_MODES), windowMs: integer(env, 'CLERKD_RATE_LIMIT_WINDOW_MS', 1, 3_600_000) };
}

/** CLERKD_ENCRYPTION_KEY: 32 bytes as 64 hex digits or base64; the development key when unset (never in production). */
function encryptionKey(env: Env, production: boolean): { key: Buffer; development: boolean } {
  const value = raw(env, 'CLERKD_ENCRYPTION_KEY');
  if (value === undefined) {
    if (production) throw new ConfigError('NODE_ENV=production requires CLERKD_ENCRYPTION_KEY (32 bytes, base64 or hex): the development key is refused in production');
    return { key: parseEncryptionKey(DEVELOPMENT_ENCRYPTION_KEY)!, development: true };
  }
  const key = parseEncryptionKey(value);
  if (!key) throw new ConfigError('CLERKD_ENCRYPTION_KEY must be 32 bytes, given as 64 hex digits or as base64 (e.g. `openssl rand -base64 32`)');
  const development = key.equals(parseEncryptionKey(DEVELOPMENT_ENCRYPTION_KEY)!);
  if (production && development) throw new ConfigError('NODE_ENV=production refuses the well-known development key in CLERKD_ENCRYPTION_KEY');
  // 32 random bytes almost never hold fewer than 16 distinct values; an all-zero or repeated key does.
  if (production && new Set(key).size < 16) throw new ConfigError('NODE_ENV=production refuses CLERKD_ENCRYPTION_KEY: it is not random (generate one with `openssl rand -base64 32`)');
  return { key, development };
}

function oauthProviders(env: Env): Record<string, OAuthProviderConfig> {
  const value = raw(env, 'CLERKD_OAUTH_PROVIDERS');
  if (value === undefined) return {};
  try {
    return parseOAuthProviders(value, 'CLERKD_OAUTH_PROVIDERS');
  } catch (error) {
    if (error instanceof ProviderConfigError) throw new ConfigError(error.message);
    throw error;
  }
}
