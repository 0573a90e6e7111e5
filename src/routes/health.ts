import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { driverError } from '../db/executor.js';
import { errors } from '../errors.js';
import { HealthResponse } from '../schemas/health.js';
import { ClerkErrorsResponse } from '../schemas/user-response.js';

export interface HealthRouteOptions {
  /** Throws when the database cannot answer a trivial query. */
  checkDatabase(): void;
}

/**
 * `GET /healthz` for container health checks and load balancers: no secret key, one trivial
 * query. 200 `{"status":"ok"}` when the database answers; otherwise 503 in Clerk's error
 * shape with `Retry-After`, and the driver's reason in the log (never in the answer).
 */
export const healthRoutes: FastifyPluginAsyncTypebox<HealthRouteOptions> = async (app, { checkDatabase }) => {
  app.get(
    '/healthz',
    { schema: { summary: 'Health check (no secret key): 200 when the database answers', response: { 200: HealthResponse, 503: ClerkErrorsResponse } } },
    async (request) => {
      try {
        checkDatabase();
      } catch (error) {
        request.log.error({ err: driverError(error) }, 'health check failed: the database did not answer');
        throw errors.databaseUnavailable();
      }
      return { status: 'ok' as const };
    },
  );
};
