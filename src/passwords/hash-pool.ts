import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { HashJob, HashJobResults } from './hash-jobs.js';
import type { HashReply, HashRequest } from './hash-worker.js';

/**
 * Password hashing off the event loop. Every CPU-heavy hash (native argon2id, and verifying
 * every imported digest: bcrypt, pbkdf2, scrypt, phpass, Symfony's stretched sha512, …)
 * runs in one of `threads` worker threads, one job per worker at a time, so a costly
 * verification delays only other hashes, never /healthz, reads or image downloads.
 *
 * The libuv trap: the `argon2` package has no synchronous API, so even inside a worker its
 * hash runs on libuv's threadpool (UV_THREADPOOL_SIZE, 4 by default), the same threads that
 * serve every file-system call of the process (image downloads). So argon2 jobs are admitted
 * at most `libuvSlots` at a time, two fewer than libuv has threads (and never more than
 * `threads`); the other digest formats compute synchronously inside their worker and leave
 * libuv alone. Raise UV_THREADPOOL_SIZE before the process starts to allow more argon2 at once.
 *
 * One pool per process (`sharedHashPool`), like libuv's own: every server built in the
 * process shares it. Idle workers do not keep the process alive.
 */

const FROM_SOURCE = import.meta.url.endsWith('.ts');

/** The worker entry next to this module: hash-worker.js in dist/, hash-worker.ts when run from source under tsx. */
export const HASH_WORKER_URL = new URL(FROM_SOURCE ? './hash-worker.ts' : './hash-worker.js', import.meta.url);

/**
 * Node 20 does not run the parent's `--import tsx` hooks in worker threads, so from source
 * the worker first registers tsx itself (a dev dependency, present wherever .ts runs).
 */
function startWorker(): Worker {
  if (!FROM_SOURCE) return new Worker(HASH_WORKER_URL);
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then(({ register }) => { register(); return import(${JSON.stringify(HASH_WORKER_URL.href)}); })`;
  return new Worker(bootstrap, { eval: true });
}

/** libuv's threadpool size as the process will have it (libuv reads the variable once, at its first use). */
export function libuvThreadpoolSize(env: Record<string, string | undefined> = process.env): number {
  const size = Number(env.UV_THREADPOOL_SIZE);
  return Number.isInteger(size) && size >= 1 ? Math.min(size, 1024) : 4;
}

/** argon2 hashes allowed at once: at least one, never more than the workers, and two libuv threads kept free for file-system calls. */
export function libuvSlotsFor(threads: number, threadpoolSize: number = libuvThreadpoolSize()): number {
  return Math.max(1, Math.min(threads, threadpoolSize - 2));
}

/**
 * Jobs that the `argon2` package runs on libuv's threadpool, which file-system calls share:
 * the pool admits fewer of these at once than libuv has threads (see hash-pool.ts).
 */
export function runsOnLibuv(job: HashJob): boolean {
  if (job.kind === 'hash-argon2id') return true;
  return job.kind === 'verify-digest' && (job.hasher === 'argon2i' || job.hasher === 'argon2id');
}

interface Pending {
  job: HashJob;
  libuv: boolean;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

interface PoolWorker {
  thread: Worker;
  current: (Pending & { id: number }) | null;
}

export interface HashPoolStats {
  workers: number;
  busy: number;
  queued: number;
  libuvInFlight: number;
  /** Jobs handed to a worker since the pool was made. */
  started: number;
}

export class HashPool {
  private readonly workers = new Set<PoolWorker>();
  private readonly queue: Pending[] = [];
  private libuvInFlight = 0;
  private started = 0;
  private nextId = 1;
  private closed = false;

  constructor(
    private threads: number,
    private libuvSlots: number = libuvSlotsFor(threads),
  ) {}

  /** Changes the number of workers (and of argon2 slots); extra busy workers finish their job first. */
  resize(threads: number): void {
    this.threads = threads;
    this.libuvSlots = libuvSlotsFor(threads);
    for (const worker of this.workers) {
      if (this.workers.size <= threads) break;
      if (worker.current === null) this.retire(worker);
    }
    this.dispatch();
  }

  run<K extends HashJob['kind']>(job: Extract<HashJob, { kind: K }>): Promise<HashJobResults[K]> {
    if (this.closed) return Promise.reject(new Error('the hash pool is closed'));
    return new Promise<HashJobResults[K]>((resolve, reject) => {
      this.queue.push({ job, libuv: runsOnLibuv(job), resolve: resolve as (value: unknown) => void, reject });
      this.dispatch();
    });
  }

  stats(): HashPoolStats {
    let busy = 0;
    for (const worker of this.workers) if (worker.current !== null) busy += 1;
    return { workers: this.workers.size, busy, queued: this.queue.length, libuvInFlight: this.libuvInFlight, started: this.started };
  }

  /** Stops every worker; jobs not yet answered are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    const closedError = new Error('the hash pool is closed');
    for (const pending of this.queue.splice(0)) pending.reject(closedError);
    for (const worker of this.workers) {
      const current = worker.current;
      this.finish(worker);
      current?.reject(closedError);
    }
    await Promise.all([...this.workers].map((worker) => this.retire(worker)));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      // The first job that may start: an argon2 job waits while the libuv slots are taken, others pass it.
      const index = this.queue.findIndex((pending) => !pending.libuv || this.libuvInFlight < this.libuvSlots);
      if (index < 0) return;
      const worker = this.idleWorker();
      if (worker === undefined) return;
      const pending = this.queue.splice(index, 1)[0]!;
      const id = this.nextId++;
      worker.current = { ...pending, id };
      if (pending.libuv) this.libuvInFlight += 1;
      this.started += 1;
      worker.thread.ref();
      worker.thread.postMessage({ id, job: pending.job } satisfies HashRequest);
    }
  }

  private idleWorker(): PoolWorker | undefined {
    for (const worker of this.workers) if (worker.current === null) return worker;
    return this.workers.size < this.threads ? this.spawn() : undefined;
  }

  private spawn(): PoolWorker {
    const worker: PoolWorker = { thread: startWorker(), current: null };
    worker.thread.unref();
    worker.thread.on('message', (reply: HashReply) => {
      const current = worker.current;
      if (current === null || current.id !== reply.id) return;
      this.finish(worker);
      if ('error' in reply) current.reject(new Error(`password hash failed: ${reply.error}`));
      else current.resolve(reply.result);
      if (this.workers.size > this.threads) this.retire(worker);
      this.dispatch();
    });
    worker.thread.on('error', (error) => this.lose(worker, error));
    worker.thread.on('exit', (code) => this.lose(worker, new Error(`hash worker exited with code ${code}`)));
    this.workers.add(worker);
    return worker;
  }

  private finish(worker: PoolWorker): void {
    if (worker.current?.libuv) this.libuvInFlight -= 1;
    worker.current = null;
    worker.thread.unref();
  }

  /** A worker that died: its job fails, and a new worker takes its place on demand. */
  private lose(worker: PoolWorker, error: Error): void {
    if (!this.workers.delete(worker)) return;
    const current = worker.current;
    this.finish(worker);
    current?.reject(error);
    if (!this.closed) this.dispatch();
  }

  private async retire(worker: PoolWorker): Promise<void> {
    this.workers.delete(worker);
    await worker.thread.terminate();
  }
}

let shared: { pool: HashPool; threads: number } | undefined;

/**
 * The process's hash pool. A call with `threads` (config.hashThreads) creates it at that size
 * or resizes it, so the last server configured in a process decides; a call without uses it
 * as it is (created at one thread per core if nothing configured it yet).
 */
export function sharedHashPool(threads?: number): HashPool {
  if (shared === undefined) shared = { pool: new HashPool(threads ?? os.availableParallelism()), threads: threads ?? os.availableParallelism() };
  else if (threads !== undefined && threads !== shared.threads) {
    shared.pool.resize(threads);
    shared.threads = threads;
  }
  return shared.pool;
}
