import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig } from '../../src/config.js';
import { secretKeyChecker } from '../../src/http/auth.js';
import { assertClerkErrorBody, errorCode } from '../support/clerk-errors.js';
import { fingerprint } from '../support/db-fingerprint.js';
import { createRichFixtures, type RichFixtures } from '../support/fixtures.js';
import { rawRequest } from '../support/raw-http.js';
import { fillPath, isPublicRoute, startTestServerWithRoutes, type RouteEntry } from '../support/route-table.js';
import type { TestServer } from '../support/server.js';

/**
 * Every route in the route table answers 401 without a valid secret key, except the
 * documented public ones (images, /healthz, the OpenAPI document and docs); keys are compared
 * in constant time; and the JSON body limit is configured and enforced on every route.
 */

const BODY_LIMIT = 2048;

let server: TestServer;
let routes: RouteEntry[];
let fixtures: RichFixtures;

before(async () => {
  ({ server, routes } = await startTestServerWithRoutes({ CLERKD_BODY_LIMIT_BYTES: String(BODY_LIMIT) }));
  fixtures = await createRichFixtures(server);
});
after(async () => {
  await server.close();
});

function targetOf(route: RouteEntry): string {
  return fillPath(route.url, (name) => (fixtures as unknown as Record<string, string>)[name] ?? 'x').replace(/\*$/, 'index.html');
}

/** Bodies that would do something if the request were let through. */
function bodyFor(route: RouteEntry): string | undefined {
  if (route.method === 'GET' || route.method === 'HEAD') return undefined;
  if (route.url.endsWith('/verify_password')) return JSON.stringify({ password: 'wrong-password-1' });
  if (route.url === '/v1/users') return JSON.stringify({ email_address: ['unauthenticated@example.com'] });
  return JSON.stringify({});
}

const BAD_CREDENTIALS: { label: string; headers: [string, string][]; code: string }[] = [
  { label: 'no Authorization header', headers: [], code: 'authentication_invalid' },
  { label: 'an empty Authorization header', headers: [['Authorization', '']], code: 'authentication_invalid' },
  { label: 'a wrong key', headers: [['Authorization', 'Bearer sk_test_not_the_key']], code: 'clerk_key_invalid' },
  { label: 'the key with one more character', headers: [['Authorization', 'Bearer sk_test_clerkd_suite_keyX']], code: 'clerk_key_invalid' },
  { label: 'the key without its last character', headers: [['Authorization', 'Bearer sk_test_clerkd_suite_ke']], code: 'clerk_key_invalid' },
  { label: 'the key in another case', headers: [['Authorization', 'Bearer SK_TEST_CLERKD_SUITE_KEY']], code: 'clerk_key_invalid' },
  { label: 'the key without a scheme', headers: [['Authorization', 'sk_test_clerkd_suite_key']], code: 'authorization_header_format_invalid' },
  { label: 'Basic credentials', headers: [['Authorization', `Basic ${Buffer.from('sk_test_clerkd_suite_key:').toString('base64')}`]], code: 'authorization_header_format_invalid' },
  { label: 'a scheme without a key', headers: [['Authorization', 'Bearer']], code: 'authorization_header_format_invalid' },
  { label: 'two keys in one header', headers: [['Authorization', 'Bearer sk_test_clerkd_suite_key sk_test_clerkd_suite_key']], code: 'authorization_header_format_invalid' },
  { label: 'the key as a cookie', headers: [['Cookie', '__session=sk_test_clerkd_suite_key']], code: 'authentication_invalid' },
  { label: 'the key in a query-like header', headers: [['X-Clerk-Secret-Key', 'sk_test_clerkd_suite_key']], code: 'authentication_invalid' },
];

describe('authentication on every route', () => {
  test('the route table has the documented public routes and a secret-key surface', () => {
    const publicRoutes = routes.filter((route) => isPublicRoute(route.url));
    assert.ok(publicRoutes.some((route) => route.url === '/images/:key'));
    assert.ok(routes.filter((route) => !isPublicRoute(route.url)).length >= 40);
  });

  test('every non-public route answers 401 in Clerk shape to every bad credential, and writes nothing', async (t) => {
    let tried = 0;
    for (const route of routes.filter((candidate) => !isPublicRoute(candidate.url))) {
      await t.test(`${route.method} ${route.url}`, async () => {
        for (const credential of BAD_CREDENTIALS) {
          const body = bodyFor(route);
          const headers: [string, string][] = [...credential.headers, ...(body === undefined ? [] : ([['Content-Type', 'application/json']] as [string, string][]))];
          const before = fingerprint(server.db, server.config.imagesDir).hash;
          const response = await rawRequest(server.baseUrl, { method: route.method, target: targetOf(route), headers, ...(body === undefined ? {} : { body }) });
          tried += 1;
          const context = `${route.method} ${route.url} with ${credential.label}: ${response.status} ${response.text.slice(0, 200)}`;
          assert.equal(response.status, 401, context);
          assert.equal(response.headers['content-type'], 'application/json', context);
          if (route.method !== 'HEAD') {
            assertClerkErrorBody(response.json, context);
            assert.equal(errorCode(response.json), credential.code, context);
          }
          assert.equal(fingerprint(server.db, server.config.imagesDir).hash, before, `the database changed: ${context}`);
        }
      });
    }
    console.log(`authentication: ${tried} unauthenticated requests over ${routes.filter((route) => !isPublicRoute(route.url)).length} routes, all 401`);
  });

  test('every public route answers without a key, and never with a 5xx', async () => {
    for (const route of routes.filter((candidate) => isPublicRoute(candidate.url))) {
      const response = await rawRequest(server.baseUrl, { method: route.method, target: targetOf(route) });
      assert.notEqual(response.status, 401, `${route.method} ${route.url}`);
      assert.ok(response.status < 500, `${route.method} ${route.url}: ${response.status}`);
    }
  });

  test('the configured key, with any scheme case and surrounding blanks, is accepted', async () => {
    for (const header of [`Bearer ${server.secretKey}`, `bearer ${server.secretKey}`, `BEARER\t${server.secretKey}  `]) {
      const response = await rawRequest(server.baseUrl, { method: 'GET', target: '/v1/users/count', headers: [['Authorization', header]] });
      assert.equal(response.status, 200, `${JSON.stringify(header)}: ${response.text}`);
    }
  });

  test('an oversized body is refused as unauthenticated, before it is read', async () => {
    const response = await rawRequest(server.baseUrl, {
      method: 'POST',
      target: '/v1/users',
      headers: [['Content-Type', 'application/json']],
      body: `{"first_name":"${'x'.repeat(BODY_LIMIT * 4)}"}`,
    });
    assert.equal(response.status, 401);
    assertClerkErrorBody(response.json, 'oversized unauthenticated');
  });
});

describe('constant-time key comparison', () => {
  const keys = ['sk_test_first_key_abcdef', 'sk_live_second_key_0123456789', 'k'];
  const isKnownKey = secretKeyChecker(keys);

  test('accepts exactly the configured keys', () => {
    for (const key of keys) assert.equal(isKnownKey(key), true, key);
    for (const wrong of ['', ' ', 'sk_test_first_key_abcde', 'sk_test_first_key_abcdeff', 'SK_TEST_FIRST_KEY_ABCDEF', 'K', 'kk', `${keys[1]}\u0000`, 'sk_test_first_key_abcdef '.trim() + '\u200b']) {
      assert.equal(isKnownKey(wrong), false, JSON.stringify(wrong));
    }
  });

  test('compares keys of any length without throwing (fixed-length digests, not the raw strings)', () => {
    // timingSafeEqual throws on buffers of different lengths; digests are always 32 bytes.
    for (const presented of ['x', 'x'.repeat(100_000), '\ud800', '👩‍👩‍👧‍👦'.repeat(50)]) assert.equal(isKnownKey(presented), false);
  });

  test('the implementation compares SHA-256 digests with timingSafeEqual against every key, without stopping early', () => {
    const source = fs.readFileSync(fileURLToPath(new URL('../../src/http/auth.ts', import.meta.url)), 'utf8');
    assert.match(source, /import \{[^}]*\btimingSafeEqual\b[^}]*\} from 'node:crypto'/);
    assert.match(source, /createHash\('sha256'\)/);
    // Every configured digest is compared; the result is OR-ed after the comparison, so no key short-circuits the loop.
    assert.match(source, /for \(const \w+ of digests\) matched = timingSafeEqual\(candidate, \w+\) \|\| matched;/);
    // No plain comparison of a presented key anywhere.
    assert.doesNotMatch(source, /presented\s*[!=]==|[!=]==\s*presented|\.includes\(presented\)|\.indexOf\(presented\)|\.has\(presented\)/);
  });
});

describe('body size limit', () => {
  test('CLERKD_BODY_LIMIT_BYTES is read, bounded and defaults to 1 MiB', () => {
    assert.equal(loadConfig({ CLERKD_DATABASE: ':memory:' }).bodyLimitBytes, 1024 * 1024);
    assert.equal(loadConfig({ CLERKD_DATABASE: ':memory:', CLERKD_BODY_LIMIT_BYTES: '4096' }).bodyLimitBytes, 4096);
    for (const bad of ['12', '-1', 'lots', String(200 * 1024 * 1024)]) {
      assert.throws(() => loadConfig({ CLERKD_DATABASE: ':memory:', CLERKD_BODY_LIMIT_BYTES: bad }), ConfigError, bad);
    }
  });

  test('every JSON body route answers 413 request_body_too_large in Clerk shape over the limit, and writes nothing', async () => {
    const withBody = routes.filter((route) => route.schema?.body !== undefined);
    assert.ok(withBody.length >= 15, `${withBody.length} routes with a body schema`);
    for (const route of withBody) {
      for (const framing of ['content-length', 'chunked'] as const) {
        const json = `{"first_name":"${'x'.repeat(BODY_LIMIT)}"}`;
        const body = framing === 'chunked' ? `${Buffer.byteLength(json).toString(16)}\r\n${json}\r\n0\r\n\r\n` : json;
        const headers: [string, string][] = [
          ['Authorization', `Bearer ${server.secretKey}`],
          ['Content-Type', 'application/json'],
          ...(framing === 'chunked' ? ([['Transfer-Encoding', 'chunked']] as [string, string][]) : []),
        ];
        const before = fingerprint(server.db, server.config.imagesDir).hash;
        const response = await rawRequest(server.baseUrl, { method: route.method, target: targetOf(route), headers, body, omitContentLength: framing === 'chunked' });
        const context = `${route.method} ${route.url} (${framing}): ${response.status} ${response.text.slice(0, 200)}`;
        assert.equal(response.status, 413, context);
        assert.equal(response.headers['content-type'], 'application/json', context);
        assertClerkErrorBody(response.json, context);
        assert.equal(errorCode(response.json), 'request_body_too_large', context);
        assert.equal(fingerprint(server.db, server.config.imagesDir).hash, before, `the database changed: ${context}`);
      }
    }
  });

  test('a body at the limit is read (and judged on its content, not its size)', async () => {
    const padding = BODY_LIMIT - '{"first_name":""}'.length;
    const body = `{"first_name":"${'x'.repeat(padding)}"}`;
    assert.equal(Buffer.byteLength(body), BODY_LIMIT);
    const response = await rawRequest(server.baseUrl, {
      method: 'PATCH',
      target: `/v1/users/${fixtures.user_id}`,
      headers: [
        ['Authorization', `Bearer ${server.secretKey}`],
        ['Content-Type', 'application/json'],
      ],
      body,
    });
    assert.equal(response.status, 200, response.text);
  });
});
