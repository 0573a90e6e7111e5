import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { assertClerkErrorBody, errorCode } from '../support/clerk-errors.js';
import { fingerprint, sqliteOf, textThatIsNotUtf8 } from '../support/db-fingerprint.js';
import { createRichFixtures, type RichFixtures } from '../support/fixtures.js';
import { hostileRequest, resolveRealParams, type HostileCase } from '../support/hostile-input.js';
import { rawRequest, type RawRequest, type RawResponse } from '../support/raw-http.js';
import { isPublicRoute, startTestServerWithRoutes, type RouteEntry } from '../support/route-table.js';
import type { TestServer } from '../support/server.js';

/**
 * Every route in Fastify's route table gets generated malformed requests (see
 * test/support/hostile-input.ts for the kinds) and must answer each one cleanly: never a 5xx,
 * `Content-Type: application/json`, every error in Clerk's shape with a specific code, and
 * a database (every table, byte for byte) and image directory that a refused request left
 * exactly as they were (one documented exception: a wrong password or TOTP/backup code
 * counts a failed attempt, so those two codes may change the user's attempt counter). An
 * accepted request never leaves text in the database that is not UTF-8.
 *
 * Runs are bounded per route (CLERKD_FUZZ_RUNS, default 35); FC_SEED replays a failure.
 */

const RUNS = Number(process.env.CLERKD_FUZZ_RUNS ?? 35);
const SEED = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
const BODY_LIMIT = 16 * 1024;
const IMAGE_MAX = 8 * 1024;

/** Refusals that are meant to write: they count a failed verification attempt. */
const COUNTED_FAILURES = new Set(['incorrect_password', 'totp_incorrect_code']);

let server: TestServer;
let routes: RouteEntry[];
let fixtures: RichFixtures | undefined;
const tally = { tried: 0, refused: 0, accepted: 0, byKind: new Map<string, number>(), byStatus: new Map<number, number>() };

before(async () => {
  ({ server, routes } = await startTestServerWithRoutes({
    CLERKD_BODY_LIMIT_BYTES: String(BODY_LIMIT),
    CLERKD_IMAGE_MAX_BYTES: String(IMAGE_MAX),
    // Fuzzed wrong passwords must not lock the fixture user out of the paths behind the lock.
    CLERKD_LOCKOUT_MAX_ATTEMPTS: '1000000',
  }));
});

after(async () => {
  await server.close();
  const kinds = [...tally.byKind].map(([kind, n]) => `${kind} ${n}`).join(', ');
  const statuses = [...tally.byStatus].sort(([a], [b]) => a - b).map(([status, n]) => `${status}×${n}`).join(' ');
  console.log(`hostile input: ${tally.tried} requests over ${routes.length} routes (${tally.refused} refused, ${tally.accepted} accepted); kinds: ${kinds}; statuses: ${statuses}`);
});

/** The fixtures, re-created when a fuzzed request deleted or replaced any of them. */
async function currentFixtures(): Promise<RichFixtures> {
  const sqlite = sqliteOf(server.db);
  const intact =
    fixtures !== undefined &&
    sqlite.prepare('SELECT 1 FROM users WHERE id = ? AND profile_image_key = ?').get(fixtures.user_id, fixtures.key) !== undefined &&
    sqlite.prepare('SELECT 1 FROM external_accounts WHERE id = ? AND user_id = ?').get(fixtures.external_account_id, fixtures.user_id) !== undefined &&
    sqlite.prepare('SELECT 1 FROM organization_memberships WHERE organization_id = ? AND user_id = ?').get(fixtures.organization_id, fixtures.user_id) !== undefined;
  if (!intact) fixtures = await createRichFixtures(server);
  return fixtures!;
}

function describeCase(hostile: HostileCase, target: string): string {
  const body = hostile.request.body;
  const shown = body === undefined ? '' : ` body(${body.length} bytes)=${JSON.stringify((Buffer.isBuffer(body) ? body.toString('latin1') : body).slice(0, 300))}`;
  const headers = (hostile.request.headers ?? []).filter(([name]) => name !== 'Authorization').map(([n, v]) => `${n}: ${v.slice(0, 80)}`).join('; ');
  return `[${hostile.kind}] ${hostile.request.method} ${target.slice(0, 300)} {${headers}}${shown}`;
}

function checkAnswer(route: RouteEntry, hostile: HostileCase, target: string, response: RawResponse, changed: boolean): void {
  const context = `${describeCase(hostile, target)} → ${response.status} ${response.text.slice(0, 300)}`;
  assert.ok(response.status >= 200 && response.status < 500, `a 5xx (or no status): ${context}`);
  // Public pages (images, API docs) answer in their own types when they succeed; everything else is JSON.
  const ownType = isPublicRoute(route.url) && response.status < 400;
  if (!ownType) assert.equal(response.headers['content-type'], 'application/json', `content type: ${context}`);
  if (response.status < 400) {
    // Accepted is fine, but not at the price of text SQLite stores as bytes that are not UTF-8.
    if (changed) assert.deepEqual(textThatIsNotUtf8(server.db), [], `stored text that is not UTF-8: ${context}`);
    return;
  }
  if (route.method !== 'HEAD') assertClerkErrorBody(response.json, context);
  const code = errorCode(response.json);
  if (changed && !(code !== undefined && COUNTED_FAILURES.has(code))) assert.fail(`a refused request changed the database or the image directory: ${context}`);
}

describe('hostile input on every route', () => {
  test('the route table was read and covers the API', () => {
    assert.ok(routes.length >= 40, `only ${routes.length} routes`);
    for (const expected of ['POST /v1/users', 'PATCH /v1/users/:user_id/metadata', 'POST /v1/users/:user_id/profile_image', 'POST /_clerkd/users/:user_id/external_accounts']) {
      assert.ok(routes.some((route) => `${route.method} ${route.url}` === expected), `${expected} is missing from the route table`);
    }
  });

  test('every route refuses malformed input cleanly and without side effects', async (t) => {
    const authorization = `Bearer ${server.secretKey}`;
    for (const route of routes) {
      await t.test(`${route.method} ${route.url}`, async () => {
        const arbitrary = hostileRequest(route, { bodyLimit: BODY_LIMIT, imageMaxBytes: IMAGE_MAX, authorization });
        await fc.assert(
          fc.asyncProperty(arbitrary, async (hostile) => {
            const values = await currentFixtures();
            const target = resolveRealParams(String(hostile.request.target), values as unknown as Record<string, string>);
            const before = fingerprint(server.db, server.config.imagesDir);
            const response = await rawRequest(server.baseUrl, { ...hostile.request, target: Buffer.from(target, 'utf8') });
            const changed = fingerprint(server.db, server.config.imagesDir).hash !== before.hash;
            tally.tried += 1;
            tally.byKind.set(hostile.kind, (tally.byKind.get(hostile.kind) ?? 0) + 1);
            tally.byStatus.set(response.status, (tally.byStatus.get(response.status) ?? 0) + 1);
            if (response.status >= 400) tally.refused += 1;
            else tally.accepted += 1;
            checkAnswer(route, hostile, target, response, changed);
          }),
          { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) },
        );
      });
    }
  });
});

describe('requests refused before any route runs', () => {
  /** The suite's key is only known once the server runs: `send` fills it in. */
  const auth: [string, string] = ['Authorization', 'Bearer <suite key>'];
  const json: [string, string] = ['Content-Type', 'application/json'];
  const send = (request: RawRequest) =>
    rawRequest(server.baseUrl, { ...request, headers: (request.headers ?? []).map(([n, v]) => (n === 'Authorization' ? [n, `Bearer ${server.secretKey}`] : [n, v])) });

  const CASES: { name: string; request: RawRequest; status: number; code: string }[] = [
    { name: 'a body that is not UTF-8', request: { method: 'POST', target: '/v1/users', headers: [auth, json], body: Buffer.concat([Buffer.from('{"first_name":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')]) }, status: 400, code: 'request_body_invalid' },
    { name: 'an encoded UTF-16 surrogate in the body bytes', request: { method: 'POST', target: '/v1/users', headers: [auth, json], body: Buffer.concat([Buffer.from('{"first_name":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]) }, status: 400, code: 'request_body_invalid' },
    { name: 'an unpaired surrogate escape in a string', request: { method: 'POST', target: '/v1/users', headers: [auth, json], body: '{"first_name":"a\\ud800b"}' }, status: 400, code: 'request_body_invalid' },
    { name: 'an unpaired surrogate escape in a metadata key', request: { method: 'POST', target: '/v1/users', headers: [auth, json], body: '{"public_metadata":{"\\udc00":1}}' }, status: 400, code: 'request_body_invalid' },
    { name: 'bytes that are not UTF-8 in the path', request: { method: 'GET', target: Buffer.concat([Buffer.from('/v1/users/'), Buffer.from([0xff, 0xfe])]), headers: [auth] }, status: 400, code: 'malformed_request_parameters' },
    { name: 'a Content-Length that is not a number', request: { method: 'POST', target: '/v1/users', headers: [auth, json, ['Content-Length', 'abc']], body: '{}', omitContentLength: true }, status: 400, code: 'malformed_request_parameters' },
    { name: 'two different Content-Lengths', request: { method: 'POST', target: '/v1/users', headers: [auth, json, ['Content-Length', '2'], ['Content-Length', '3']], body: '{}', omitContentLength: true }, status: 400, code: 'malformed_request_parameters' },
    { name: 'broken chunked framing', request: { method: 'POST', target: '/v1/users', headers: [auth, json, ['Transfer-Encoding', 'chunked']], body: 'zz\r\n{}\r\n0\r\n\r\n', omitContentLength: true }, status: 400, code: 'malformed_request_parameters' },
    { name: 'an unknown method', request: { method: 'BREW', target: '/v1/users', headers: [auth] }, status: 400, code: 'malformed_request_parameters' },
    { name: 'a control character in a header value', request: { method: 'GET', target: '/v1/users', headers: [auth, ['X-Note', 'a\u0001b']] }, status: 400, code: 'malformed_request_parameters' },
    { name: 'headers over the size limit', request: { method: 'GET', target: '/v1/users', headers: [auth, ['X-Padding', 'p'.repeat(20_000)]] }, status: 431, code: 'request_header_fields_too_large' },
    { name: 'a query string over the header size limit', request: { method: 'GET', target: `/v1/users?query=${'q'.repeat(20_000)}`, headers: [auth] }, status: 431, code: 'request_header_fields_too_large' },
  ];

  for (const { name, request, status, code } of CASES) {
    test(`${name} answers ${status} ${code} in Clerk's shape and writes nothing`, async () => {
      const before = fingerprint(server.db, server.config.imagesDir).hash;
      const response = await send(request);
      assert.equal(response.status, status, response.text);
      assert.equal(response.headers['content-type'], 'application/json');
      assertClerkErrorBody(response.json, name);
      assert.equal(errorCode(response.json), code);
      assert.equal(response.headers['clerk-trace-id'], response.json.clerk_trace_id);
      assert.equal(fingerprint(server.db, server.config.imagesDir).hash, before);
    });
  }

  test('a paired surrogate escape (an emoji written as \\ud83d\\ude00) is accepted and stored as the emoji', async () => {
    const response = await send({ method: 'POST', target: '/v1/users', headers: [auth, json], body: '{"first_name":"a\\ud83d\\ude00b"}' });
    assert.equal(response.status, 200, response.text);
    assert.equal((response.json as { first_name: string }).first_name, 'a\u{1f600}b');
  });
});
