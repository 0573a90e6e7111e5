import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { assertClerkErrorBody } from '../support/clerk-errors.js';
import { fingerprint } from '../support/db-fingerprint.js';
import { HOSTILE_INTEGER_TEXTS, hostileIntegerText, integerKeys, resolveRealParams } from '../support/hostile-input.js';
import { rawRequest } from '../support/raw-http.js';
import { fillPath, startTestServerWithRoutes, type RouteEntry } from '../support/route-table.js';
import { api, unique, uniqueEmail, type TestServer } from '../support/server.js';

/**
 * Hostile numbers in every integer parameter of every route in Fastify's route table, query
 * and body: never a 5xx, every refusal in Clerk's shape and without a write, and after each
 * request (accepted or not) the fixtures still read back. Runs per route: CLERKD_FUZZ_RUNS
 * (default 40); FC_SEED replays a failure.
 */

const RUNS = Number(process.env.CLERKD_FUZZ_RUNS ?? 40);
const SEED = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);

let server: TestServer;
let routes: RouteEntry[];
const fixtures: Record<string, string> = {};

before(async () => {
  ({ server, routes } = await startTestServerWithRoutes());
  const user = await api(server, 'POST', '/v1/users', { body: { email_address: [uniqueEmail('hn')], username: unique('hn') } });
  assert.equal(user.status, 200, user.text);
  fixtures.user_id = (user.body as { id: string }).id;
  const account = await api(server, 'POST', `/_clerkd/users/${fixtures.user_id}/external_accounts`, {
    body: { provider: 'oauth_google', provider_user_id: unique('g'), access_token: unique('at') },
  });
  assert.equal(account.status, 200, account.text);
  fixtures.external_account_id = (account.body as { id: string }).id;
  fixtures.provider = 'oauth_google';
  const organization = await api(server, 'POST', '/v1/organizations', { body: { name: unique('Org '), created_by: fixtures.user_id } });
  assert.equal(organization.status, 200, organization.text);
  fixtures.organization_id = (organization.body as { id: string }).id;
});
after(async () => {
  await server.close();
});

interface IntegerRoute {
  route: RouteEntry;
  query: string[];
  body: string[];
}

function integerRoutes(): IntegerRoute[] {
  return routes
    .map((route) => ({ route, query: integerKeys(route.schema?.querystring), body: integerKeys(route.schema?.body) }))
    .filter(({ query, body }) => query.length + body.length > 0);
}

function jsonField(key: string, text: string): string {
  return /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(text) ? `${JSON.stringify(key)}:${text}` : `${JSON.stringify(key)}:${JSON.stringify(text)}`;
}

/** Reads of the fixtures: a stored number must never make them fail. */
async function assertFixturesRead(context: string): Promise<void> {
  for (const path of [`/v1/users/${fixtures.user_id}`, `/v1/organizations/${fixtures.organization_id}`, '/v1/users', '/v1/organizations', `/v1/organizations/${fixtures.organization_id}/memberships`]) {
    const response = await api(server, 'GET', path);
    assert.equal(response.status, 200, `${context}; then GET ${path} → ${response.status} ${response.text.slice(0, 300)}`);
  }
}

describe('hostile numbers in every integer parameter', () => {
  test('the route table has integer parameters on the lists and the bodies the issue names', () => {
    const names = integerRoutes().map(({ route, query, body }) => `${route.method} ${route.url} ${[...query, ...body].join(',')}`);
    for (const expected of [
      /^GET \/v1\/users .*offset/,
      /^GET \/v1\/organizations .*limit,offset/,
      /^GET \/v1\/users\/:user_id\/organization_memberships limit,offset/,
      /^GET \/v1\/organizations\/:organization_id\/memberships .*limit,offset/,
      /^GET \/v1\/users\/:user_id\/oauth_access_tokens\/:provider limit,offset/,
      /^POST \/v1\/users create_organizations_limit/,
      /^PATCH \/v1\/users\/:user_id create_organizations_limit/,
      /^POST \/v1\/organizations max_allowed_memberships/,
      /^PATCH \/v1\/organizations\/:organization_id max_allowed_memberships/,
      /^POST \/_clerkd\/users\/:user_id\/external_accounts expires_at,expires_in/,
    ]) {
      assert.ok(names.some((name) => expected.test(name)), `${expected} is not among ${names.join('; ')}`);
    }
  });

  test('every integer a request carries has a lower bound and an upper bound no larger than 2^53 - 1', () => {
    for (const { route } of integerRoutes()) {
      for (const part of ['querystring', 'body'] as const) {
        const properties = (route.schema?.[part] as { properties?: Record<string, { minimum?: number; maximum?: number }> } | undefined)?.properties ?? {};
        for (const key of integerKeys(route.schema?.[part])) {
          const { minimum, maximum } = properties[key]!;
          const where = `${route.method} ${route.url} ${part}.${key}`;
          assert.equal(typeof minimum, 'number', `${where} has no minimum`);
          assert.ok(typeof maximum === 'number' && maximum <= Number.MAX_SAFE_INTEGER, `${where} has no maximum within 2^53 - 1`);
        }
      }
    }
  });

  test('every route answers every hostile number without a 5xx, refuses in Clerk shape without writing, and leaves every read working', async (t) => {
    for (const { route, query, body } of integerRoutes()) {
      await t.test(`${route.method} ${route.url}`, async () => {
        const keys = [...query.map((key) => ({ key, part: 'query' as const })), ...body.map((key) => ({ key, part: 'body' as const }))];
        const arbitrary = fc.tuple(fc.subarray(keys, { minLength: 1 }), fc.array(fc.oneof(fc.constantFrom(...HOSTILE_INTEGER_TEXTS), hostileIntegerText), { minLength: 1, maxLength: 3 }));
        await fc.assert(
          fc.asyncProperty(arbitrary, async ([chosen, texts]) => {
            const valueOf = (i: number) => texts[i % texts.length]!;
            const path = resolveRealParams(fillPath(route.url, (name) => `{real:${name}}`), fixtures);
            const queryPairs = chosen.flatMap(({ key, part }, i) => (part === 'query' ? [`${key}=${encodeURIComponent(valueOf(i))}`] : []));
            const bodyFields = chosen.flatMap(({ key, part }, i) => (part === 'body' ? [jsonField(key, valueOf(i))] : []));
            // Create bodies need their required fields to reach the integer checks at all.
            const required = route.method === 'POST' && route.url === '/v1/organizations' ? [`"name":"${unique('fz')}"`] : route.url.endsWith('/external_accounts') ? [`"provider":"oauth_github","provider_user_id":"${unique('fz')}"`] : [];
            const target = queryPairs.length ? `${path}?${queryPairs.join('&')}` : path;
            const sendsBody = route.schema?.body !== undefined;
            const requestBody = sendsBody ? `{${[...required, ...bodyFields].join(',')}}` : undefined;
            const before = fingerprint(server.db).hash;
            const response = await rawRequest(server.baseUrl, {
              method: route.method,
              target,
              headers: [['Authorization', `Bearer ${server.secretKey}`], ...(sendsBody ? ([['Content-Type', 'application/json']] as [string, string][]) : [])],
              ...(requestBody === undefined ? {} : { body: requestBody }),
            });
            const context = `${route.method} ${target} ${requestBody ?? ''} → ${response.status} ${response.text.slice(0, 300)}`;
            assert.ok(response.status >= 200 && response.status < 500, `a 5xx: ${context}`);
            assert.equal(response.headers['content-type'], 'application/json', context);
            if (response.status >= 400) {
              if (route.method !== 'HEAD') assertClerkErrorBody(response.json, context);
              assert.equal(fingerprint(server.db).hash, before, `a refused request wrote: ${context}`);
            }
            await assertFixturesRead(context);
          }),
          { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) },
        );
      });
    }
  });
});
