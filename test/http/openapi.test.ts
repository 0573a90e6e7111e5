import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { api, startTestServer, type TestServer } from '../support/server.js';

/** The OpenAPI document at /_clerkd/openapi.json and the Swagger UI at /_clerkd/docs. */

interface RouteEntry {
  method: string;
  url: string;
}

// The document is walked freely: its shape is what the assertions check.
type Json = Record<string, any>;

let server: TestServer;
/** Fastify's own route table, seen through an onRoute hook added before any plugin runs. */
const routeTable: RouteEntry[] = [];
let doc: Json;

before(async () => {
  const channel = diagnostics.channel('fastify.initialization');
  const onInit = (message: unknown) => {
    (message as { fastify: FastifyInstance }).fastify.addHook('onRoute', (route: RouteOptions) => {
      for (const method of [route.method].flat()) routeTable.push({ method: String(method), url: route.url });
    });
  };
  channel.subscribe(onInit);
  try {
    server = await startTestServer({ CLERKD_PUBLIC_URL: 'https://clerkd.example.test' });
  } finally {
    channel.unsubscribe(onInit);
  }
  const response = await api(server, 'GET', '/_clerkd/openapi.json', { anonymous: true });
  assert.equal(response.status, 200, response.text);
  doc = response.body as Json;
});
after(async () => {
  await server.close();
});

/** `/v1/users/:user_id` → `/v1/users/{user_id}`, as OpenAPI writes paths. */
function openapiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function resolveRef(ref: string): Json {
  const name = /^#\/components\/schemas\/(.+)$/.exec(ref)?.[1];
  assert.ok(name !== undefined, `not a component reference: ${ref}`);
  const schema = doc.components.schemas[name];
  assert.ok(schema !== undefined, `dangling reference ${ref}`);
  return schema as Json;
}

function walk(value: unknown, visit: (node: Json, path: string) => void, path = '#'): void {
  if (Array.isArray(value)) value.forEach((item, i) => walk(item, visit, `${path}/${i}`));
  else if (typeof value === 'object' && value !== null) {
    visit(value as Json, path);
    for (const [key, child] of Object.entries(value)) walk(child, visit, `${path}/${key}`);
  }
}

test('the document is served as application/json without a secret key', async () => {
  const response = await api(server, 'GET', '/_clerkd/openapi.json', { anonymous: true });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'application/json');
});

test('the document is OpenAPI 3.0 titled clerkd, with the package version and the public URL as server', () => {
  const pkg = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  assert.equal(doc.openapi, '3.0.3');
  assert.equal(doc.info.title, 'clerkd');
  assert.equal(doc.info.version, pkg.version);
  assert.deepEqual(doc.servers, [{ url: 'https://clerkd.example.test' }]);
});

test('the document declares bearer authentication and requires it by default', () => {
  assert.deepEqual(doc.components.securitySchemes.bearerAuth.type, 'http');
  assert.deepEqual(doc.components.securitySchemes.bearerAuth.scheme, 'bearer');
  assert.deepEqual(doc.security, [{ bearerAuth: [] }]);
});

test('every /v1 route of the route table is in the document with each of its methods', () => {
  const v1 = routeTable.filter((route) => route.url.startsWith('/v1/') && route.method !== 'HEAD');
  assert.ok(v1.length >= 30, `only ${v1.length} /v1 routes were seen`);
  for (const route of v1) {
    const operation = doc.paths[openapiPath(route.url)]?.[route.method.toLowerCase()];
    assert.ok(operation !== undefined, `${route.method} ${route.url} is missing from the document`);
    assert.equal(operation.security, undefined, `${route.method} ${route.url} must inherit the bearer requirement`);
  }
});

test('the document lists no operation that the route table does not have', () => {
  const known = new Set(routeTable.map((route) => `${route.method} ${openapiPath(route.url)}`));
  for (const [path, item] of Object.entries(doc.paths as Json)) {
    for (const method of Object.keys(item as Json)) {
      assert.ok(known.has(`${method.toUpperCase()} ${path}`), `${method.toUpperCase()} ${path} is documented but not routed`);
    }
  }
});

test('/healthz and the images are documented as needing no secret key', () => {
  assert.deepEqual(doc.paths['/healthz'].get.security, []);
  assert.deepEqual(doc.paths['/images/{key}'].get.security, []);
  assert.ok(doc.paths['/healthz'].get.responses['503'].headers['retry-after'], 'the 503 documents Retry-After');
});

test('the User schema is a named component whose nullable fields read nullable: true', () => {
  const userResponse = doc.paths['/v1/users/{user_id}'].get.responses['200'].content['application/json'].schema;
  assert.deepEqual(userResponse, { $ref: '#/components/schemas/User' });
  const user = resolveRef(userResponse.$ref as string);
  for (const field of ['first_name', 'last_name', 'username', 'external_id', 'primary_email_address_id', 'last_sign_in_at', 'locale']) {
    assert.equal(user.properties[field].nullable, true, `${field} should be nullable`);
    assert.equal(typeof user.properties[field].type, 'string', `${field}: OpenAPI 3.0 has a single type`);
  }
  for (const field of ['id', 'created_at', 'banned', 'image_url']) {
    assert.equal(user.properties[field].nullable, undefined, `${field} is never null`);
  }
  assert.deepEqual(user.properties.email_addresses.items, { $ref: '#/components/schemas/EmailAddress' });
});

test('the list operation answers an array of User and errors are ClerkErrors', () => {
  const list = doc.paths['/v1/users'].get.responses;
  assert.deepEqual(list['200'].content['application/json'].schema, { type: 'array', items: { $ref: '#/components/schemas/User' } });
  assert.deepEqual(list['422'].content['application/json'].schema, { $ref: '#/components/schemas/ClerkErrors' });
  assert.equal(list['422'].description, 'Invalid request parameters');
});

test('every $ref resolves and no schema uses the JSON Schema type arrays OpenAPI 3.0 lacks', () => {
  walk(doc, (node, path) => {
    if (typeof node.$ref === 'string') resolveRef(node.$ref);
    if (Array.isArray(node.type)) assert.fail(`${path}: type ${JSON.stringify(node.type)}`);
  });
});

test('without rate limits no operation documents a 429', () => {
  assert.equal(doc.paths['/v1/users'].post.responses['429'], undefined);
});

test('with rate limits on, every /v1 operation documents 429 with Retry-After', async () => {
  const limited = await startTestServer({ CLERKD_RATE_LIMITS: 'development' });
  try {
    const limitedDoc = (await api(limited, 'GET', '/_clerkd/openapi.json', { anonymous: true })).body as Json;
    const tooMany = limitedDoc.paths['/v1/users'].post.responses['429'];
    assert.deepEqual(tooMany.content['application/json'].schema, { $ref: '#/components/schemas/ClerkErrors' });
    assert.ok(tooMany.headers['retry-after']);
    assert.equal(limitedDoc.paths['/healthz'].get.responses['429'], undefined);
  } finally {
    await limited.close();
  }
});

test('the Swagger UI answers 200 text/html without a secret key, with its assets served locally', async () => {
  const page = await fetch(`${server.baseUrl}/_clerkd/docs`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
  const html = await page.text();
  assert.doesNotMatch(html, /https?:\/\//, 'no asset is loaded from a CDN');
  for (const asset of ['swagger-ui-bundle.js', 'swagger-ui.css', 'swagger-initializer.js']) {
    const response = await fetch(`${server.baseUrl}/_clerkd/docs/static/${asset}`);
    assert.equal(response.status, 200, asset);
    assert.doesNotMatch(response.headers.get('content-type') ?? '', /^application\/json/, asset);
    await response.arrayBuffer();
  }
});
