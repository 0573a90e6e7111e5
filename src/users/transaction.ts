import type { Db } from '../db/connection.js';
import type { Executor } from '../db/executor.js';
import { errors } from '../errors.js';
import { identifierFromUniqueViolation } from './repository.js';

/**
 * Runs `work` in one write transaction. IMMEDIATE takes SQLite's write lock up front, so a
 * read-then-write inside cannot lose a race to another connection. A unique-index conflict
 * becomes `form_identifier_exists`, so a race between two creates still answers 422.
 */
export function writeTransaction<T>(db: Db, work: (tx: Executor) => T): T {
  try {
    return db.transaction((tx) => work(tx), { behavior: 'immediate' });
  } catch (error) {
    const identifier = identifierFromUniqueViolation(error);
    if (identifier) throw errors.identifierExists(identifier.param, identifier.label);
    throw error;
  }
}
