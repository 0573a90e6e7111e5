import type { Db } from '../db/connection.js';
import type { Executor } from '../db/executor.js';
import { writeTransaction as dbWriteTransaction } from '../db/write-transaction.js';
import { errors } from '../errors.js';
import { identifierFromUniqueViolation } from './repository.js';

/**
 * A write transaction of the users and organizations services (src/db/write-transaction.ts).
 * A unique-index conflict becomes `form_identifier_exists`, so a race between two creates
 * still answers 422.
 */
export function writeTransaction<T>(db: Db, work: (tx: Executor) => T): Promise<T> {
  return dbWriteTransaction(db, work, (error) => {
    const identifier = identifierFromUniqueViolation(error);
    return identifier ? errors.identifierExists(identifier.param, identifier.label) : error;
  });
}
