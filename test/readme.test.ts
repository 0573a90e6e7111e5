import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DEVELOPMENT_SECRET_KEY } from '../src/config.js';
import { startTestServer, type TestServer } from './support/server.js';

/** The README's Node example, run as printed against a server with the development key. */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const README_URL = 'http://127.0.0.1:3500';

let server: TestServer;
before(async () => {
  server = await startTestServer({ CLERKD_SECRET_KEYS: '' });
});
after(async () => {
  await server.close();
});

test('the README opens with the two commands', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  assert.match(firstBlock, /^npm install && npm start/m);
  assert.match(firstBlock, /^npm install && npm test/m);
});

test('the README example creates a user and finds it with the real SDK', async () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const example = /```js\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(example, 'README has a js example');
  assert.ok(example.includes(README_URL) && example.includes(DEVELOPMENT_SECRET_KEY), 'the example uses the default URL and key');
  // Only the port differs from what a reader runs: this server listens on an ephemeral one.
  const script = path.join(ROOT, 'test', `.readme-example-${process.pid}.mjs`);
  fs.writeFileSync(script, example.replace(README_URL, server.baseUrl));
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [script], { cwd: ROOT });
    const [id, total, email] = stdout.trim().split(' ');
    assert.match(id!, /^user_[0-9A-Za-z]{27}$/);
    assert.equal(total, '1');
    assert.equal(email, 'ada@example.com');
  } finally {
    fs.rmSync(script, { force: true });
  }
});
