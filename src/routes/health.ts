import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { driverError } from '../db/executor.js';
import { FAULT_DESCRIPTIONS, type StorageFault } from '../db/storage-faults.js';
import { errors } from '../errors.js';
import { HealthResponse } from '../schemas/health.js';
import { ClerkErrorsResponse } from '../schemas/user-response.js';

export interface HealthRouteOptions {
  /** The storage fault in force, or null; throws when the database cannot answer at all. */
  checkDatabase(): StorageFault | null;
}

/**
 * `GET /healthz` for container health checks and load balancers: no secret key, one trivial
 * query. 200 `{"status":"ok"}` when the database answers; otherwise 503 in Clerk's error
 * shape with `Retry-After`: naming the storage fault (full, I/O, read-only, corrupt) while
 * one lasts, with the driver's own words in the log only.
 */
export const healthRoutes: FastifyPluginAsyncTypebox<HealthRouteOptions> = async (app, { checkDatabase }) => {
  app.get(
    '/healthz',
    { schema: { summary: 'Health check (no secret key): 200 when the database answers', response: { 200: HealthResponse, 503: ClerkErrorsResponse } } },
    async (request) => {
      let fault: StorageFault | null;
      try {
        fault = checkDatabase();
      } catch (error) {
        request.log.error({ err: driverError(error) }, 'health check failed: the database did not answer');
        throw errors.databaseUnavailable();
      }
      if (fault !== null) throw errors.storageFault(fault.kind, FAULT_DESCRIPTIONS[fault.kind]);
      return { status: 'ok' as const };
    },
  );
};
