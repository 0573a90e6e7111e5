import type pino from 'pino';
import { buildApp } from '../app.js';
import { DEVELOPMENT_SECRET_KEY, type Config } from '../config.js';
import { openDatabase } from '../db/connection.js';
import { holdServerLock, takeExclusiveLock, type HeldLock } from '../db/server-lock.js';
import { createLogger } from '../logging.js';
import { TokenCipher } from '../oauth/crypto.js';
import { seedIfEmpty } from '../snapshot/reset.js';
import { CliError } from './options.js';

/**
 * `clerkd start` (and `node dist/main.js`): open the database, seed it when it is empty and
 * CLERKD_SEED is set, build the app, listen, and shut down cleanly on SIGINT/SIGTERM.
 */

function announceDevelopmentKey(log: pino.Logger, config: Config): void {
  if (!config.usingDevelopmentKey) return;
  const banner = '='.repeat(78);
  log.warn(
    `\n${banner}\n  clerkd is accepting the well-known DEVELOPMENT secret key:\n\n      ${DEVELOPMENT_SECRET_KEY}\n\n` +
      `  Anyone who reads this can call the API. Set CLERKD_SECRET_KEYS for anything\n  but local development (NODE_ENV=production refuses to start without it).\n${banner}`,
  );
}

function announceDevelopmentEncryptionKey(log: pino.Logger, config: Config): void {
  if (!config.usingDevelopmentEncryptionKey) return;
  const banner = '='.repeat(78);
  log.warn(
    `\n${banner}\n  clerkd is encrypting OAuth tokens with the well-known DEVELOPMENT key\n  (CLERKD_ENCRYPTION_KEY is unset or holds it). It is in the README, so stored\n` +
      `  tokens are only obscured. Set CLERKD_ENCRYPTION_KEY (32 bytes, base64 or hex:\n  \`openssl rand -base64 32\`) for anything but local development\n  (NODE_ENV=production refuses to start without it).\n${banner}`,
  );
}

/** Which keys are accepted, without ever printing a configured one. */
function acceptedKeys(config: Config): string {
  if (config.usingDevelopmentKey) return `the development key ${DEVELOPMENT_SECRET_KEY}`;
  return config.secretKeys.length === 1 ? '1 configured secret key' : `${config.secretKeys.length} configured secret keys`;
}

/** The start-up lines: where to call, where the docs are, where the data lives, which keys work. */
function announceReady(log: pino.Logger, config: Config): void {
  const data = config.databasePath === ':memory:' ? 'in memory (gone when clerkd stops)' : config.databasePath;
  log.info(`API:        ${config.publicUrl}/v1`);
  log.info(`API docs:   ${config.publicUrl}/_clerkd/docs`);
  log.info(`data:       ${data}; profile images in ${config.imagesDir}`);
  log.info(`accepting:  ${acceptedKeys(config)}`);
  log.info({ url: config.publicUrl, listening: `${config.host}:${config.port}`, production: config.production }, 'clerkd is ready');
}

/** The exclusive server lock when no other server uses the database, else null (an in-memory database is always alone). */
function soleServerLock(databasePath: string): HeldLock | null {
  try {
    return takeExclusiveLock(databasePath, 0);
  } catch {
    // In use (DatabaseInUseError), or the lock file cannot be made: then nothing is assumed.
    return null;
  }
}

function listenError(error: unknown, config: Config): unknown {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const where = `${config.host}:${config.port}`;
  if (code === 'EADDRINUSE') return new CliError(`cannot listen on ${where}: the port is in use (choose another with --port or PORT)`);
  if (code === 'EADDRNOTAVAIL') return new CliError(`cannot listen on ${where}: no such address on this machine (--host or HOST)`);
  if (code === 'EACCES') return new CliError(`cannot listen on ${where}: permission denied`);
  return error;
}

export async function startServer(config: Config): Promise<void> {
  const log = createLogger(config.logLevel, config.logFormat);
  // Alone on the database (no other server holds its shared lock), start-up may remove what
  // dead servers left; the exclusive lock keeps another from starting meanwhile.
  const alone = soleServerLock(config.databasePath);
  let database: ReturnType<typeof openDatabase>;
  try {
    database = openDatabase(config.databasePath, { busyTimeoutMs: config.busyTimeoutMs });
  } catch (error) {
    alone?.release();
    throw error;
  }
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  let lock: HeldLock | null = null;
  try {
    if (config.seedFile !== null) {
      const seeded = await seedIfEmpty(database.db, new TokenCipher(config.encryptionKey), config.seedFile);
      if (seeded.skipped) log.info({ seed: config.seedFile }, 'CLERKD_SEED not applied: the database already holds data');
      else log.info({ seed: config.seedFile, ...seeded.imported }, 'seeded the empty database');
    }
    app = await buildApp({ config, db: database.db, logger: log, soleServer: alone !== null });
    alone?.release();
    lock = holdServerLock(config.databasePath);
    if (lock === null) log.warn({ database: config.databasePath }, 'could not take the server lock file; clerkd import/reset will not see this server');
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await app?.close().catch(() => undefined);
    database.close();
    alone?.release();
    lock?.release();
    throw listenError(error, config);
  }
  const running = app;

  let closing = false;
  const finish = () => {
    database.close();
    lock?.release();
    process.exit(0);
  };
  // Stop accepting, let requests in flight finish, and exit within the shutdown timeout
  // whatever clients do: a client trickling a body cannot hold the process.
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal, timeoutMs: config.timeouts.shutdownMs }, 'shutting down: finishing the requests in flight');
    const deadline = setTimeout(() => {
      log.warn({ timeoutMs: config.timeouts.shutdownMs }, 'shutdown timeout passed: closing the connections still open');
      running.server.closeAllConnections();
      finish();
    }, config.timeouts.shutdownMs);
    running
      .close()
      .catch((error: unknown) => log.error({ err: error }, 'error while closing the server'))
      .finally(() => {
        clearTimeout(deadline);
        finish();
      });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  announceDevelopmentKey(log, config);
  announceDevelopmentEncryptionKey(log, config);
  if (Object.keys(config.oauthProviders).length > 0) log.info({ providers: Object.keys(config.oauthProviders) }, 'OAuth token refresh configured');
  announceReady(log, config);
}
