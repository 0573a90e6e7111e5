import type { RunResult } from 'better-sqlite3';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import type * as schema from './schema.js';

/** The database or an open transaction: repositories run their statements on either. */
export type Executor = BaseSQLiteDatabase<'sync', RunResult, typeof schema>;

/** SQLite's constraint error, as better-sqlite3 raises it. */
export function isUniqueViolation(error: unknown): error is Error & { code: string } {
  return error instanceof Error && (error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE';
}

export function isBusy(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}
