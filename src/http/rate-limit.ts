import { performance } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import type { RateLimitMode, RateLimitSettings } from '../config.js';
import { errors } from '../errors.js';

/**
 * Clerk's Backend API rate limits, reproduced on request (`CLERKD_RATE_LIMITS`) so an app
 * can test its back-off against clerkd. The numbers are Clerk's documented ones:
 *
 * - https://clerk.com/docs/guides/how-clerk-works/system-limits ("Rate limits", Backend API
 *   requests): "rate-limited per application instance which is identified by the Secret
 *   Key"; production instances 1000 requests per 10 seconds, development instances 100
 *   requests per 10 seconds; a limited request gets 429 and `Retry-After` in seconds.
 *   (https://clerk.com/changelog/2025-07-03-bapi-rate-limits: production raised from 100 to
 *   1000, "across all endpoints, including Create User"; development stays at 100.)
 * - Clerk's OpenAPI spec, CreateUser (POST /v1/users): "1000 requests per 10 seconds for
 *   production instances and 100 requests per 10 seconds for development instances".
 * - Code and message: Clerk's error index, TooManyRequests (`too_many_requests`,
 *   "Too many requests").
 *
 * Create user is listed on its own (its own sentence in the spec, its own row in earlier
 * versions of the limits table, "All other endpoints" the next row), so it counts in its own
 * window and every other /v1 request shares the instance's window.
 *
 * Each window is a fixed window per (secret key, rule), counted in this process's memory:
 * several clerkd processes behind one balancer each count on their own, and a restart
 * starts afresh. Only requests that passed the secret-key check are counted, so the table
 * holds at most (configured keys × rules) entries.
 */

export interface RateLimitRule {
  id: string;
  /** Completes "… allows N requests per 10 seconds to <description>". */
  description: string;
  matches(method: string, routeUrl: string): boolean;
  limits: Record<Exclude<RateLimitMode, 'off'>, number>;
}

/** First match wins. */
export const RATE_LIMIT_RULES: readonly RateLimitRule[] = [
  {
    id: 'create_user',
    description: 'create users (POST /v1/users)',
    matches: (method, routeUrl) => method === 'POST' && routeUrl === '/v1/users',
    limits: { development: 100, production: 1000 },
  },
  {
    id: 'backend_api',
    description: 'the Backend API (every other /v1 endpoint)',
    matches: () => true,
    limits: { development: 100, production: 1000 },
  },
];

export type TakeResult = { allowed: true } | { allowed: false; retryAfterMs: number };

/** Counts requests per key in fixed windows that start with a key's first request. */
export class FixedWindowCounter {
  private readonly windows = new Map<string, { startedAt: number; count: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Counts one request for `key`, or refuses it (uncounted) once the window is full. */
  take(key: string): TakeResult {
    const now = this.now();
    let window = this.windows.get(key);
    if (window === undefined || now - window.startedAt >= this.windowMs) {
      window = { startedAt: now, count: 0 };
      this.windows.set(key, window);
    }
    if (window.count >= this.limit) return { allowed: false, retryAfterMs: window.startedAt + this.windowMs - now };
    window.count += 1;
    return { allowed: true };
  }
}

/** `Retry-After` is whole seconds, and never 0 while the request would still be refused. */
export function retryAfterSeconds(retryAfterMs: number): number {
  return Math.max(1, Math.ceil(retryAfterMs / 1000));
}

function describeWindow(windowMs: number): string {
  if (windowMs % 1000 === 0) return windowMs === 1000 ? 'second' : `${windowMs / 1000} seconds`;
  return `${windowMs} milliseconds`;
}

const BEARER = /^Bearer[ \t]+(\S+)/i;

/**
 * Adds the limits to every route of the plugin scope it is called in, after the secret-key
 * check (register it after `requireSecretKey`). With `off` it adds nothing at all.
 */
export function registerRateLimits(app: FastifyInstance, settings: RateLimitSettings, now?: () => number): void {
  const { mode, windowMs } = settings;
  if (mode === 'off') return;
  const rules = RATE_LIMIT_RULES.map((rule) => ({
    rule,
    counter: new FixedWindowCounter(rule.limits[mode], windowMs, now),
    explanation: `This clerkd server reproduces the limits of a Clerk ${mode} instance: ${rule.limits[mode]} requests per ${describeWindow(windowMs)} to ${rule.description}, per secret key.`,
  }));

  app.addHook('onRequest', async function enforceRateLimit(request) {
    const secretKey = BEARER.exec(request.headers.authorization ?? '')?.[1];
    if (secretKey === undefined) return; // unreachable after requireSecretKey
    const routeUrl = request.routeOptions.url ?? request.url;
    const applicable = rules.find(({ rule }) => rule.matches(request.method, routeUrl));
    if (applicable === undefined) return;
    const result = applicable.counter.take(secretKey);
    if (!result.allowed) throw errors.tooManyRequests(applicable.explanation, retryAfterSeconds(result.retryAfterMs));
  });
}
