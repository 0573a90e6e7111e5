import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type pino from 'pino';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from './config.js';
import type { Db } from './db/connection.js';
import { requireSecretKey } from './http/auth.js';
import { registerErrorHandlers, sendClerkError, toClerkError, writeClientError } from './http/error-handler.js';
import { registerJsonBody } from './http/json-body.js';
import { registerApiDocs } from './http/openapi.js';
import { registerRateLimits } from './http/rate-limit.js';
import { serializeUser } from './http/serializers/user.js';
import { validatorCompiler } from './http/validation.js';
import { registerWireFormat } from './http/wire-format.js';
import { errors } from './errors.js';
import { createLogger, registerRequestLog } from './logging.js';
import { ImageStore } from './images/store.js';
import { TokenCipher } from './oauth/crypto.js';
import type { RouteDeps } from './routes/deps.js';
import { controlExternalAccountRoutes } from './routes/control-external-accounts.js';
import { resetRoutes } from './routes/reset.js';
import { DataReset } from './snapshot/reset.js';
import { credentialRoutes } from './routes/credentials.js';
import { externalAccountRoutes } from './routes/external-accounts.js';
import { healthRoutes } from './routes/health.js';
import { storageHealthOf } from './db/storage-faults.js';
import { imageRoutes } from './routes/images.js';
import { moderationRoutes } from './routes/moderation.js';
import { organizationRoutes } from './routes/organizations.js';
import { userOrganizationMembershipRoutes } from './routes/user-organization-memberships.js';
import { OrganizationService } from './organizations/service.js';
import { oauthAccessTokenRoutes } from './routes/oauth-access-tokens.js';
import { profileImageRoutes } from './routes/profile-image.js';
import { userMetadataRoutes } from './routes/user-metadata.js';
import { usersRoutes } from './routes/users.js';
import { CredentialService } from './users/credentials.js';
import { ExternalAccountService } from './users/external-accounts.js';
import { ModerationService } from './users/moderation.js';
import { ProfileImageService } from './users/profile-image.js';
import { UserService } from './users/service.js';

export interface AppOptions {
  config: Config;
  db: Db;
  /**
   * True when no other server uses this database (start.ts holds the exclusive server lock
   * while the app is built): the image files of uploads that died before committing are removed.
   */
  soleServer?: boolean;
  /** The process logger; `false` silences logging (tests). Defaults to one built from config. */
  logger?: pino.Logger | false;
}

const CONNECTION_CHECK_INTERVAL_MS = 1000;

/** Builds the whole server; main.ts and the tests build it the same way. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { config, db } = options;
  const logging: { logger: false } | { loggerInstance: FastifyBaseLogger } =
    options.logger === false ? { logger: false } : { loggerInstance: options.logger ?? createLogger(config.logLevel, config.logFormat) };
  const app = Fastify({
    ...logging,
    // registerRequestLog writes one line per request instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimitBytes,
    // A client that trickles its request holds a socket: these bound how long (408 in Clerk's shape).
    requestTimeout: config.timeouts.requestMs,
    keepAliveTimeout: config.timeouts.keepAliveMs,
    // Node checks the request and header timeouts on this interval (30 s by default, which would double them).
    http: { headersTimeout: config.timeouts.headersMs, connectionsCheckingInterval: CONNECTION_CHECK_INTERVAL_MS },
    // The trace id (`clerk_trace_id`): randomUUID draws from a cached entropy pool, unlike randomBytes.
    genReqId: () => randomUUID().replaceAll('-', ''),
    requestIdHeader: false,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500 },
    // Requests Node's HTTP parser refuses never reach Fastify: answer them in Clerk's shape too.
    clientErrorHandler: writeClientError,
    frameworkErrors: (error, request, reply) => {
      sendClerkError(request, reply, toClerkError(error, { bodyLimit: config.bodyLimitBytes, contentType: request.headers['content-type'] }) ?? errors.malformedRequestParameters());
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  registerRequestLog(app);
  registerJsonBody(app);
  registerWireFormat(app);
  const storage = storageHealthOf(db);
  registerErrorHandlers(app, config.bodyLimitBytes, storage);

  const users = new UserService({ db, config });
  const profileImages = new ProfileImageService({ db, store: new ImageStore({ dir: config.imagesDir, maxBytes: config.imageMaxBytes }), log: app.log });
  const staleUploads = await profileImages.removeStaleUploads();
  if (staleUploads > 0) app.log.warn({ staleUploads }, 'removed temporary files left behind by interrupted uploads');
  if (options.soleServer) {
    const abandonedImages = await profileImages.removeAbandonedImages();
    if (abandonedImages > 0) app.log.warn({ abandonedImages }, 'removed image files of uploads that stopped before their change was saved');
  }
  const deps: RouteDeps = {
    config,
    users,
    credentials: new CredentialService({ db, config }),
    profileImages,
    moderation: new ModerationService({ db, config }),
    organizations: new OrganizationService({ db, config }),
    externalAccounts: new ExternalAccountService({
      db,
      cipher: new TokenCipher(config.encryptionKey),
      providers: config.oauthProviders,
      refreshTimeoutMs: config.oauthRefreshTimeoutMs,
      log: app.log,
    }),
    serializeUser: (aggregate) => serializeUser(aggregate, { publicUrl: config.publicUrl, lockout: config.lockout, now: Date.now() }),
  };

  // Before every route: @fastify/swagger builds the OpenAPI document from the routes it sees registered.
  await registerApiDocs(app, config);
  await app.register(healthRoutes, { checkDatabase: () => storage.check() });
  await app.register(imageRoutes, { deps });
  await app.register(
    async (v1) => {
      requireSecretKey(v1, config.secretKeys);
      registerRateLimits(v1, config.rateLimits);
      await v1.register(usersRoutes, { deps });
      await v1.register(userMetadataRoutes, { deps });
      await v1.register(credentialRoutes, { deps });
      await v1.register(profileImageRoutes, { deps });
      await v1.register(moderationRoutes, { deps });
      await v1.register(organizationRoutes, { deps });
      await v1.register(userOrganizationMembershipRoutes, { deps });
      await v1.register(externalAccountRoutes, { deps });
      await v1.register(oauthAccessTokenRoutes, { deps });
    },
    { prefix: '/v1' },
  );
  // clerkd's own control surface (not part of Clerk's API), behind the same secret key.
  await app.register(
    async (control) => {
      requireSecretKey(control, config.secretKeys);
      await control.register(controlExternalAccountRoutes, { deps });
      const reset = new DataReset({ db, cipher: new TokenCipher(config.encryptionKey), seedFile: config.seedFile, removeImage: (key) => profileImages.removeStoredImage(key) });
      await control.register(resetRoutes, { reset, production: config.production });
    },
    { prefix: '/_clerkd' },
  );
  return app;
}
