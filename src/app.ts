import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import pino from 'pino';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from './config.js';
import type { Db } from './db/connection.js';
import { requireSecretKey } from './http/auth.js';
import { registerErrorHandlers, sendClerkError, toClerkError } from './http/error-handler.js';
import { registerJsonBody } from './http/json-body.js';
import { serializeUser } from './http/serializers/user.js';
import { validatorCompiler } from './http/validation.js';
import { registerWireFormat } from './http/wire-format.js';
import { errors } from './errors.js';
import type { RouteDeps } from './routes/deps.js';
import { credentialRoutes } from './routes/credentials.js';
import { imageRoutes } from './routes/images.js';
import { moderationRoutes } from './routes/moderation.js';
import { userMetadataRoutes } from './routes/user-metadata.js';
import { usersRoutes } from './routes/users.js';
import { CredentialService } from './users/credentials.js';
import { ModerationService } from './users/moderation.js';
import { UserService } from './users/service.js';

export interface AppOptions {
  config: Config;
  db: Db;
  /** The process logger; `false` silences logging (tests). Defaults to one built from config. */
  logger?: pino.Logger | false;
}

/** Log redaction: secrets never reach the log, whatever a route logs. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  '*.password',
  '*.password_digest',
  '*.totp_secret',
  '*.backup_codes',
];

export function loggerOptions(level: string): pino.LoggerOptions {
  return { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
}

/** Builds the whole server; main.ts and the tests build it the same way. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { config, db } = options;
  const logging: { logger: false } | { loggerInstance: FastifyBaseLogger } =
    options.logger === false ? { logger: false } : { loggerInstance: options.logger ?? pino(loggerOptions(config.logLevel)) };
  const app = Fastify({
    ...logging,
    bodyLimit: config.bodyLimitBytes,
    genReqId: () => randomBytes(16).toString('hex'),
    requestIdHeader: false,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500 },
    frameworkErrors: (error, request, reply) => {
      sendClerkError(request, reply, toClerkError(error, { bodyLimit: config.bodyLimitBytes, contentType: request.headers['content-type'] }) ?? errors.malformedRequestParameters());
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  registerJsonBody(app);
  registerWireFormat(app);
  registerErrorHandlers(app, config.bodyLimitBytes);

  const users = new UserService({ db, config });
  const deps: RouteDeps = {
    config,
    users,
    credentials: new CredentialService({ db, config }),
    moderation: new ModerationService({ db, config }),
    serializeUser: (aggregate) => serializeUser(aggregate, { publicUrl: config.publicUrl, lockout: config.lockout, now: Date.now() }),
  };

  await app.register(imageRoutes);
  await app.register(
    async (v1) => {
      requireSecretKey(v1, config.secretKeys);
      await v1.register(usersRoutes, { deps });
      await v1.register(userMetadataRoutes, { deps });
      await v1.register(credentialRoutes, { deps });
      await v1.register(moderationRoutes, { deps });
    },
    { prefix: '/v1' },
  );
  return app;
}
