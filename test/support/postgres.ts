import { execFile, spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from './built-server.js';

/**
 * A throwaway PostgreSQL cluster for tests: a temp dir, initdb, a server on 127.0.0.1 and a
 * Unix socket inside the temp dir, on a free port, tuned for speed (no fsync). stop() shuts it
 * down and removes the dir; a cluster whose test process ends without stop() (a failed test,
 * a signal, even SIGKILL) is shut down and removed too, by an exit hook and a watchdog.
 *
 * `postgres` refuses to run as root: when the tests run as root (CI does), the dir belongs to
 * the `postgres` OS user and every server command runs as that user through `runuser`; otherwise
 * everything runs as the current user.
 */

export interface PostgresCluster {
  /** postgres://postgres@127.0.0.1:<port>/postgres (trust auth, loopback only) */
  url: string;
  port: number;
  dataDir: string;
  /** Creates a database and returns its URL. Names: lower-case letters, digits, underscores. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

const SUPERUSER = 'postgres';
const RUN_AS = 'postgres';
const DEFAULT_PARENT = '/usr/lib/postgresql';

/** CLERKD_PG_BIN if set, else the highest /usr/lib/postgresql/<version>/bin holding initdb. */
export function findPostgresBin(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.CLERKD_PG_BIN;
  if (override) {
    if (!existsSync(path.join(override, 'initdb'))) {
      throw new Error(`CLERKD_PG_BIN=${override} holds no initdb; point it at a PostgreSQL bin directory`);
    }
    return override;
  }
  const versions = existsSync(DEFAULT_PARENT)
    ? readdirSync(DEFAULT_PARENT)
        .filter((entry) => /^\d+(\.\d+)?$/.test(entry) && existsSync(path.join(DEFAULT_PARENT, entry, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new Error(
      `No PostgreSQL server found (no ${DEFAULT_PARENT}/<version>/bin/initdb). ` +
        'Install it with `apt-get install postgresql postgresql-contrib` (Debian/Ubuntu; pg_trgm ships with the server), ' +
        'or set CLERKD_PG_BIN to the directory holding initdb, pg_ctl and postgres.',
    );
  }
  return path.join(DEFAULT_PARENT, versions[0]!, 'bin');
}

const isRoot = process.getuid?.() === 0;

/** argv run as the `postgres` OS user when we are root, else as ourselves. */
function asServerUser(argv: string[]): [string, string[]] {
  return isRoot ? ['runuser', ['-u', RUN_AS, '--', ...argv]] : [argv[0]!, argv.slice(1)];
}

function run(argv: string[], cwd: string): Promise<string> {
  const [command, args] = asServerUser(argv);
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, env: { ...process.env, LC_ALL: 'C' }, maxBuffer: 8 << 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${argv.join(' ')} failed: ${error.message}\n${stdout}${stderr}`));
      else resolve(stdout + stderr);
    });
  });
}

function ownerIds(user: string): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith(`${user}:`));
  if (!line) {
    throw new Error(
      `Running as root, but there is no \`${user}\` OS user to run PostgreSQL as (the Debian package creates it: apt-get install postgresql)`,
    );
  }
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** Single-quoted for the shell pg_ctl hands `-o` to. */
function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

function serverOptions(port: number, socketDir: string): string {
  return [
    '-c listen_addresses=127.0.0.1',
    `-p ${port}`,
    `-k ${shellQuote(socketDir)}`,
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
  ].join(' ');
}

/** Synchronous teardown for exit hooks: immediate stop, then the dir goes. */
function stopNow(bin: string, dataDir: string, root: string): void {
  if (existsSync(path.join(dataDir, 'postmaster.pid'))) {
    const [command, args] = asServerUser([path.join(bin, 'pg_ctl'), 'stop', '-D', dataDir, '-m', 'immediate', '-w', '-t', '10']);
    spawnSync(command, args, { cwd: os.tmpdir(), stdio: 'ignore' });
  }
  rmSync(root, { recursive: true, force: true });
}

const live = new Set<() => void>();
let hooksInstalled = false;

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', () => {
    for (const teardown of live) teardown();
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      for (const teardown of live) teardown();
      live.clear();
      // Re-raising the signal here is lost (Node drops its handler only later): exit as a shell would report it.
      process.exit(128 + os.constants.signals[signal]);
    });
  }
}

/**
 * A detached shell that outlives a SIGKILLed test process: once our pid is gone it stops the
 * cluster and removes its dir. stop() kills it first.
 */
function startWatchdog(bin: string, dataDir: string, root: string): number | undefined {
  const [command, args] = asServerUser([path.join(bin, 'pg_ctl'), 'stop', '-D', dataDir, '-m', 'immediate']);
  const stopCommand = [command, ...args].map(shellQuote).join(' ');
  const script = `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; ${stopCommand} >/dev/null 2>&1; rm -rf ${shellQuote(root)}`;
  const watchdog = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore', cwd: os.tmpdir() });
  watchdog.unref();
  return watchdog.pid;
}

function stopWatchdog(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid); // its process group: the shell and its `sleep`
  } catch {
    // already gone
  }
}

export async function startPostgres(): Promise<PostgresCluster> {
  const bin = findPostgresBin();
  const root = mkdtempSync(path.join(os.tmpdir(), 'clerkd-pg-'));
  const dataDir = path.join(root, 'data');
  const socketDir = path.join(root, 'socket');
  const logFile = path.join(root, 'server.log');
  mkdirSync(socketDir);
  if (isRoot) {
    const { uid, gid } = ownerIds(RUN_AS);
    chownSync(root, uid, gid);
    chownSync(socketDir, uid, gid);
  }

  let stopped = false;
  const teardown = () => {
    if (!stopped) stopNow(bin, dataDir, root);
  };
  installExitHooks();
  live.add(teardown);
  const watchdogPid = startWatchdog(bin, dataDir, root);

  try {
    await run(
      [
        path.join(bin, 'initdb'),
        '-D', dataDir,
        '-U', SUPERUSER,
        '-E', 'UTF8',
        '--locale=C',
        '--auth-local=trust',
        '--auth-host=trust',
        '--no-sync',
        '--no-instructions',
      ],
      root,
    );
    // initdb's pg_hba.conf: `local` and host 127.0.0.1/32, ::1/128 only; the server listens on
    // 127.0.0.1 alone. A port another process grabs between freePort() and the bind: try again.
    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      try {
        await run(
          [path.join(bin, 'pg_ctl'), 'start', '-D', dataDir, '-l', logFile, '-w', '-t', '30', '-o', serverOptions(port, socketDir)],
          root,
        );
        break;
      } catch (error) {
        const log = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
        if (attempt < 3 && /could not bind|Address already in use/i.test(log)) continue;
        throw new Error(`${(error as Error).message}\nserver log:\n${log}`);
      }
    }
    // pg_ctl -w returned once the server answers; prove it takes a real connection over TCP.
    const url = `postgres://${SUPERUSER}@127.0.0.1:${port}/postgres`;
    const probe = new pg.Client({ connectionString: url });
    await probe.connect();
    await probe.end();

    const urlFor = (database: string) => `postgres://${SUPERUSER}@127.0.0.1:${port}/${database}`;
    return {
      url,
      port,
      dataDir,
      async createDatabase(name) {
        if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`createDatabase: ${JSON.stringify(name)} is not a plain database name`);
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          await client.query(`CREATE DATABASE "${name}"`);
        } finally {
          await client.end();
        }
        return urlFor(name);
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        live.delete(teardown);
        stopWatchdog(watchdogPid);
        try {
          await run([path.join(bin, 'pg_ctl'), 'stop', '-D', dataDir, '-m', 'fast', '-w', '-t', '30'], os.tmpdir());
        } finally {
          rmSync(root, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    teardown();
    stopped = true;
    live.delete(teardown);
    stopWatchdog(watchdogPid);
    throw error;
  }
}

let shared: Promise<PostgresCluster> | undefined;

/**
 * One cluster per test process (node --test runs each file in its own process, so: one per
 * file), started on first use and shared by every test in it; each test file takes its own
 * database with `createDatabase`. Nobody needs to stop it: the exit hook does, when the file's
 * tests are done. A file may still call `stop()` to check teardown itself.
 */
export function sharedPostgres(): Promise<PostgresCluster> {
  shared ??= startPostgres().catch((error: unknown) => {
    shared = undefined;
    throw error;
  });
  return shared;
}
