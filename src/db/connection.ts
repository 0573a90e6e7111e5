import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema.js';

export type Db = BetterSQLite3Database<typeof schema>;

export interface DatabaseHandle {
  db: Db;
  close(): void;
}

/** The SQL function the search queries use for Unicode-aware lowercasing. */
export const UNICODE_LOWER = 'unicode_lower';

const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));

/**
 * Opens (or creates) the SQLite database, applies the committed migrations, and returns
 * a Drizzle handle. WAL lets readers run beside the writer; the busy timeout makes a
 * second process wait for the lock instead of failing at once.
 */
export function openDatabase(file: string, options: { busyTimeoutMs?: number } = {}): DatabaseHandle {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);
  // SQLite's lower() and LIKE fold ASCII only; case-insensitive search of names like
  // "Élodie" needs the same Unicode folding on stored text and on the query (JS toLowerCase).
  sqlite.function(UNICODE_LOWER, { deterministic: true }, (value: unknown) => (typeof value === 'string' ? value.toLowerCase() : value));
  const db = drizzle(sqlite, { schema });
  migrate(db, { migrationsFolder: MIGRATIONS_DIR });
  return {
    db,
    close: () => {
      if (sqlite.open) sqlite.close();
    },
  };
}
