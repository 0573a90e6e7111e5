import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, startTestServer, unique, type TestServer } from '../support/server.js';

/** `query` and the `*_query` filters fold case beyond ASCII, as Clerk's Postgres does. */

let server: TestServer;
let marker: string;
before(async () => {
  server = await startTestServer();
  marker = unique('uni').toLowerCase();
  const created = await api(server, 'POST', '/v1/users', { body: { first_name: 'Élodie', last_name: 'Ørsted-Çelik', external_id: marker } });
  assert.equal(created.status, 200, created.text);
});
after(async () => {
  await server.close();
});

async function count(params: string): Promise<number> {
  const response = await api(server, 'GET', `/v1/users/count?${params}&external_id=${marker}`);
  assert.equal(response.status, 200, response.text);
  return (response.body as { total_count: number }).total_count;
}

for (const query of ['Élodie', 'élodie', 'ÉLODIE', 'ørsted', 'ØRSTED-ÇELIK', 'él', 'çelik']) {
  test(`query=${query} finds a user named Élodie Ørsted-Çelik whatever the case`, async () => {
    assert.equal(await count(`query=${encodeURIComponent(query)}`), 1);
    assert.equal(await count(`name_query=${encodeURIComponent(query)}`), 1);
  });
}

test('a query that differs in letters, not case, finds nothing', async () => {
  assert.equal(await count(`query=${encodeURIComponent('elodie')}`), 0);
  assert.equal(await count(`name_query=${encodeURIComponent('orsted')}`), 0);
});
