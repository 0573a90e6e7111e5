import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { sharedPostgres, startPostgres, type PostgresCluster } from '../support/postgres.js';

/**
 * The throwaway PostgreSQL cluster the PostgreSQL suites run against: it serves pg_trgm, hands
 * out databases, listens on loopback only, and leaves nothing behind (not even when its test
 * process dies without stopping it).
 */

const HARNESS = fileURLToPath(new URL('../support/postgres.ts', import.meta.url));

let cluster: PostgresCluster;

before(async () => {
  cluster = await startPostgres();
});

after(async () => {
  await cluster.stop();
});

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function until(condition: () => Promise<boolean> | boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await sleep(100);
  }
  return condition();
}

test('the cluster serves pg_trgm over 127.0.0.1', async () => {
  assert.match(cluster.url, /^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
  await withClient(cluster.url, async (client) => {
    await client.query('CREATE EXTENSION IF NOT EXISTS pg_trgm');
    const { rows } = await client.query<{ score: number; close: boolean }>(
      "SELECT similarity('clerkd', 'clerk') AS score, 'clerkd' % 'clerk' AS close",
    );
    // 5 shared trigrams out of 8 distinct ones
    assert.deepEqual(rows, [{ score: 0.625, close: true }]);
  });
});

test('createDatabase returns the URL of a new database one can connect to', async () => {
  const url = await cluster.createDatabase('cluster_test_second');
  assert.equal(url, cluster.url.replace(/\/postgres$/, '/cluster_test_second'));
  await withClient(url, async (client) => {
    const { rows } = await client.query('SELECT current_database() AS name');
    assert.deepEqual(rows, [{ name: 'cluster_test_second' }]);
  });
});

test('the server listens on 127.0.0.1 only', async () => {
  await withClient(cluster.url, async (client) => {
    const { rows } = await client.query('SHOW listen_addresses');
    assert.deepEqual(rows, [{ listen_addresses: '127.0.0.1' }]);
  });
});

test('stop() shuts the server down and removes its data dir', async () => {
  const { dataDir, port } = cluster;
  assert.ok(existsSync(dataDir));
  assert.equal(await acceptsConnections(port), true);
  await cluster.stop();
  assert.equal(existsSync(dataDir), false);
  assert.equal(existsSync(path.dirname(dataDir)), false);
  assert.equal(await acceptsConnections(port), false);
});

test('sharedPostgres hands every caller in a test process the same running cluster', async () => {
  const [first, second] = await Promise.all([sharedPostgres(), sharedPostgres()]);
  assert.equal(first, second);
  assert.equal(await acceptsConnections(first.port), true);
  // left running on purpose: the exit hook stops it when this file's tests are done
});

/** A test process that starts a cluster, reports it, then ends the way `ending` says, without stop(). */
async function abandonCluster(ending: 'exit' | 'SIGKILL' | 'SIGTERM'): Promise<{ dataDir: string; port: number }> {
  const script = `
    import { startPostgres } from ${JSON.stringify(HARNESS)};
    const cluster = await startPostgres();
    process.stdout.write(JSON.stringify({ dataDir: cluster.dataDir, port: cluster.port }) + '\\n');
    if (${JSON.stringify(ending)} === 'exit') process.exit(0);
    else {
      setInterval(() => {}, 1000); // busy, as a test process is when a signal comes
      process.kill(process.pid, ${JSON.stringify(ending)});
    }
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const status = await new Promise<number | NodeJS.Signals | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(signal ?? code)),
  );
  // the exit hook turns SIGTERM into exit code 128 + 15, as a shell reports a death by SIGTERM
  assert.equal(status, { exit: 0, SIGTERM: 143, SIGKILL: 'SIGKILL' }[ending], stderr);
  return JSON.parse(stdout.trim()) as { dataDir: string; port: number };
}

for (const ending of ['exit', 'SIGTERM', 'SIGKILL'] as const) {
  test(`a cluster left by a test process that ends by ${ending} without stop() does not survive it`, async () => {
    const { dataDir, port } = await abandonCluster(ending);
    // exit and SIGTERM: torn down before the process is gone; SIGKILL: by the watchdog, within seconds
    const gone = async () => !existsSync(path.dirname(dataDir)) && !(await acceptsConnections(port));
    assert.equal(await until(gone, ending === 'SIGKILL' ? 15_000 : 0), true);
  });
}
