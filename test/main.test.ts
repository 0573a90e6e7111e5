import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DEVELOPMENT_SECRET_KEY } from '../src/config.js';
import { freePort } from './support/built-server.js';

/** `npm start` as a user runs it: the built entry point (dist/, made by `npm run build`) in its own process. */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MAIN = path.join(ROOT, 'dist', 'main.js');


interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function start(env: Record<string, string>): Started {
  let output = '';
  const child = spawn(process.execPath, [MAIN], { cwd: ROOT, env: { ...process.env, NODE_ENV: '', CLERKD_SECRET_KEYS: '', ...env } });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitForReady(started: Started): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!started.output().includes('clerkd is ready')) {
    if (Date.now() > deadline) throw new Error(`server did not start:\n${started.output()}`);
    if (started.child.exitCode !== null) throw new Error(`server exited:\n${started.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('the entry point serves the API with the development key, announces it, and exits cleanly on SIGTERM', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clerkd-main-'));
  const port = await freePort();
  const server = start({ PORT: String(port), CLERKD_DATA_DIR: dataDir });
  try {
    await waitForReady(server);
    assert.match(server.output(), new RegExp(DEVELOPMENT_SECRET_KEY));
    const response = await fetch(`http://127.0.0.1:${port}/v1/users/count`, { headers: { authorization: `Bearer ${DEVELOPMENT_SECRET_KEY}` } });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { object: 'total_count', total_count: 0 });
    assert.ok(fs.existsSync(path.join(dataDir, 'clerkd.sqlite')), 'the SQLite file lives in CLERKD_DATA_DIR');
  } finally {
    server.child.kill('SIGTERM');
  }
  assert.equal(await server.exited, 0);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('production mode refuses to start without an explicit secret key', async () => {
  const server = start({ NODE_ENV: 'production', PORT: String(await freePort()) });
  assert.equal(await server.exited, 1);
  assert.match(server.output(), /CLERKD_SECRET_KEYS/);
});
