/**
 * `npm run bench [-- --users 100000 --duration 5 --connections 10]` (builds dist/ first)
 *
 * Seeds a database through the bulk path, starts clerkd the way `npm start` does (node
 * dist/main.js, its own process) next to a bare Fastify route started the same way (the
 * ceiling), and drives both with autocannon over loopback. Prints one table (requests/s,
 * p50, p99, ratio to the ceiling) and writes every figure to bench-results/.
 * Not part of `npm test`: timings belong here, never in assertions.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import argon2 from 'argon2';
import autocannon from 'autocannon';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/connection.js';
import { TokenCipher } from '../src/oauth/crypto.js';
import { importSnapshot } from '../src/snapshot/import.js';
import { benchEmail, seedBenchUsers } from './bench/seed.js';
import { freePort } from '../test/support/built-server.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const KEY = 'sk_test_clerkd_bench_key';

function flag(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  if (index < 0) return fallback;
  const value = Number(process.argv[index + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} needs a positive number`);
  return value;
}

const USERS = flag('users', 100_000);
const DURATION = flag('duration', 5);
const CONNECTIONS = flag('connections', 10);


interface Server {
  child: ChildProcess;
  url: string;
  startMs: number;
}

async function waitUntilAnswering(url: string, probePath: string, child: ChildProcess, headers: Record<string, string>): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      const response = await fetch(`${url}${probePath}`, { headers });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('server did not answer within 60 s');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function startServer(script: string, env: Record<string, string>, probePath: string, headers: Record<string, string> = {}): Promise<Server> {
  const port = await freePort();
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [script], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitUntilAnswering(url, probePath, child, headers);
  return { child, url, startMs: Number(process.hrtime.bigint() - started) / 1e6 };
}

async function stop(server: Server): Promise<void> {
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  await exited;
}

/** Peak resident set size of a process, from /proc (Linux). */
function peakRssMb(pid: number | undefined): number | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
    return kb ? Number(kb) / 1024 : null;
  } catch {
    return null;
  }
}

interface Row {
  name: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

async function load(name: string, options: autocannon.Options): Promise<Row> {
  const result = await autocannon({ connections: CONNECTIONS, duration: DURATION, ...options });
  return {
    name,
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

/** argon2id hashes per second with the server's parameters, on libuv's 4 threads as the server has. */
async function rawArgon2Throughput(params: { memoryCost: number; timeCost: number; parallelism: number }): Promise<number> {
  let done = 0;
  const until = Date.now() + DURATION * 1000;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (Date.now() < until) {
        await argon2.hash('bench-password-123', { type: argon2.argon2id, ...params });
        done += 1;
      }
    }),
  );
  return done / DURATION;
}

async function rawArgon2VerifyMs(params: { memoryCost: number; timeCost: number; parallelism: number }): Promise<number> {
  const digest = await argon2.hash('bench-password-123', { type: argon2.argon2id, ...params });
  const rounds = 30;
  const started = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) await argon2.verify(digest, 'bench-password-123');
  return Number(process.hrtime.bigint() - started) / 1e6 / rounds;
}

/** `clerkd import` of 10,000 users without passwords, as a snapshot file would bring them. */
async function importSeconds(dir: string, count: number, encryptionKey: Buffer): Promise<number> {
  const database = openDatabase(path.join(dir, 'import.sqlite'), { busyTimeoutMs: 5000 });
  try {
    const snapshot = {
      clerkd_snapshot: 1,
      users: Array.from({ length: count }, (_, i) => ({
        email_addresses: [{ email_address: `import.user${i}@example.com` }],
        username: `importuser${i}`,
        first_name: 'Import',
        last_name: `User${i}`,
        created_at: Date.UTC(2024, 0, 1) + i * 1000,
      })),
    };
    const started = process.hrtime.bigint();
    await importSnapshot(database.db, new TokenCipher(encryptionKey), JSON.parse(JSON.stringify(snapshot)));
    return Number(process.hrtime.bigint() - started) / 1e9;
  } finally {
    database.close();
  }
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clerkd-bench-'));
  const emptyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clerkd-bench-empty-'));
  const env = { CLERKD_DATA_DIR: dataDir, CLERKD_SECRET_KEYS: KEY, CLERKD_LOCKOUT_MAX_ATTEMPTS: '1000000' };
  const auth = { authorization: `Bearer ${KEY}` };
  const config = loadConfig(env);
  const results: Record<string, unknown> = {
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version },
    users: USERS,
    durationSeconds: DURATION,
    connections: CONNECTIONS,
  };
  try {
    process.stdout.write(`seeding ${USERS} users…\n`);
    results.import10kSeconds = await importSeconds(emptyDir, 10_000, config.encryptionKey);
    fs.rmSync(path.join(emptyDir, 'import.sqlite'), { force: true });
    fs.rmSync(path.join(emptyDir, 'import.sqlite-wal'), { force: true });
    fs.rmSync(path.join(emptyDir, 'import.sqlite-shm'), { force: true });
    process.stdout.write(`imported 10000 users in ${(results.import10kSeconds as number).toFixed(2)} s\n`);
    const seeded = seedBenchUsers(config.databasePath, USERS);
    results.seedSeconds = seeded.seconds;
    process.stdout.write(`seeded in ${seeded.seconds.toFixed(1)} s\n`);

    const coldEmpty = await startServer('dist/main.js', { ...env, CLERKD_DATA_DIR: emptyDir }, '/v1/users/count', auth);
    results.coldStartEmptyMs = coldEmpty.startMs;
    await stop(coldEmpty);

    const bare = await startServer('scripts/bench/bare-server.mjs', {}, '/bare');
    const clerkd = await startServer('dist/main.js', env, '/v1/users/count', auth);
    results.coldStartSeededMs = clerkd.startMs;

    const rows: Row[] = [];
    const run = async (name: string, options: autocannon.Options) => {
      const row = await load(name, options);
      rows.push(row);
      process.stdout.write(`  ${name}: ${row.requestsPerSecond.toFixed(0)} req/s\n`);
    };
    const get = (urlPath: string): autocannon.Options => ({ url: `${clerkd.url}${urlPath}`, headers: auth });
    const sampleId = seeded.sampleIds[Math.floor(seeded.sampleIds.length / 2)]!;
    const middle = Math.floor(USERS / 2);
    const deepOffset = Math.max(0, USERS - 20);

    await run('bare Fastify route (ceiling)', { url: `${bare.url}/bare` });
    await run('GET /v1/users/{id}', get(`/v1/users/${sampleId}`));
    await run('GET /v1/users?email_address=…', get(`/v1/users?email_address=${encodeURIComponent(benchEmail(middle))}`));
    await run('GET /v1/users?query=<partial>&limit=10', get(`/v1/users?query=user${middle}&limit=10`));
    await run('GET /v1/users/count?query=<partial>', get(`/v1/users/count?query=user${middle}`));
    await run(`GET /v1/users?order_by=-created_at&offset=${deepOffset}`, get(`/v1/users?order_by=-created_at&offset=${deepOffset}`));
    let patch = 0;
    await run('PATCH /v1/users/{id}/metadata', {
      url: `${clerkd.url}/v1/users/${sampleId}/metadata`,
      method: 'PATCH',
      headers: { ...auth, 'content-type': 'application/json' },
      setupClient: (client) => client.setBody(JSON.stringify({ public_metadata: { counter: (patch += 1) } })),
    });
    let created = 0;
    await run('POST /v1/users (with password)', {
      url: `${clerkd.url}/v1/users`,
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      requests: [
        {
          setupRequest: (request) => ({
            ...request,
            body: JSON.stringify({ email_address: [`bench.created${(created += 1)}@example.com`], password: 'bench-password-123' }),
          }),
        },
      ],
    });
    const withPassword = await fetch(`${clerkd.url}/v1/users`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ email_address: ['bench.verify@example.com'], password: 'bench-password-123' }),
    });
    const verifyId = ((await withPassword.json()) as { id: string }).id;
    await run('POST /v1/users/{id}/verify_password', {
      url: `${clerkd.url}/v1/users/${verifyId}/verify_password`,
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ password: 'bench-password-123' }),
    });
    results.peakRssMb = peakRssMb(clerkd.child.pid);
    await stop(clerkd);
    await stop(bare);

    // Measured after the servers stop, so they do not share the CPU with it.
    const hashesPerSecond = await rawArgon2Throughput(config.argon2);
    results.rawArgon2HashesPerSecond = hashesPerSecond;
    results.rawArgon2VerifyMs = await rawArgon2VerifyMs(config.argon2);

    const ceiling = rows[0]!.requestsPerSecond;
    const table = rows.map((row) => ({
      ...row,
      ratioToCeiling: row.name.startsWith('POST /v1/users (') ? row.requestsPerSecond / hashesPerSecond : row.requestsPerSecond / ceiling,
    }));
    results.rows = table;

    process.stdout.write(`\n${USERS} users, ${DURATION} s per row, ${CONNECTIONS} connections, ${os.cpus().length} cores, Node ${process.version}\n\n`);
    process.stdout.write('| endpoint | req/s | p50 ms | p99 ms | ratio | non-2xx |\n|---|---:|---:|---:|---:|---:|\n');
    for (const row of table) {
      process.stdout.write(
        `| ${row.name} | ${row.requestsPerSecond.toFixed(0)} | ${row.p50Ms} | ${row.p99Ms} | ${row.ratioToCeiling.toFixed(2)}× | ${row.non2xx + row.errors} |\n`,
      );
    }
    process.stdout.write(
      `\nraw argon2id: ${hashesPerSecond.toFixed(1)} hashes/s (the POST /v1/users ratio is against this), verify ${(results.rawArgon2VerifyMs as number).toFixed(1)} ms\n` +
        `seed: ${(results.seedSeconds as number).toFixed(1)} s · import of 10k users: ${(results.import10kSeconds as number).toFixed(2)} s · cold start: ${(results.coldStartEmptyMs as number).toFixed(0)} ms empty, ${(results.coldStartSeededMs as number).toFixed(0)} ms seeded · peak RSS ${(results.peakRssMb as number | null)?.toFixed(0) ?? '?'} MB\n`,
    );
    const outDir = path.join(ROOT, 'bench-results');
    fs.mkdirSync(outDir, { recursive: true });
    const outFile = path.join(outDir, `bench-${USERS}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    fs.writeFileSync(outFile, `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(`results: ${path.relative(ROOT, outFile)}\n`);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(emptyDir, { recursive: true, force: true });
  }
}

await main();
