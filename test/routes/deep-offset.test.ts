import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { desc } from 'drizzle-orm';
import { users } from '../../src/db/schema.js';
import { newId } from '../../src/ids.js';
import { userRepository } from '../../src/users/repository.js';
import { writeTransaction } from '../../src/users/transaction.js';
import { api, startTestServer, type TestServer } from '../support/server.js';

/**
 * Deep offsets in created_at order start from remembered positions (src/users/offset-anchors.ts).
 * Every page must be exactly what a plain OFFSET would give, before and after the data changes.
 */

const COUNT = 1500;
let server: TestServer;

before(async () => {
  server = await startTestServer();
  const base = Date.UTC(2022, 0, 1);
  // Pairs share a created_at, so the id tie-break matters at every anchor.
  const rows = Array.from({ length: COUNT }, (_, i) => ({ id: newId('user'), firstName: i % 2 ? 'Odd' : 'Even', createdAt: base + Math.floor(i / 2) * 1000, updatedAt: base }));
  writeTransaction(server.db, (tx) => {
    userRepository.insertUsers(tx, rows);
    userRepository.refreshSearchTexts(tx, rows.map((row) => row.id));
  });
});
after(async () => {
  await server.close();
});

function expectedIds(): string[] {
  return server.db.select({ id: users.id }).from(users).orderBy(desc(users.createdAt), desc(users.id)).all().map((row) => row.id);
}

async function page(query: string): Promise<string[]> {
  const response = await api(server, 'GET', `/v1/users?${query}`);
  assert.equal(response.status, 200, response.text);
  return (response.body as { id: string }[]).map((user) => user.id);
}

test('walking deep pages one after another gives exactly the rows a plain offset would', async () => {
  const expected = expectedIds();
  for (let offset = 1000; offset < 1100; offset += 10) {
    assert.deepEqual(await page(`limit=10&offset=${offset}`), expected.slice(offset, offset + 10), `offset ${offset}`);
  }
  // The same deep page asked for again (it is then served from the row remembered before it).
  for (let i = 0; i < 3; i++) assert.deepEqual(await page('limit=10&offset=1300'), expected.slice(1300, 1310));
  // Jumps forward and back land on the right rows too.
  for (const offset of [1490, 700, 1099, 1100, 1050, 1495]) {
    assert.deepEqual(await page(`limit=10&offset=${offset}`), expected.slice(offset, offset + 10), `offset ${offset}`);
  }
});

test('a write between pages is seen: the remembered positions are dropped', async () => {
  const before = await page('limit=5&offset=1200');
  assert.deepEqual(before, expectedIds().slice(1200, 1205));
  const created = await api(server, 'POST', '/v1/users', { body: { first_name: 'Newest' } });
  assert.equal(created.status, 200);
  const after = await page('limit=5&offset=1200');
  assert.deepEqual(after, expectedIds().slice(1200, 1205));
  assert.deepEqual(after.slice(1), before.slice(0, 4), 'the newest user pushed every row one place down');
});

test('anchors are kept per filter and direction', async () => {
  const ascending = [...expectedIds()].reverse();
  assert.deepEqual(await page('limit=10&offset=900&order_by=created_at'), ascending.slice(900, 910));
  assert.deepEqual(await page('limit=10&offset=910&order_by=%2Bcreated_at'), ascending.slice(910, 920));
  const odd = await page('limit=500&offset=0&name_query=odd');
  const oddDeep = await page('limit=10&offset=600&name_query=odd');
  const allOdd = [...odd, ...(await page('limit=500&offset=500&name_query=odd'))];
  assert.deepEqual(oddDeep, allOdd.slice(600, 610));
});
