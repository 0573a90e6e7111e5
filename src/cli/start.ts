import pino from 'pino';
import { buildApp, loggerOptions } from '../app.js';
import { DEVELOPMENT_SECRET_KEY, type Config } from '../config.js';
import { openDatabase } from '../db/connection.js';
import { holdServerLock } from '../db/server-lock.js';
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

function listenError(error: unknown, config: Config): unknown {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const where = `${config.host}:${config.port}`;
  if (code === 'EADDRINUSE') return new CliError(`cannot listen on ${where}: the port is in use (choose another with --port or PORT)`);
  if (code === 'EADDRNOTAVAIL') return new CliError(`cannot listen on ${where}: no such address on this machine (--host or HOST)`);
  if (code === 'EACCES') return new CliError(`cannot listen on ${where}: permission denied`);
  return error;
}

export async function startServer(config: Config): Promise<void> {
  const log = pino(loggerOptions(config.logLevel));
  const lock = holdServerLock(config.databasePath);
  if (lock === null) log.warn({ database: config.databasePath }, 'could not take the server lock file; clerkd import/reset will not see this server');
  const database = openDatabase(config.databasePath);
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  try {
    if (config.seedFile !== null) {
      const seeded = await seedIfEmpty(database.db, new TokenCipher(config.encryptionKey), config.seedFile);
      if (seeded.skipped) log.info({ seed: config.seedFile }, 'CLERKD_SEED not applied: the database already holds data');
      else log.info({ seed: config.seedFile, ...seeded.imported }, 'seeded the empty database');
    }
    app = await buildApp({ config, db: database.db, logger: log });
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await app?.close().catch(() => undefined);
    database.close();
    lock?.release();
    throw listenError(error, config);
  }
  const running = app;

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down');
    running
      .close()
      .catch((error: unknown) => log.error({ err: error }, 'error while closing the server'))
      .finally(() => {
        database.close();
        lock?.release();
        process.exit(0);
      });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  announceDevelopmentKey(log, config);
  announceDevelopmentEncryptionKey(log, config);
  if (Object.keys(config.oauthProviders).length > 0) log.info({ providers: Object.keys(config.oauthProviders) }, 'OAuth token refresh configured');
  log.info({ database: config.databasePath, publicUrl: config.publicUrl }, 'clerkd is ready');
}
