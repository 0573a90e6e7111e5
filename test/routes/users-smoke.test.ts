import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, startTestServer, unique, type TestServer } from '../support/server.js';
import { assertMatchesSpec } from '../support/spec-schema.js';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.close();
});

test('a created user can be read back by id and matches the spec User schema', async () => {
  const email = `${unique()}@example.com`;
  const created = await api(server, 'POST', '/v1/users', { body: { email_address: [email], first_name: 'Ada' } });
  assert.equal(created.status, 200);
  assert.equal(created.headers.get('content-type'), 'application/json');
  assertMatchesSpec('User', created.body);
  const { id } = created.body as { id: string };
  const read = await api(server, 'GET', `/v1/users/${id}`);
  assert.equal(read.status, 200);
  assert.deepEqual(read.body, created.body);
});
