import type { Db } from '../db/connection.js';
import type { TokenCipher } from '../oauth/crypto.js';
import { SnapshotError, SnapshotFileError } from './errors.js';
import { readSnapshotFile } from './file.js';
import { applyImport, inWriteTransaction, prepareImport, replaceAll, type ImportResult, type PreparedImport } from './import.js';
import type { TableCounts } from './repository.js';

/**
 * Wiping the database for a test suite, and seeding it. A reset deletes every row and
 * re-applies the seed file (CLERKD_SEED) in one write transaction, so a concurrent request
 * sees the old data or the new, never a half-empty database. The seed is read and checked
 * before the transaction opens: a broken seed file fails the reset and deletes nothing.
 * Profile image files no row refers to any more are removed after the commit.
 */

export interface ResetResult {
  deleted: TableCounts;
  /** What the seed inserted; null without a seed. */
  seeded: TableCounts | null;
  removedImages: number;
}

export interface DataResetDeps {
  db: Db;
  cipher: TokenCipher;
  /** CLERKD_SEED, or null. */
  seedFile: string | null;
  /** Removes one stored image file; must not throw (ProfileImageService.removeStoredImage). */
  removeImage(key: string): Promise<void>;
}

/** A seed file that cannot be read, is not JSON, or is refused: the message says which and where. */
export class SeedError extends Error {
  constructor(message: string) {
    super(`CLERKD_SEED: ${message}`);
    this.name = 'SeedError';
  }
}

function seedError(file: string, error: unknown): unknown {
  if (error instanceof SnapshotError) return new SeedError(`${file} is refused: ${error.message}`);
  if (error instanceof SnapshotFileError) return new SeedError(error.message);
  return error;
}

async function prepareSeed(file: string, cipher: TokenCipher): Promise<PreparedImport> {
  try {
    return await prepareImport(await readSnapshotFile(file), cipher);
  } catch (error) {
    throw seedError(file, error);
  }
}

export class DataReset {
  constructor(private readonly deps: DataResetDeps) {}

  get seedFile(): string | null {
    return this.deps.seedFile;
  }

  async reset(): Promise<ResetResult> {
    const { db, cipher, seedFile } = this.deps;
    const prepared = seedFile === null ? null : await prepareSeed(seedFile, cipher);
    let outcome: Awaited<ReturnType<typeof replaceAll>>;
    try {
      outcome = await inWriteTransaction(db, (tx) => replaceAll(tx, prepared));
    } catch (error) {
      throw seedFile === null ? error : seedError(seedFile, error);
    }
    for (const key of outcome.removedImageKeys) await this.deps.removeImage(key);
    return { deleted: outcome.deleted, seeded: prepared ? outcome.imported : null, removedImages: outcome.removedImageKeys.length };
  }
}

/** CLERKD_SEED at start: imports the seed file when the database holds no users and no organizations. */
export async function seedIfEmpty(db: Db, cipher: TokenCipher, file: string): Promise<ImportResult> {
  const prepared = await prepareSeed(file, cipher);
  try {
    return await applyImport(db, prepared, { onlyIfEmpty: true });
  } catch (error) {
    throw seedError(file, error);
  }
}
