/**
 * `npm run soak [-- --seconds 90 --connections 16 --slice 10]` (builds dist/ first)
 *
 * A bounded soak: clerkd as `npm start` runs it (node dist/main.js, its own process, a fresh
 * temporary data directory, loopback only) under a mixed read/write load from closed-loop
 * clients for a minute or two, then it stops by itself. Prints, per time slice, requests/s
 * and p50/p99/max latency; the server's RSS sampled every second with a linear trend fitted
 * after warm-up (and the rise of its floor); and the count of 5xx answers. Exits 1 on any 5xx, any unexpected status, or
 * a clear memory growth trend; 2 if the server dies. Not part of `npm test`.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startBuiltServer } from '../test/support/built-server.js';
import { PNG } from '../test/support/images.js';

function flag(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  if (index < 0) return fallback;
  const value = Number(process.argv[index + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} needs a positive number`);
  return value;
}

const SECONDS = Math.min(flag('seconds', 90), 600);
const CONNECTIONS = flag('connections', 16);
const SLICE_SECONDS = flag('slice', 10);
/** The first part of the run is warm-up (JIT, caches, SQLite pages): left out of the memory trend. */
const WARMUP_FRACTION = 0.25;
const KEY = 'sk_test_clerkd_soak_key';
const PASSWORD = 'Soak-password-1234';

interface Sample {
  at: number;
  ms: number;
  status: number;
  op: string;
}

/** Statuses each operation may answer with under this load; anything else is a failure. */
const EXPECTED: Record<string, number[]> = {
  'create user': [200],
  'get user': [200, 404],
  'list users': [200],
  'count users': [200],
  'merge metadata': [200, 404],
  'update user': [200, 404],
  // 403: a concurrent ban+unban had the user banned at that moment.
  'verify password': [200, 403, 404],
  'upload image': [200, 404],
  'get image': [200, 404],
  'ban+unban': [200, 404],
  'delete user': [200, 404],
  'list organizations': [200],
};

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function rssKiB(pid: number): number | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    if (match) return Number(match[1]);
  } catch {
    // not Linux, or the process is gone
  }
  try {
    return Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).trim()) || null;
  } catch {
    return null;
  }
}

/** Least squares: slope per second, intercept, and r². */
function linearFit(points: { x: number; y: number }[]): { slope: number; intercept: number; r2: number } {
  const n = points.length;
  const meanX = points.reduce((sum, p) => sum + p.x, 0) / n;
  const meanY = points.reduce((sum, p) => sum + p.y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (const { x, y } of points) {
    sxy += (x - meanX) * (y - meanY);
    sxx += (x - meanX) ** 2;
    syy += (y - meanY) ** 2;
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  const r2 = sxx === 0 || syy === 0 ? 0 : (sxy * sxy) / (sxx * syy);
  return { slope, intercept: meanY - slope * meanX, r2 };
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clerkd-soak-'));
  const server = await startBuiltServer({
    HOST: '127.0.0.1',
    CLERKD_DATA_DIR: dataDir,
    CLERKD_SECRET_KEYS: KEY,
    // Small argon2 parameters: the soak watches clerkd's memory, not argon2's 19 MiB per hash.
    CLERKD_ARGON2_MEMORY_KIB: '1024',
    CLERKD_ARGON2_TIME_COST: '1',
    LOG_LEVEL: 'warn',
  });
  const base = server.baseUrl;
  const auth = { authorization: `Bearer ${KEY}` };
  const json = { ...auth, 'content-type': 'application/json' };
  let died = false;
  void server.exited.then((code) => {
    if (!stopping) {
      died = true;
      console.error(`clerkd exited during the soak (${String(code)}):\n${server.output().slice(-4000)}`);
    }
  });

  const users: string[] = [];
  const images: string[] = [];
  const samples: Sample[] = [];
  const rss: { t: number; kib: number }[] = [];
  let stopping = false;
  let sequence = 0;
  const started = performance.now();

  const pick = <T>(list: T[]): T | undefined => (list.length === 0 ? undefined : list[Math.floor(Math.random() * list.length)]);

  /** Runs one request, reads its whole body, records status and latency. */
  async function timed(op: string, run: () => Promise<Response>): Promise<{ status: number; json: () => unknown } | null> {
    const t0 = performance.now();
    try {
      const response = await run();
      const text = await response.text();
      samples.push({ at: t0 - started, ms: performance.now() - t0, status: response.status, op });
      return { status: response.status, json: () => JSON.parse(text) };
    } catch {
      if (!stopping) samples.push({ at: t0 - started, ms: performance.now() - t0, status: 0, op });
      return null;
    }
  }

  async function createUser(): Promise<void> {
    const n = ++sequence;
    const response = await timed('create user', () =>
      fetch(`${base}/v1/users`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ email_address: [`soak${n}@example.com`], username: `soak_${n}`, first_name: `Soak ${n}`, password: PASSWORD, public_metadata: { n } }),
      }),
    );
    if (response?.status === 200) users.push((response.json() as { id: string }).id);
  }

  async function oneOperation(): Promise<void> {
    const roll = Math.random();
    const id = pick(users);
    if (id === undefined || roll < 0.12) return createUser();
    if (roll < 0.4) return void (await timed('get user', () => fetch(`${base}/v1/users/${id}`, { headers: auth })));
    if (roll < 0.5) return void (await timed('list users', () => fetch(`${base}/v1/users?limit=20&order_by=-created_at&offset=${Math.floor(Math.random() * 50)}`, { headers: auth })));
    if (roll < 0.56) return void (await timed('count users', () => fetch(`${base}/v1/users/count?query=soak${Math.floor(Math.random() * 100)}`, { headers: auth })));
    if (roll < 0.7)
      return void (await timed('merge metadata', () =>
        fetch(`${base}/v1/users/${id}/metadata`, { method: 'PATCH', headers: json, body: JSON.stringify({ private_metadata: { [`k${Math.floor(Math.random() * 20)}`]: Date.now() } }) }),
      ));
    if (roll < 0.76) return void (await timed('update user', () => fetch(`${base}/v1/users/${id}`, { method: 'PATCH', headers: json, body: JSON.stringify({ last_name: `L${Date.now()}` }) })));
    if (roll < 0.81)
      return void (await timed('verify password', () => fetch(`${base}/v1/users/${id}/verify_password`, { method: 'POST', headers: json, body: JSON.stringify({ password: PASSWORD }) })));
    if (roll < 0.85) {
      const form = new FormData();
      form.append('file', new Blob([PNG.bytes], { type: 'image/png' }), 'blob');
      const response = await timed('upload image', () => fetch(`${base}/v1/users/${id}/profile_image`, { method: 'POST', headers: auth, body: form }));
      if (response?.status === 200) {
        const url = (response.json() as { image_url: string }).image_url;
        images.push(url.slice(url.lastIndexOf('/') + 1));
      }
      return;
    }
    if (roll < 0.9) {
      const key = pick(images);
      if (key !== undefined) await timed('get image', () => fetch(`${base}/images/${key}`));
      return;
    }
    if (roll < 0.93) {
      await timed('ban+unban', () => fetch(`${base}/v1/users/${id}/ban`, { method: 'POST', headers: auth }));
      await timed('ban+unban', () => fetch(`${base}/v1/users/${id}/unban`, { method: 'POST', headers: auth }));
      return;
    }
    if (roll < 0.96) return void (await timed('list organizations', () => fetch(`${base}/v1/organizations?limit=10`, { headers: auth })));
    // Deletes keep the table from only growing; the deleted id leaves the pool.
    const response = await timed('delete user', () => fetch(`${base}/v1/users/${id}`, { method: 'DELETE', headers: auth }));
    if (response?.status === 200) users.splice(users.indexOf(id), 1);
  }

  const deadline = started + SECONDS * 1000;
  const sampler = setInterval(() => {
    const kib = rssKiB(server.child.pid!);
    if (kib !== null) rss.push({ t: (performance.now() - started) / 1000, kib });
  }, 1000);
  const progress = setInterval(() => {
    const elapsed = Math.round((performance.now() - started) / 1000);
    process.stdout.write(`  ${elapsed}s: ${samples.length} requests, RSS ${rss.at(-1) ? Math.round(rss.at(-1)!.kib / 1024) : '?'} MiB\n`);
  }, SLICE_SECONDS * 1000);

  console.log(`soak: ${SECONDS}s, ${CONNECTIONS} connections, against ${base} (pid ${server.child.pid}, data in ${dataDir})`);
  for (let i = 0; i < 20; i++) await createUser();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < deadline && !died) await oneOperation();
    }),
  );
  clearInterval(sampler);
  clearInterval(progress);
  stopping = true;
  server.child.kill('SIGTERM');
  await server.exited;
  fs.rmSync(dataDir, { recursive: true, force: true });
  if (died) process.exit(2);

  // ---- per slice
  const slices = Math.ceil(SECONDS / SLICE_SECONDS);
  console.log('\n slice      requests   req/s    p50 ms   p99 ms   max ms   5xx');
  const sliceP99: number[] = [];
  for (let s = 0; s < slices; s++) {
    const inSlice = samples.filter((sample) => sample.at >= s * SLICE_SECONDS * 1000 && sample.at < (s + 1) * SLICE_SECONDS * 1000);
    const latencies = inSlice.map((sample) => sample.ms).sort((a, b) => a - b);
    const p99 = percentile(latencies, 99);
    sliceP99.push(p99);
    const fiveXx = inSlice.filter((sample) => sample.status >= 500).length;
    console.log(
      ` ${String(s * SLICE_SECONDS).padStart(4)}-${String((s + 1) * SLICE_SECONDS).padEnd(4)}s ${String(inSlice.length).padStart(9)} ${(inSlice.length / SLICE_SECONDS).toFixed(0).padStart(7)} ${percentile(latencies, 50).toFixed(1).padStart(9)} ${p99.toFixed(1).padStart(8)} ${(latencies.at(-1) ?? 0).toFixed(1).padStart(8)} ${String(fiveXx).padStart(5)}`,
    );
  }

  // ---- statuses
  const fiveXx = samples.filter((sample) => sample.status >= 500);
  const unexpected = samples.filter((sample) => sample.status < 500 && !(EXPECTED[sample.op] ?? []).includes(sample.status));
  const byOp = new Map<string, Map<number, number>>();
  for (const sample of samples) {
    const counts = byOp.get(sample.op) ?? new Map<number, number>();
    counts.set(sample.status, (counts.get(sample.status) ?? 0) + 1);
    byOp.set(sample.op, counts);
  }
  console.log('\n operation            statuses');
  for (const [op, counts] of [...byOp].sort()) console.log(` ${op.padEnd(20)} ${[...counts].map(([status, n]) => `${status === 0 ? 'no answer' : status}×${n}`).join('  ')}`);

  // ---- memory
  const measured = rss.filter((point) => point.t >= SECONDS * WARMUP_FRACTION);
  const fit = linearFit(measured.map((point) => ({ x: point.t, y: point.kib / 1024 })));
  const window = measured.length > 1 ? measured.at(-1)!.t - measured[0]!.t : 0;
  const growth = fit.slope * window;
  const meanMiB = measured.reduce((sum, point) => sum + point.kib, 0) / Math.max(1, measured.length) / 1024;
  const allowed = Math.max(24, meanMiB * 0.2);
  // V8 lets the heap swell between major collections, so a rising line alone can be a sawtooth
  // caught before its drop: a leak also lifts the floor (the lowest RSS of the last third
  // above that of the first third).
  const third = Math.max(1, Math.floor(measured.length / 3));
  const floorOf = (points: { kib: number }[]) => Math.min(...points.map((point) => point.kib)) / 1024;
  const floorRise = measured.length >= 3 ? floorOf(measured.slice(-third)) - floorOf(measured.slice(0, third)) : 0;
  // Under a minute the heap has usually not had its first major collection: no verdict.
  const judged = SECONDS >= 60 && measured.length >= 10;
  const memoryGrows = judged && growth > allowed && fit.r2 >= 0.6 && floorRise > allowed / 2;
  const rssLine = rss.filter((_, i) => i % Math.max(1, Math.round(rss.length / 12)) === 0).map((point) => `${Math.round(point.t)}s:${Math.round(point.kib / 1024)}`);
  console.log(`\n RSS MiB over time: ${rssLine.join('  ')}`);
  console.log(
    ` RSS trend after ${Math.round(SECONDS * WARMUP_FRACTION)}s warm-up: ${fit.slope >= 0 ? '+' : ''}${(fit.slope * 60).toFixed(2)} MiB/min (r² ${fit.r2.toFixed(2)}), ` +
      `${growth >= 0 ? '+' : ''}${growth.toFixed(1)} MiB over ${window.toFixed(0)}s around a mean of ${meanMiB.toFixed(0)} MiB; floor ${floorRise >= 0 ? '+' : ''}${floorRise.toFixed(1)} MiB ` +
      `(a failure needs > ${allowed.toFixed(0)} MiB with r² ≥ 0.6 and the floor up > ${(allowed / 2).toFixed(0)} MiB)`,
  );

  // ---- p99 stability (reported; timings on a shared machine are not a pass/fail signal)
  const steady = sliceP99.slice(Math.ceil(slices * WARMUP_FRACTION)).filter((p) => p > 0);
  const medianP99 = [...steady].sort((a, b) => a - b)[Math.floor(steady.length / 2)] ?? 0;
  console.log(` p99 per slice after warm-up: median ${medianP99.toFixed(1)} ms, max ${Math.max(0, ...steady).toFixed(1)} ms, last ${(steady.at(-1) ?? 0).toFixed(1)} ms`);

  console.log(`\n ${samples.length} requests, ${fiveXx.length} 5xx, ${unexpected.length} unexpected statuses, memory ${!judged ? 'not judged (run at least 60 s)' : memoryGrows ? 'GROWS' : 'flat'}`);
  for (const sample of [...fiveXx, ...unexpected].slice(0, 10)) console.log(`   ${sample.op} → ${sample.status} at ${(sample.at / 1000).toFixed(1)}s`);
  if (fiveXx.length > 0 || unexpected.length > 0 || memoryGrows) process.exit(1);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(2);
});
