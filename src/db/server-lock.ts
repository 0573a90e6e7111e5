import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

/**
 * Tells `clerkd import` and `clerkd reset` that a server is using the database. The database
 * itself cannot: in WAL mode an idle server holds no lock, and a second process could write
 * under it. So a running server keeps a read transaction open on a small companion SQLite
 * file (`<database>.lock`), holding a SHARED lock for its lifetime; any number of servers can
 * hold one at once. import and reset take the EXCLUSIVE lock on that file, which SQLite
 * refuses (SQLITE_BUSY, after a short wait) while any server holds its SHARED lock. The
 * operating system drops the locks of a process that dies, so a crash leaves no stale lock.
 */

export class DatabaseInUseError extends Error {
  constructor(readonly databasePath: string) {
    super(`the database is in use by a running clerkd (${databasePath}); stop it or use POST /_clerkd/reset`);
    this.name = 'DatabaseInUseError';
  }
}

export interface HeldLock {
  release(): void;
}

const NO_LOCK: HeldLock = { release: () => undefined };

export function serverLockPath(databasePath: string): string | null {
  return databasePath === ':memory:' ? null : `${databasePath}.lock`;
}

function openLockFile(file: string, waitMs: number): Database.Database {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const lock = new Database(file, { timeout: waitMs });
  lock.exec('CREATE TABLE IF NOT EXISTS clerkd_server_lock (note TEXT)');
  return lock;
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}

/**
 * The running server's SHARED lock. Waits up to `waitMs` for an import or reset in progress;
 * returns null when the lock cannot be taken (the server then runs unannounced).
 */
export function holdServerLock(databasePath: string, waitMs = 10_000): HeldLock | null {
  const file = serverLockPath(databasePath);
  if (file === null) return NO_LOCK;
  let lock: Database.Database | undefined;
  try {
    lock = openLockFile(file, waitMs);
    lock.exec('BEGIN');
    lock.prepare('SELECT count(*) FROM clerkd_server_lock').get();
  } catch {
    if (lock?.open) lock.close();
    return null;
  }
  const held = lock;
  return {
    release: () => {
      if (!held.open) return;
      if (held.inTransaction) held.exec('COMMIT');
      held.close();
    },
  };
}

/**
 * The EXCLUSIVE lock import and reset hold while they write. Throws DatabaseInUseError when a
 * server holds its SHARED lock for longer than `waitMs`.
 */
export function takeExclusiveLock(databasePath: string, waitMs = 300): HeldLock {
  const file = serverLockPath(databasePath);
  if (file === null) return NO_LOCK;
  let lock: Database.Database | undefined;
  try {
    lock = openLockFile(file, waitMs);
    lock.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    if (lock?.open) lock.close();
    if (isBusy(error)) throw new DatabaseInUseError(databasePath);
    throw error;
  }
  const held = lock;
  return {
    release: () => {
      if (!held.open) return;
      if (held.inTransaction) held.exec('COMMIT');
      held.close();
    },
  };
}
