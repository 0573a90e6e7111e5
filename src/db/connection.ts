import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { driverError } from './executor.js';
import * as schema from './schema.js';
import { setWriteWait } from './write-transaction.js';

export type Db = BetterSQLite3Database<typeof schema>;

export interface DatabaseHandle {
  db: Db;
  close(): void;
}

export interface OpenOptions {
  /** How long a write waits for another process's lock (CLERKD_BUSY_TIMEOUT_MS); see db/write-transaction.ts. */
  busyTimeoutMs: number;
}

/** The SQL function the search queries use for Unicode-aware lowercasing. */
export const UNICODE_LOWER = 'unicode_lower';

const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/sqlite', import.meta.url));

/** The database file and its WAL hold password digests and TOTP secrets: owner only. */
const FILE_MODE = 0o600;

/** The database cannot be opened (missing permission, read-only mount, not a database, corrupt): one line naming the file. */
export class DatabaseOpenError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`cannot open the database ${file}: ${reason}`);
    this.name = 'DatabaseOpenError';
  }
}

function openReason(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  switch (code) {
    case 'SQLITE_NOTADB':
      return 'the file is not a SQLite database';
    case 'SQLITE_CORRUPT':
      return 'the file is corrupt (restore it from a backup or an export)';
    case 'SQLITE_READONLY':
    case 'EROFS':
      return 'it is on a read-only file system or not writable (clerkd needs to write it)';
    case 'SQLITE_CANTOPEN':
    case 'EACCES':
    case 'EPERM':
      return `permission denied or the directory is missing (${message})`;
    case 'SQLITE_FULL':
    case 'ENOSPC':
      return 'the disk is full';
    default:
      return message;
  }
}

/** Creates the file owner-only before SQLite does (SQLite gives its WAL and shared-memory files the same mode), and tightens one made earlier. */
function restrictFileMode(file: string): void {
  fs.closeSync(fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT, FILE_MODE));
  for (const companion of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      if ((fs.statSync(companion).mode & 0o077) !== 0) fs.chmodSync(companion, FILE_MODE);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}

/**
 * Opens (or creates) the SQLite database, applies the committed migrations, and returns
 * a Drizzle handle. WAL lets readers run beside the writer. SQLite's busy timeout stays 0:
 * writes wait for another process's lock asynchronously (db/write-transaction.ts).
 */
export function openDatabase(file: string, options: OpenOptions): DatabaseHandle {
  let sqlite: Database.Database | undefined;
  try {
    if (file !== ':memory:') {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      restrictFileMode(file);
    }
    sqlite = new Database(file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    // Migrations run before the server takes requests, so they may wait for the lock synchronously.
    sqlite.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs)}`);
    // SQLite's lower() and LIKE fold ASCII only; case-insensitive search of names like
    // "Élodie" needs the same Unicode folding on stored text and on the query (JS toLowerCase).
    sqlite.function(UNICODE_LOWER, { deterministic: true }, (value: unknown) => (typeof value === 'string' ? value.toLowerCase() : value));
    const db = drizzle(sqlite, { schema });
    migrate(db, { migrationsFolder: MIGRATIONS_DIR });
    sqlite.pragma('busy_timeout = 0');
    setWriteWait(db, options.busyTimeoutMs);
    const handle = sqlite;
    return {
      db,
      close: () => {
        if (handle.open) handle.close();
      },
    };
  } catch (error) {
    if (sqlite?.open) sqlite.close();
    throw new DatabaseOpenError(file, openReason(driverError(error)));
  }
}
