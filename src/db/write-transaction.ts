import { setTimeout as delay } from 'node:timers/promises';
import type { Db } from './connection.js';
import { isBusy, type Executor } from './executor.js';
import { storageHealthOf } from './storage-faults.js';

/**
 * The one write-transaction helper. `work` runs inside BEGIN IMMEDIATE, which takes SQLite's
 * write lock up front, so a read-then-write inside it cannot lose a race to another
 * connection or process; it commits when `work` returns and rolls back when it throws.
 *
 * Waiting for the lock: SQLite's own busy timeout waits synchronously, which would freeze
 * every other request of this process (health checks, image downloads) while another
 * process writes. So connections are opened with a busy timeout of 0, and a BEGIN that finds
 * the lock taken is retried here, asynchronously, until the database's write wait
 * (CLERKD_BUSY_TIMEOUT_MS) has passed; then the busy error goes up and answers 503 with
 * Retry-After. Only a BEGIN that never ran `work` is retried, so `work` runs at most once.
 */

const writeWaits = new WeakMap<Db, number>();

/** Set by openDatabase: how long a write on `db` waits for another connection's lock. */
export function setWriteWait(db: Db, busyTimeoutMs: number): void {
  writeWaits.set(db, busyTimeoutMs);
}

const FIRST_RETRY_MS = 1;
const LONGEST_RETRY_MS = 25;

export type TransactionErrorMapper = (error: unknown) => unknown;

export async function writeTransaction<T>(db: Db, work: (tx: Executor) => T, mapError: TransactionErrorMapper = (error) => error): Promise<T> {
  const deadline = Date.now() + (writeWaits.get(db) ?? 0);
  let wait = FIRST_RETRY_MS;
  for (;;) {
    let started = false;
    try {
      const result = db.transaction(
        (tx) => {
          started = true;
          return work(tx);
        },
        { behavior: 'immediate' },
      );
      storageHealthOf(db).writeSucceeded();
      return result;
    } catch (error) {
      storageHealthOf(db).record(error);
      const remaining = deadline - Date.now();
      if (!started && isBusy(error) && remaining > 0) {
        await delay(Math.min(wait, remaining));
        wait = Math.min(wait * 2, LONGEST_RETRY_MS);
        continue;
      }
      throw mapError(error);
    }
  }
}
