import assert from 'node:assert/strict';
import { test } from 'node:test';
import { prettyLine, usePrettyLog } from '../../src/logging.js';

/** CLERKD_LOG_FORMAT: readable lines for a person at a terminal. */

test('a pretty line reads as a sentence, without repeating the request fields', () => {
  const line = prettyLine({ level: 30, time: Date.UTC(2026, 0, 1, 12, 0, 1, 234), pid: 1, hostname: 'h', reqId: 'r', method: 'GET', route: '/v1/users/:user_id', status: 404, code: 'resource_not_found', ms: 1.2, msg: 'GET /v1/users/:user_id 404 resource_not_found 1.2 ms' });
  assert.equal(line, '12:00:01.234 INFO  GET /v1/users/:user_id 404 resource_not_found 1.2 ms\n');
  assert.equal(prettyLine({ level: 40, time: 0, msg: 'careful', database: 'x' }), '00:00:00.000 WARN  careful  database=x\n');
});

test('auto is pretty on a terminal and JSON otherwise', () => {
  assert.equal(usePrettyLog('auto', true), true);
  assert.equal(usePrettyLog('auto', false), false);
  assert.equal(usePrettyLog('json', true), false);
  assert.equal(usePrettyLog('pretty', false), true);
});
