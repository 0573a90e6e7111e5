import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import type { Config } from '../config.js';
import { openDatabase, type DatabaseHandle } from '../db/connection.js';
import { isBusy } from '../db/executor.js';
import { DatabaseInUseError, takeExclusiveLock } from '../db/server-lock.js';
import { ImageStore } from '../images/store.js';
import { TokenCipher } from '../oauth/crypto.js';
import { SnapshotError } from '../snapshot/errors.js';
import { exportSnapshot, formatSnapshot } from '../snapshot/export.js';
import { readSnapshotFile } from '../snapshot/file.js';
import { applyImport, prepareImport, type PreparedImport } from '../snapshot/import.js';
import type { TableCounts } from '../snapshot/repository.js';
import { DataReset } from '../snapshot/reset.js';
import { CliError } from './options.js';

/**
 * `clerkd import`, `clerkd export` and `clerkd reset`: the snapshot functions run against the
 * database the same configuration points a server at. import and reset write, so they hold
 * the exclusive lock (src/db/server-lock.ts) and refuse while a server uses the database;
 * export only reads, in one transaction, and runs beside a server.
 */

/** How long a write waits for another writer before the command gives up. */
const CLI_BUSY_TIMEOUT_MS = 1000;

export interface Output {
  /** Progress and summaries: stderr, so `clerkd export -` keeps stdout for the snapshot. */
  info(line: string): void;
  stdout: NodeJS.WritableStream;
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

function describeCounts(counts: TableCounts): string {
  return `${plural(counts.users, 'user')}, ${plural(counts.organizations, 'organization')} and ${plural(counts.organization_memberships, 'membership')}`;
}

function requireFileDatabase(config: Config): void {
  if (config.databasePath === ':memory:') throw new CliError('CLERKD_DATABASE is :memory:, which only a running server can see; point the command at a database file');
}

/** Opens the database for a writing command, holding the exclusive lock until `close`. */
function openForWriting(config: Config): DatabaseHandle {
  requireFileDatabase(config);
  const lock = takeExclusiveLock(config.databasePath);
  let database: DatabaseHandle;
  try {
    database = openDatabase(config.databasePath, { busyTimeoutMs: CLI_BUSY_TIMEOUT_MS });
  } catch (error) {
    lock.release();
    throw inUse(error, config);
  }
  return {
    db: database.db,
    close: () => {
      database.close();
      lock.release();
    },
  };
}

/** SQLITE_BUSY past the short timeout: another process is writing (a server that took no lock file). */
function inUse(error: unknown, config: Config): unknown {
  return isBusy(error) ? new DatabaseInUseError(config.databasePath) : error;
}

async function removeImages(config: Config, keys: string[], output: Output): Promise<void> {
  const store = new ImageStore({ dir: config.imagesDir, maxBytes: config.imageMaxBytes });
  for (const key of keys) {
    try {
      await store.remove(key);
    } catch (error) {
      output.info(`clerkd: could not remove the image ${key}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

function refused(file: string, error: unknown): unknown {
  return error instanceof SnapshotError ? new CliError(`cannot import ${file}: ${error.message} (nothing was imported)`) : error;
}

export async function runImport(config: Config, file: string, replace: boolean, output: Output): Promise<void> {
  const document = await readSnapshotFile(file);
  // The whole file is checked before the database is opened: a bad record is reported even while a server runs.
  let prepared: PreparedImport;
  try {
    prepared = await prepareImport(document, new TokenCipher(config.encryptionKey));
  } catch (error) {
    throw refused(file, error);
  }
  const database = openForWriting(config);
  try {
    const result = await applyImport(database.db, prepared, { replace });
    database.close();
    await removeImages(config, result.removedImageKeys, output);
    const format = result.format === 'clerkd' ? 'clerkd snapshot' : 'migration-tool users';
    const replaced = result.deleted ? ` (replacing ${describeCounts(result.deleted)})` : '';
    output.info(`imported ${describeCounts(result.imported)} from ${file} (${format})${replaced} into ${config.databasePath}`);
  } catch (error) {
    database.close();
    throw inUse(refused(file, error), config);
  }
}

function writeAtomically(file: string, text: string): void {
  const target = path.resolve(file);
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${randomUUID()}.tmp`);
  try {
    fs.writeFileSync(temp, text, { mode: 0o600 });
    fs.renameSync(temp, target);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such directory' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (error as Error).message;
    throw new CliError(`cannot write ${file}: ${reason}`);
  }
}

export async function runExport(config: Config, file: string, output: Output): Promise<void> {
  requireFileDatabase(config);
  if (!fs.existsSync(config.databasePath)) throw new CliError(`there is no database at ${config.databasePath} (see --data-dir and --database)`);
  const database = openDatabase(config.databasePath, { busyTimeoutMs: CLI_BUSY_TIMEOUT_MS });
  let text: string;
  let counts: TableCounts;
  try {
    const snapshot = exportSnapshot(database.db, new TokenCipher(config.encryptionKey));
    counts = { users: snapshot.users?.length ?? 0, organizations: snapshot.organizations?.length ?? 0, organization_memberships: snapshot.organization_memberships?.length ?? 0 };
    text = formatSnapshot(snapshot);
  } catch (error) {
    if (error instanceof SnapshotError) throw new CliError(`cannot export: ${error.message}`);
    throw error;
  } finally {
    database.close();
  }
  if (file === '-') {
    await new Promise<void>((resolve, reject) => output.stdout.write(text, (error) => (error ? reject(error) : resolve())));
  } else {
    writeAtomically(file, text);
  }
  output.info(`exported ${describeCounts(counts)} to ${file === '-' ? 'stdout' : file} (the snapshot holds password digests, TOTP secrets and OAuth tokens: keep it private)`);
}

export async function runReset(config: Config, output: Output): Promise<void> {
  if (config.production) throw new CliError('reset is disabled when NODE_ENV=production');
  const database = openForWriting(config);
  const removed: string[] = [];
  try {
    const reset = new DataReset({
      db: database.db,
      cipher: new TokenCipher(config.encryptionKey),
      seedFile: config.seedFile,
      removeImage: async (key) => {
        removed.push(key);
      },
    });
    const result = await reset.reset();
    database.close();
    await removeImages(config, removed, output);
    const seeded = result.seeded ? `; seeded ${describeCounts(result.seeded)} from ${config.seedFile}` : '';
    output.info(`reset ${config.databasePath}: deleted ${describeCounts(result.deleted)}${seeded}`);
  } catch (error) {
    database.close();
    throw inUse(error, config);
  }
}
