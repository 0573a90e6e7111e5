import pino from 'pino';
import { buildApp, loggerOptions } from './app.js';
import { ConfigError, DEVELOPMENT_SECRET_KEY, loadConfig, type Config } from './config.js';
import { openDatabase } from './db/connection.js';

/** Entry point: read config, open the database, build the app, listen, shut down cleanly. */

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

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`clerkd: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }

  const log = pino(loggerOptions(config.logLevel));
  const database = openDatabase(config.databasePath, { busyTimeoutMs: config.busyTimeoutMs });
  const app = await buildApp({ config, db: database.db, logger: log });

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down');
    app
      .close()
      .catch((error: unknown) => log.error({ err: error }, 'error while closing the server'))
      .finally(() => {
        database.close();
        process.exit(0);
      });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  await app.listen({ host: config.host, port: config.port });
  announceDevelopmentKey(log, config);
  announceDevelopmentEncryptionKey(log, config);
  if (Object.keys(config.oauthProviders).length > 0) log.info({ providers: Object.keys(config.oauthProviders) }, 'OAuth token refresh configured');
  log.info({ database: config.databasePath, publicUrl: config.publicUrl }, 'clerkd is ready');
}

main().catch((error: unknown) => {
  process.stderr.write(`clerkd failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
