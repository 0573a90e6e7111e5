import assert from 'node:assert/strict';
import { test } from 'node:test';
import { storageHealthOf } from '../../src/db/storage-faults.js';
import { api, startTestServer, type TestServer } from '../support/server.js';
import { assertMatchesSpec } from '../support/spec-schema.js';

/** `GET /healthz`: no secret key, one trivial query, 503 in Clerk's shape when the database is gone. */

/** Closes the server's SQLite handle under it (drizzle keeps it as `$client`, which the Db type does not name). */
function closeDatabaseHandle(server: TestServer): void {
  (server.db as unknown as { $client: { close(): void } }).$client.close();
}

test('GET /healthz answers 200 {"status":"ok"} without a secret key', async () => {
  const server = await startTestServer();
  try {
    const response = await api(server, 'GET', '/healthz', { anonymous: true });
    assert.equal(response.status, 200, response.text);
    assert.equal(response.headers.get('content-type'), 'application/json');
    assert.equal(response.text, '{"status":"ok"}');
  } finally {
    await server.close();
  }
});

test('GET /healthz ignores a wrong secret key rather than answering 401', async () => {
  const server = await startTestServer();
  try {
    const response = await api(server, 'GET', '/healthz', { headers: { authorization: 'Bearer sk_test_wrong' } });
    assert.equal(response.status, 200, response.text);
  } finally {
    await server.close();
  }
});

test('HEAD /healthz answers 200 with no body, for checks that only read the status', async () => {
  const server = await startTestServer();
  try {
    const response = await fetch(`${server.baseUrl}/healthz`, { method: 'HEAD' });
    assert.equal(response.status, 200);
    assert.equal(await response.text(), '');
  } finally {
    await server.close();
  }
});

test('GET /healthz answers 503 service_unavailable with Retry-After once the database handle is closed', async () => {
  const server = await startTestServer();
  try {
    closeDatabaseHandle(server);
    const response = await api(server, 'GET', '/healthz', { anonymous: true });
    assert.equal(response.status, 503, response.text);
    assert.equal(response.headers.get('content-type'), 'application/json');
    assert.match(response.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
    assertMatchesSpec('ClerkErrors', response.body);
    const body = response.body as { errors: { code: string; long_message: string }[]; clerk_trace_id: string };
    assert.equal(body.errors[0]?.code, 'service_unavailable');
    assert.equal(body.clerk_trace_id, response.headers.get('clerk-trace-id'));
    // The driver's reason goes to the log, not to the caller.
    assert.doesNotMatch(response.text, /connection is not open|sqlite/i);
  } finally {
    await server.close();
  }
});

test('the storage check answers null on an open database and throws on a closed one', async () => {
  const server = await startTestServer();
  try {
    assert.equal(storageHealthOf(server.db).check(), null);
    closeDatabaseHandle(server);
    assert.throws(() => storageHealthOf(server.db).check());
  } finally {
    await server.close();
  }
});
