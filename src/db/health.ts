import { sql } from 'drizzle-orm';
import type { Db } from './connection.js';

/**
 * The health check's one query: throws when the database cannot answer (closed handle,
 * unreadable file), returns quietly when it can.
 */
export function pingDatabase(db: Db): void {
  db.get(sql`SELECT 1`);
}
