/**
 * `npx tsx scripts/verify-load.ts [--main dist/main.js] [--parallel 50] [--waves 4] [--attempts 200]`
 * (run `npm run build` first; `--main` may point at another build, e.g. an older checkout's)
 *
 * Starts clerkd the way `npm start` does (node <main>, its own process, production argon2
 * parameters) and measures two things a password verification must never do:
 *
 * 1. Stall the server. Waves of `--parallel` verifications of mixed hashers (native
 *    argon2id and imported bcrypt, pbkdf2, scrypt, phpass, Symfony sha512, at their
 *    exporters' default costs) run at once while a sampler requests /healthz,
 *    GET /v1/users/{id} and a stored profile image back to back; prints p50/p99/max of each.
 * 2. Break the lockout. `--attempts` parallel wrong passwords, then the correct one, against
 *    one user with the default policy: prints how many were compared (422 incorrect_password)
 *    and what the correct one and the user then read.
 *
 * Not part of `npm test`: timings belong here, never in assertions.
 */
import { spawn } from 'node:child_process';
import { createHash, pbkdf2Sync, randomBytes, scryptSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import bcryptjs from 'bcryptjs';
import { freePort } from '../test/support/built-server.js';
import { symfonyDigest } from '../test/support/symfony-digest.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const KEY = 'sk_test_clerkd_verify_load_key';

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index < 0 ? fallback : (process.argv[index + 1] ?? fallback);
}

const MAIN = path.resolve(option('main', path.join(ROOT, 'dist', 'main.js')));
const PARALLEL = Number(option('parallel', '50'));
const WAVES = Number(option('waves', '4'));
const ATTEMPTS = Number(option('attempts', '200'));


let baseUrl = '';

async function call(method: string, urlPath: string, body?: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(`${baseUrl}${urlPath}`, {
    method,
    headers: { authorization: `Bearer ${KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text === '' ? undefined : JSON.parse(text) };
}

// ---- digests as their exporters make them, at their default costs ----------------------


const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
function phpass(password: string): string {
  const salt = Array.from(randomBytes(8), (byte) => ITOA64[byte & 63]).join('');
  const setting = `$P$B${salt}`; // 2^13 rounds, WordPress's default
  let hash = createHash('md5').update(salt, 'latin1').update(password).digest();
  for (let i = 0; i < 2 ** 13; i++) hash = createHash('md5').update(hash).update(password).digest();
  let out = '';
  for (let i = 0; i < 16; ) {
    let value = hash[i++]!;
    out += ITOA64[value & 63];
    if (i < 16) value |= hash[i]! << 8;
    out += ITOA64[(value >> 6) & 63];
    if (i++ >= 16) break;
    if (i < 16) value |= hash[i]! << 16;
    out += ITOA64[(value >> 12) & 63];
    if (i++ >= 16) break;
    out += ITOA64[(value >> 18) & 63];
  }
  return setting + out;
}

const IMPORTED: [string, (password: string) => string][] = [
  ['bcrypt', (password) => bcryptjs.hashSync(password, 10)],
  ['pbkdf2_sha256', (password) => {
    const salt = randomBytes(8).toString('hex');
    return `pbkdf2_sha256$600000$${salt}$${pbkdf2Sync(password, salt, 600_000, 32, 'sha256').toString('base64')}`;
  }],
  ['scrypt_werkzeug', (password) => {
    const salt = randomBytes(8).toString('hex');
    return `scrypt:32768:8:1$${salt}$${scryptSync(password, salt, 64, { N: 32768, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }).toString('hex')}`;
  }],
  ['phpass', phpass],
  ['sha512_symfony', (password) => symfonyDigest(password, 5000)],
];

interface Subject {
  id: string;
  hasher: string;
  /** What each verification sends: the password for native users (no re-hash follows), a wrong one for imported (a correct one would be re-hashed once). */
  attempt: string;
}

async function createSubjects(count: number): Promise<Subject[]> {
  const subjects: Subject[] = [];
  for (let i = 0; i < count; i++) {
    const password = `Load-Password-${i}-${randomBytes(4).toString('hex')}`;
    const kind = i % (IMPORTED.length + 1);
    const email = `load${i}-${randomBytes(3).toString('hex')}@example.com`;
    if (kind === IMPORTED.length) {
      const created = await call('POST', '/v1/users', { email_address: [email], password, skip_password_checks: true });
      if (created.status !== 200) throw new Error(`create: ${JSON.stringify(created.json)}`);
      subjects.push({ id: created.json.id, hasher: 'argon2id (native)', attempt: password });
    } else {
      const [hasher, make] = IMPORTED[kind]!;
      const created = await call('POST', '/v1/users', { email_address: [email], password_digest: make(password), password_hasher: hasher });
      if (created.status !== 200) throw new Error(`create ${hasher}: ${JSON.stringify(created.json)}`);
      subjects.push({ id: created.json.id, hasher, attempt: `${password}-wrong` });
    }
  }
  return subjects;
}

async function uploadImage(userId: string): Promise<string> {
  // A 256 KiB PNG: the signature is all the server checks, the rest is read from disk when served.
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABAQMAAAAl21bKAAAAA1BMVEVsR/90jTnRAAAACklEQVQI12NgAAAAAgAB4iG8MwAAAABJRU5ErkJggg==', 'base64');
  const bytes = Buffer.concat([png, randomBytes(256 * 1024 - png.length)]);
  const form = new FormData();
  form.append('file', new Blob([bytes], { type: 'image/png' }), 'avatar.png');
  const response = await fetch(`${baseUrl}/v1/users/${userId}/profile_image`, { method: 'POST', headers: { authorization: `Bearer ${KEY}` }, body: form });
  const json = (await response.json()) as { image_url: string };
  if (response.status !== 200) throw new Error(`upload: ${JSON.stringify(json)}`);
  return new URL(json.image_url).pathname;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function summary(label: string, samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const f = (n: number) => `${n.toFixed(1)} ms`.padStart(10);
  return `${label.padEnd(28)} n=${String(sorted.length).padStart(5)}  p50 ${f(percentile(sorted, 50))}  p99 ${f(percentile(sorted, 99))}  max ${f(sorted.at(-1) ?? NaN)}`;
}

async function timed(request: () => Promise<Response>): Promise<number> {
  const start = performance.now();
  const response = await request();
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`sample answered ${response.status}`);
  return performance.now() - start;
}

async function stallMeasurement(): Promise<void> {
  const subjects = await createSubjects(PARALLEL);
  const reader = subjects[0]!;
  const image = await uploadImage(reader.id);
  const samples = { health: [] as number[], user: [] as number[], image: [] as number[], verify: [] as number[] };
  const slowest: string[] = [];
  const auth = { authorization: `Bearer ${KEY}` };

  for (let wave = 0; wave < WAVES; wave++) {
    let done = false;
    const waveStart = performance.now();
    let waveMax = { ms: 0, at: 0, what: '' };
    const sample = async (what: keyof typeof samples, request: () => Promise<Response>) => {
      const at = performance.now() - waveStart;
      const ms = await timed(request);
      samples[what].push(ms);
      if (ms > waveMax.ms) waveMax = { ms, at, what };
    };
    const sampler = (async () => {
      while (!done) {
        await sample('health', () => fetch(`${baseUrl}/healthz`));
        await sample('user', () => fetch(`${baseUrl}/v1/users/${reader.id}`, { headers: auth }));
        await sample('image', () => fetch(`${baseUrl}${image}`));
      }
    })();
    await Promise.all(
      subjects.map(async (subject) => {
        const start = performance.now();
        const answer = await call('POST', `/v1/users/${subject.id}/verify_password`, { password: subject.attempt });
        samples.verify.push(performance.now() - start);
        const expected = subject.hasher.startsWith('argon2id') ? 200 : 422;
        if (answer.status !== expected) throw new Error(`${subject.hasher} verification answered ${answer.status}: ${JSON.stringify(answer.json)}`);
      }),
    );
    done = true;
    await sampler;
    slowest.push(`wave ${wave + 1}: slowest sample ${waveMax.what} ${waveMax.ms.toFixed(0)} ms, sent ${waveMax.at.toFixed(0)} ms into the wave of ${(performance.now() - waveStart).toFixed(0)} ms`);
  }
  console.log(`\n${PARALLEL} verifications at once (${[...new Set(subjects.map((s) => s.hasher))].join(', ')}), ${WAVES} waves:`);
  console.log(summary('GET /healthz', samples.health));
  console.log(summary('GET /v1/users/{id}', samples.user));
  console.log(summary('GET /images/<key> (256 KiB)', samples.image));
  console.log(summary('verify_password', samples.verify));
  for (const line of slowest) console.log(`  ${line}`);
}

async function lockoutMeasurement(): Promise<void> {
  const password = `Lockout-Password-${randomBytes(4).toString('hex')}`;
  const created = await call('POST', '/v1/users', { email_address: [`lockout-${randomBytes(3).toString('hex')}@example.com`], password, skip_password_checks: true });
  const id = created.json.id as string;
  const wrong = Array.from({ length: ATTEMPTS }, (_, i) => call('POST', `/v1/users/${id}/verify_password`, { password: `wrong-${i}` }));
  const correct = call('POST', `/v1/users/${id}/verify_password`, { password });
  const answers = await Promise.all(wrong);
  const counts: Record<string, number> = {};
  for (const answer of answers) {
    const key = `${answer.status} ${answer.json?.errors?.[0]?.code ?? ''}`.trim();
    counts[key] = (counts[key] ?? 0) + 1;
  }
  const last = await correct;
  const user = (await call('GET', `/v1/users/${id}`)).json;
  console.log(`\n${ATTEMPTS} parallel wrong passwords, then the correct one (lockout 10 attempts / 1 hour):`);
  console.log(`  answers to the wrong ones: ${JSON.stringify(counts)}`);
  console.log(`  the correct one: ${last.status} ${last.json?.errors?.[0]?.code ?? JSON.stringify(last.json)}`);
  console.log(`  the user then: locked ${user.locked}, lockout_expires_in_seconds ${user.lockout_expires_in_seconds}, verification_attempts_remaining ${user.verification_attempts_remaining}`);
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clerkd-verify-load-'));
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [MAIN], {
    env: { ...process.env, NODE_ENV: '', HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', CLERKD_DATA_DIR: dataDir, CLERKD_SECRET_KEYS: KEY },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  try {
    for (let tries = 0; ; tries++) {
      try {
        await fetch(`${baseUrl}/healthz`);
        break;
      } catch {
        if (tries > 200) throw new Error('clerkd did not start');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    console.log(`clerkd: ${MAIN} (${os.availableParallelism()} cores, UV_THREADPOOL_SIZE ${process.env.UV_THREADPOOL_SIZE ?? 'default (4)'}, CLERKD_HASH_THREADS ${process.env.CLERKD_HASH_THREADS ?? 'default (cores - 1)'})`);
    await stallMeasurement();
    await lockoutMeasurement();
  } finally {
    child.kill('SIGTERM');
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
