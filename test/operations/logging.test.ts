import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { DEVELOPMENT_SECRET_KEY } from '../../src/config.js';
import { startBuiltServer } from '../support/built-server.js';
import { api, startTestServer } from '../support/server.js';

/** One readable line per request, no values from the URL, and start-up lines that say where things are. */

function collect(): { stream: PassThrough; records: () => Record<string, unknown>[] } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { stream, records: () => text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>) };
}

test('each request is one log line with method, route, status, error code and duration, and no filter values', async () => {
  const log = collect();
  const server = await startTestServer({}, { logStream: log.stream });
  try {
    const email = 'ada.lovelace@example.com';
    const list = await api(server, 'GET', `/v1/users?email_address=${encodeURIComponent(email)}&limit=5`);
    const missing = await api(server, 'GET', '/v1/users/user_2xQ7nonexistent000000000000');
    assert.equal(list.status, 200);
    assert.equal(missing.status, 404);

    const lines = log.records();
    const ofList = lines.filter((record) => record.reqId === list.headers.get('clerk-trace-id'));
    assert.equal(ofList.length, 1, JSON.stringify(ofList));
    assert.deepEqual(
      { method: ofList[0]!.method, route: ofList[0]!.route, status: ofList[0]!.status, query: ofList[0]!.query, msg: ofList[0]!.msg },
      { method: 'GET', route: '/v1/users', status: 200, query: ['email_address', 'limit'], msg: `GET /v1/users 200 ${String(ofList[0]!.ms)} ms` },
    );
    assert.equal(typeof ofList[0]!.ms, 'number');

    const ofMissing = lines.filter((record) => record.reqId === missing.headers.get('clerk-trace-id'));
    assert.equal(ofMissing.length, 1);
    assert.equal(ofMissing[0]!.route, '/v1/users/:user_id');
    assert.equal(ofMissing[0]!.code, 'resource_not_found');

    const everything = JSON.stringify(lines);
    assert.ok(!everything.includes('ada.lovelace'), 'the email address in the filter is not logged');
    assert.ok(!everything.includes('user_2xQ7nonexistent'), 'ids in paths are not logged');
  } finally {
    await server.close();
  }
});

test('start-up prints the URL, the docs URL, where the data lives and the development key by name; JSON when not a terminal', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clerkd-log-'));
  const server = await startBuiltServer({ CLERKD_DATA_DIR: dataDir, CLERKD_SECRET_KEYS: '', LOG_LEVEL: 'info' });
  try {
    await fetch(`${server.baseUrl}/healthz?probe=secret-value`);
    server.child.kill('SIGTERM');
    await server.exited;
    const lines = server.output().split('\n').filter(Boolean);
    const records = lines.map((line) => JSON.parse(line) as { msg: string });
    const messages = records.map((record) => record.msg).join('\n');
    assert.match(messages, new RegExp(`API: +${server.baseUrl}/v1`));
    assert.match(messages, new RegExp(`API docs: +${server.baseUrl}/_clerkd/docs`));
    assert.ok(messages.includes(`data:       ${path.join(dataDir, 'clerkd.sqlite')}`), messages);
    assert.ok(messages.includes(`accepting:  the development key ${DEVELOPMENT_SECRET_KEY}`));
    assert.match(messages, /GET \/healthz 200 [\d.]+ ms/);
    assert.ok(!server.output().includes('secret-value'));
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('with configured keys, start-up says how many and never prints one; CLERKD_LOG_FORMAT=pretty writes readable lines', async () => {
  const keys = ['sk_test_first_configured_key_0001', 'sk_test_second_configured_key_002'];
  const server = await startBuiltServer({ CLERKD_DATABASE: ':memory:', CLERKD_SECRET_KEYS: keys.join(','), LOG_LEVEL: 'info', CLERKD_LOG_FORMAT: 'pretty' });
  try {
    await fetch(`${server.baseUrl}/v1/users`, { headers: { authorization: `Bearer ${keys[0]}` } });
    server.child.kill('SIGTERM');
    await server.exited;
    const output = server.output();
    assert.match(output, /^\d\d:\d\d:\d\d\.\d{3} INFO  accepting:  2 configured secret keys$/m);
    assert.match(output, /^\d\d:\d\d:\d\d\.\d{3} INFO  GET \/v1\/users 200 [\d.]+ ms$/m);
    assert.match(output, /data: +in memory/);
    for (const key of keys) assert.ok(!output.includes(key), 'a configured key is never printed');
    assert.ok(!output.split('\n').some((line) => line.startsWith('{')), 'no JSON lines in pretty mode');
  } finally {
    if (server.child.exitCode === null) server.child.kill('SIGKILL');
  }
});
