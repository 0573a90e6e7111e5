import { sql } from 'drizzle-orm';
import type { Db } from './connection.js';
import { driverError } from './executor.js';

/**
 * Storage faults: the disk is full, an I/O error, a read-only file or mount, a corrupt
 * file. They are not the client's fault and not a bug, so they answer 503 naming the cause
 * (never a bare 500), and /healthz answers 503 while the fault lasts: from the first request
 * that met it until a later write commits or a health check's probe succeeds.
 */

export type StorageFaultKind = 'full' | 'io' | 'read_only' | 'corrupt';

export interface StorageFault {
  kind: StorageFaultKind;
  /** The driver's or the OS's code (SQLITE_FULL, SQLITE_IOERR_WRITE, ENOSPC, …). */
  code: string;
  since: number;
}

/** Readable causes, used in error bodies and logs. */
export const FAULT_DESCRIPTIONS: Record<StorageFaultKind, string> = {
  full: 'the disk is full',
  io: 'the disk reported an I/O error',
  read_only: 'the database is read-only (file permissions or a read-only mount)',
  corrupt: 'the database file is corrupt',
};

function kindOf(code: string): StorageFaultKind | null {
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT') return 'full';
  if (code.startsWith('SQLITE_IOERR') || code === 'EIO') return 'io';
  if (code.startsWith('SQLITE_READONLY') || code === 'EROFS') return 'read_only';
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') return 'corrupt';
  return null;
}

/** The storage fault `error` is, or null when it is something else. */
export function storageFaultOf(error: unknown, now = Date.now()): StorageFault | null {
  const code = (driverError(error) as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return null;
  const kind = kindOf(code);
  return kind === null ? null : { kind, code, since: now };
}

/** A fault seen by a write, a read, or a check, and the probe that tells it is over. */
export class StorageHealth {
  private fault: StorageFault | null = null;

  constructor(private readonly db: Db) {}

  get current(): StorageFault | null {
    return this.fault;
  }

  /** Remembers `error` when it is a storage fault; returns the fault, or null. */
  record(error: unknown): StorageFault | null {
    const fault = storageFaultOf(error);
    if (fault !== null && this.fault === null) this.fault = fault;
    return fault;
  }

  /** A write committed: the storage works again. */
  writeSucceeded(): void {
    this.fault = null;
  }

  /**
   * The health check. Without a known fault: one trivial query. With one: a read of every page
   * index and table structure (quick_check) and a committed write, which is what failed.
   */
  check(): StorageFault | null {
    try {
      if (this.fault === null) {
        this.db.get(sql`SELECT 1`);
        return null;
      }
      const [result] = this.db.all<{ quick_check: string }>(sql`PRAGMA quick_check(1)`);
      if (result?.quick_check !== 'ok') return this.fault;
      this.db.transaction(
        (tx) => {
          tx.run(sql`CREATE TABLE IF NOT EXISTS clerkd_health_probe (id INTEGER PRIMARY KEY, checked_at INTEGER NOT NULL)`);
          tx.run(sql`INSERT OR REPLACE INTO clerkd_health_probe (id, checked_at) VALUES (1, ${Date.now()})`);
        },
        { behavior: 'immediate' },
      );
      this.fault = null;
      return null;
    } catch (error) {
      const fault = this.record(error);
      if (fault !== null) return this.fault;
      throw error;
    }
  }
}

const healthByDb = new WeakMap<Db, StorageHealth>();

/** The one StorageHealth of a database handle, shared by the write helper, the error handler and /healthz. */
export function storageHealthOf(db: Db): StorageHealth {
  let health = healthByDb.get(db);
  if (health === undefined) {
    health = new StorageHealth(db);
    healthByDb.set(db, health);
  }
  return health;
}
