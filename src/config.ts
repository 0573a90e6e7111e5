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
  /** API version assumed when a request carries no `Clerk-API-Version` header. */
  defaultApiVersion: string;
  argon2: Argon2Params;
  lockout: LockoutPolicy;
  bodyLimitBytes: number;
  /** How long a write waits for SQLite's lock (another process) before answering 503. */
  busyTimeoutMs: number;
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

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^-?\d+$/.test(raw)) throw new ConfigError(`${name} must be an integer, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

function absoluteUrl(name: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be an absolute URL, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`${name} must be an http(s) URL, got "${raw}"`);
  }
  return url.toString().replace(/\/+$/, '');
}

export function loadConfig(env: Env = process.env): Config {
  const production = env.NODE_ENV === 'production';
  const host = env.HOST || '127.0.0.1';
  const port = integer(env, 'PORT', 3500, 0, 65535);
  const dataDir = path.resolve(env.CLERKD_DATA_DIR || './data');
  const databasePath = env.CLERKD_DATABASE === ':memory:' ? ':memory:' : path.resolve(dataDir, env.CLERKD_DATABASE || 'clerkd.sqlite');

  const configuredKeys = (env.CLERKD_SECRET_KEYS ?? '')
    .split(',')
    .map((key) => key.trim())
    .filter((key) => key.length > 0);
  const usingDevelopmentKey = configuredKeys.length === 0;
  if (production && usingDevelopmentKey) {
    throw new ConfigError('NODE_ENV=production requires CLERKD_SECRET_KEYS: the development key is refused in production');
  }
  if (production && configuredKeys.includes(DEVELOPMENT_SECRET_KEY)) {
    throw new ConfigError('NODE_ENV=production refuses the well-known development key in CLERKD_SECRET_KEYS');
  }

  const displayHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  const publicUrl = absoluteUrl('CLERKD_PUBLIC_URL', env.CLERKD_PUBLIC_URL || `http://${displayHost}:${port}`);

  const apiVersion = env.CLERKD_DEFAULT_API_VERSION || LATEST_API_VERSION;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(apiVersion)) {
    throw new ConfigError(`CLERKD_DEFAULT_API_VERSION must look like 2026-05-12, got "${apiVersion}"`);
  }

  const encryption = encryptionKey(env, production);

  const lockoutSeconds = integer(env, 'CLERKD_LOCKOUT_SECONDS', 3600, 0, 10 * 365 * 24 * 3600);

  return {
    production,
    host,
    port,
    dataDir,
    databasePath,
    secretKeys: usingDevelopmentKey ? [DEVELOPMENT_SECRET_KEY] : configuredKeys,
    usingDevelopmentKey,
    publicUrl,
    logLevel: env.LOG_LEVEL || 'info',
    defaultApiVersion: apiVersion,
    // OWASP's minimum for argon2id: m=19 MiB, t=2, p=1.
    argon2: {
      memoryCost: integer(env, 'CLERKD_ARGON2_MEMORY_KIB', 19456, 1024, 4 * 1024 * 1024),
      timeCost: integer(env, 'CLERKD_ARGON2_TIME_COST', 2, 1, 100),
      parallelism: integer(env, 'CLERKD_ARGON2_PARALLELISM', 1, 1, 64),
    },
    lockout: {
      maxAttempts: integer(env, 'CLERKD_LOCKOUT_MAX_ATTEMPTS', 10, 1, 1_000_000),
      // 0 means a lock never expires on its own.
      durationSeconds: lockoutSeconds === 0 ? null : lockoutSeconds,
    },
    bodyLimitBytes: integer(env, 'CLERKD_BODY_LIMIT_BYTES', 1024 * 1024, 1024, 100 * 1024 * 1024),
    busyTimeoutMs: integer(env, 'CLERKD_BUSY_TIMEOUT_MS', 5000, 0, 600_000),
    imagesDir: path.resolve(dataDir, env.CLERKD_IMAGES_DIR || 'images'),
    imageMaxBytes: integer(env, 'CLERKD_IMAGE_MAX_BYTES', 10 * 1024 * 1024, 1024, 100 * 1024 * 1024),
    encryptionKey: encryption.key,
    usingDevelopmentEncryptionKey: encryption.development,
    oauthProviders: oauthProviders(env),
    oauthRefreshTimeoutMs: integer(env, 'CLERKD_OAUTH_REFRESH_TIMEOUT_MS', 5000, 1, 120_000),
    seedFile: env.CLERKD_SEED?.trim() ? path.resolve(env.CLERKD_SEED.trim()) : null,
    rateLimits: rateLimitSettings(env),
  };
}

function rateLimitSettings(env: Env): RateLimitSettings {
  const mode = (env.CLERKD_RATE_LIMITS?.trim() || 'off') as RateLimitMode;
  if (!RATE_LIMIT_MODES.includes(mode)) {
    throw new ConfigError(`CLERKD_RATE_LIMITS must be one of ${RATE_LIMIT_MODES.join(', ')}, got "${env.CLERKD_RATE_LIMITS}"`);
  }
  return { mode, windowMs: integer(env, 'CLERKD_RATE_LIMIT_WINDOW_MS', 10_000, 1, 3_600_000) };
}

/** CLERKD_ENCRYPTION_KEY: 32 bytes as 64 hex digits or base64; the development key when unset (never in production). */
function encryptionKey(env: Env, production: boolean): { key: Buffer; development: boolean } {
  const raw = env.CLERKD_ENCRYPTION_KEY?.trim() ?? '';
  if (raw === '') {
    if (production) throw new ConfigError('NODE_ENV=production requires CLERKD_ENCRYPTION_KEY (32 bytes, base64 or hex): the development key is refused in production');
    return { key: parseEncryptionKey(DEVELOPMENT_ENCRYPTION_KEY)!, development: true };
  }
  const key = parseEncryptionKey(raw);
  if (!key) throw new ConfigError('CLERKD_ENCRYPTION_KEY must be 32 bytes, given as 64 hex digits or as base64 (e.g. `openssl rand -base64 32`)');
  const development = key.equals(parseEncryptionKey(DEVELOPMENT_ENCRYPTION_KEY)!);
  if (production && development) throw new ConfigError('NODE_ENV=production refuses the well-known development key in CLERKD_ENCRYPTION_KEY');
  return { key, development };
}

function oauthProviders(env: Env): Record<string, OAuthProviderConfig> {
  const raw = env.CLERKD_OAUTH_PROVIDERS?.trim() ?? '';
  if (raw === '') return {};
  try {
    return parseOAuthProviders(raw, 'CLERKD_OAUTH_PROVIDERS');
  } catch (error) {
    if (error instanceof ProviderConfigError) throw new ConfigError(error.message);
    throw error;
  }
}
