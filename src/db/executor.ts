import type { RunResult } from 'better-sqlite3';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import type * as schema from './schema.js';

/** The database or an open transaction: repositories run their statements on either. */
export type Executor = BaseSQLiteDatabase<'sync', RunResult, typeof schema>;

/**
 * The driver's own error. Drizzle may wrap it in a DrizzleQueryError whose message lists the
 * query's parameters (password digests among them), so that wrapper is never what gets logged.
 */
export function driverError(error: unknown): unknown {
  let current = error;
  // Drizzle's wrappers (DrizzleQueryError, and DrizzleError inside transactions) carry no code of their own.
  while (current instanceof Error && current.cause instanceof Error && typeof (current as { code?: unknown }).code !== 'string') current = current.cause;
  return current;
}

function sqliteCode(error: unknown): string | undefined {
  return (driverError(error) as { code?: unknown } | null)?.code as string | undefined;
}

/** SQLite's unique-constraint error, as better-sqlite3 raises it. */
export function isUniqueViolation(error: unknown): boolean {
  return sqliteCode(error) === 'SQLITE_CONSTRAINT_UNIQUE';
}

export function uniqueViolationMessage(error: unknown): string {
  const cause = driverError(error);
  return cause instanceof Error ? cause.message : '';
}

export function isBusy(error: unknown): boolean {
  const code = sqliteCode(error);
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}
