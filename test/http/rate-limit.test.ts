import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.js';
import { FixedWindowCounter, RATE_LIMIT_RULES, retryAfterSeconds } from '../../src/http/rate-limit.js';
import { api, startTestServer, type ApiResponse, type TestServer } from '../support/server.js';
import { assertMatchesSpec } from '../support/spec-schema.js';

/** CLERKD_RATE_LIMITS: Clerk's documented Backend API limits, opt-in, 429 with Retry-After. */

type ClerkErrorBody = { errors: { code: string; message: string; long_message: string }[] };

function assertTooManyRequests(response: ApiResponse): ClerkErrorBody['errors'][number] {
  assert.equal(response.status, 429, response.text);
  assert.equal(response.headers.get('content-type'), 'application/json');
  assert.match(response.headers.get('retry-after') ?? '', /^[1-9]\d*$/, 'Retry-After is a whole number of seconds');
  assertMatchesSpec('ClerkErrors', response.body);
  const [error] = (response.body as ClerkErrorBody).errors;
  assert.equal(error?.code, 'too_many_requests');
  assert.equal(error?.message, 'Too many requests');
  return error!;
}

/** `count` create-user requests at once (no identifiers needed: clerkd models no instance settings). */
async function createUsers(server: TestServer, count: number, headers: Record<string, string> = {}): Promise<ApiResponse[]> {
  return Promise.all(Array.from({ length: count }, () => api(server, 'POST', '/v1/users', { body: {}, headers })));
}

async function countUsers(server: TestServer, count: number): Promise<ApiResponse[]> {
  return Promise.all(Array.from({ length: count }, () => api(server, 'GET', '/v1/users/count')));
}

async function withServer(env: Record<string, string>, run: (server: TestServer) => Promise<void>): Promise<void> {
  const server = await startTestServer(env);
  try {
    await run(server);
  } finally {
    await server.close();
  }
}

function statuses(responses: ApiResponse[]): number[] {
  return [...new Set(responses.map((response) => response.status))].sort();
}

// ---- the counter -----------------------------------------------------------------------

test('a fixed window admits `limit` requests per key, then refuses until the window ends', () => {
  let now = 1000;
  const counter = new FixedWindowCounter(2, 10_000, () => now);
  assert.deepEqual(counter.take('a'), { allowed: true });
  now += 4000;
  assert.deepEqual(counter.take('a'), { allowed: true });
  now += 2500;
  assert.deepEqual(counter.take('a'), { allowed: false, retryAfterMs: 3500 });
  assert.deepEqual(counter.take('b'), { allowed: true }, 'another key has its own window');
  now += 3500;
  assert.deepEqual(counter.take('a'), { allowed: true }, 'a new window starts once the old one has passed');
});

test('Retry-After rounds up to whole seconds and is never 0', () => {
  assert.equal(retryAfterSeconds(3500), 4);
  assert.equal(retryAfterSeconds(3000), 3);
  assert.equal(retryAfterSeconds(1), 1);
  assert.equal(retryAfterSeconds(0), 1);
});

test("the rules carry Clerk's documented numbers: 100 per window for development, 1000 for production", () => {
  const createUser = RATE_LIMIT_RULES.find((rule) => rule.id === 'create_user')!;
  assert.deepEqual(createUser.limits, { development: 100, production: 1000 });
  assert.ok(createUser.matches('POST', '/v1/users'));
  assert.ok(!createUser.matches('GET', '/v1/users'));
  const backendApi = RATE_LIMIT_RULES.find((rule) => rule.id === 'backend_api')!;
  assert.deepEqual(backendApi.limits, { development: 100, production: 1000 });
});

// ---- configuration ---------------------------------------------------------------------

test('rate limits are off by default, with a 10 s window', () => {
  assert.deepEqual(loadConfig({}).rateLimits, { mode: 'off', windowMs: 10_000 });
});

test('CLERKD_RATE_LIMITS accepts off, development and production and refuses anything else', () => {
  for (const mode of ['off', 'development', 'production'] as const) assert.equal(loadConfig({ CLERKD_RATE_LIMITS: mode }).rateLimits.mode, mode);
  assert.throws(() => loadConfig({ CLERKD_RATE_LIMITS: 'dev' }), ConfigError);
  assert.throws(() => loadConfig({ CLERKD_RATE_LIMIT_WINDOW_MS: '0' }), ConfigError);
});

// ---- over HTTP -------------------------------------------------------------------------

test('development: the 101st create user in a window answers 429 too_many_requests with Retry-After', async () => {
  await withServer({ CLERKD_RATE_LIMITS: 'development' }, async (server) => {
    assert.deepEqual(statuses(await createUsers(server, 100)), [200]);
    const [refused] = await createUsers(server, 1);
    const error = assertTooManyRequests(refused!);
    assert.match(error.long_message, /100 requests per 10 seconds to create users \(POST \/v1\/users\)/);
    assert.ok(Number(refused!.headers.get('retry-after')) <= 10);
    assert.equal((refused!.body as { clerk_trace_id: string }).clerk_trace_id, refused!.headers.get('clerk-trace-id'));
  });
});

test('development: create user has its own window, so other endpoints still answer', async () => {
  await withServer({ CLERKD_RATE_LIMITS: 'development' }, async (server) => {
    await createUsers(server, 101);
    const count = await api(server, 'GET', '/v1/users/count');
    assert.equal(count.status, 200, count.text);
    assert.deepEqual(count.body, { object: 'total_count', total_count: 100 });
  });
});

test('development: the 101st request to the other /v1 endpoints in a window answers 429', async () => {
  await withServer({ CLERKD_RATE_LIMITS: 'development' }, async (server) => {
    assert.deepEqual(statuses(await countUsers(server, 100)), [200]);
    const refused = await api(server, 'GET', '/v1/users/some_user');
    const error = assertTooManyRequests(refused);
    assert.match(error.long_message, /100 requests per 10 seconds to the Backend API/);
  });
});

test('limits are counted per secret key, as Clerk counts them per instance', async () => {
  await withServer({ CLERKD_RATE_LIMITS: 'development', CLERKD_SECRET_KEYS: 'sk_test_first_instance,sk_test_second_instance' }, async (server) => {
    const first = { authorization: 'Bearer sk_test_first_instance' };
    const second = { authorization: 'Bearer sk_test_second_instance' };
    await createUsers(server, 100, first);
    assertTooManyRequests((await createUsers(server, 1, first))[0]!);
    assert.deepEqual(statuses(await createUsers(server, 1, second)), [200]);
  });
});

test('requests with a wrong secret key answer 401, never 429, and use up no budget', async () => {
  await withServer({ CLERKD_RATE_LIMITS: 'development' }, async (server) => {
    assert.deepEqual(statuses(await createUsers(server, 150, { authorization: 'Bearer sk_test_wrong' })), [401]);
    assert.deepEqual(statuses(await createUsers(server, 100)), [200]);
  });
});

test('once the window has passed, requests succeed again', async () => {
  await withServer({ CLERKD_RATE_LIMITS: 'development', CLERKD_RATE_LIMIT_WINDOW_MS: '1500' }, async (server) => {
    // A burst well over the limit; should a slow machine straddle two windows, burst again.
    let refused: ApiResponse | undefined;
    for (let burst = 0; burst < 5 && refused === undefined; burst++) refused = (await createUsers(server, 150)).find((r) => r.status === 429);
    assert.ok(refused, 'no burst was refused');
    const error = assertTooManyRequests(refused);
    assert.match(error.long_message, /per 1500 milliseconds/);
    await sleep(Number(refused.headers.get('retry-after')) * 1000);
    assert.deepEqual(statuses(await createUsers(server, 1)), [200]);
  });
});

test('production: 1000 per window, so a 101st create user in a window is admitted', async () => {
  await withServer({ CLERKD_RATE_LIMITS: 'production' }, async (server) => {
    assert.deepEqual(statuses(await createUsers(server, 101)), [200]);
    assert.deepEqual(statuses(await countUsers(server, 101)), [200]);
  });
});

test('off (the default): no 429 however many requests arrive', async () => {
  await withServer({}, async (server) => {
    assert.deepEqual(statuses(await createUsers(server, 150)), [200]);
    assert.deepEqual(statuses(await countUsers(server, 150)), [200]);
  });
});

test('off registers no rate-limit hook at all; development registers one', async () => {
  await withServer({}, async (server) => {
    assert.doesNotMatch(server.app.printRoutes({ includeHooks: true, commonPrefix: false }), /enforceRateLimit/);
  });
  await withServer({ CLERKD_RATE_LIMITS: 'development' }, async (server) => {
    const table = server.app.printRoutes({ includeHooks: true, commonPrefix: false });
    assert.match(table, /enforceRateLimit/);
  });
});

test('health, docs and images are never rate limited', async () => {
  await withServer({ CLERKD_RATE_LIMITS: 'development' }, async (server) => {
    for (const path of ['/healthz', '/_clerkd/openapi.json', '/images/default-avatar.svg']) {
      const responses = await Promise.all(Array.from({ length: 110 }, () => api(server, 'GET', path, { anonymous: true })));
      assert.deepEqual(statuses(responses), [200], path);
    }
  });
});
