import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ClerkApiError } from '../errors.js';
import { ClerkErrorsResponse } from '../schemas/user-response.js';
import { SeedError, type DataReset } from '../snapshot/reset.js';

/**
 * `POST /_clerkd/reset` (clerkd's control surface, same secret key as /v1): wipes every
 * user, organization and membership in one transaction, re-applies CLERKD_SEED when set,
 * and removes the profile image files nothing refers to any more. For test suites: call it
 * in a `beforeEach` to start each test from the seed. Refused (403) with NODE_ENV=production.
 */

export interface ResetRouteOptions {
  reset: DataReset;
  production: boolean;
}

const Counts = Type.Object({ users: Type.Integer(), organizations: Type.Integer(), organization_memberships: Type.Integer() });

export const ResetResponse = Type.Object({
  reset: Type.Literal(true),
  deleted: Counts,
  /** Null without CLERKD_SEED. */
  seeded: Type.Union([Counts, Type.Null()]),
  removed_images: Type.Integer(),
});

const resetDisabled = () =>
  new ClerkApiError({
    status: 403,
    code: 'feature_not_enabled',
    message: 'reset is disabled in production',
    longMessage: 'POST /_clerkd/reset wipes every user; clerkd refuses it when NODE_ENV=production.',
  });

const seedInvalid = (detail: string) =>
  new ClerkApiError({
    status: 500,
    code: 'seed_invalid',
    message: 'the seed file could not be applied',
    longMessage: `${detail}. Nothing was deleted.`,
  });

export const resetRoutes: FastifyPluginAsyncTypebox<ResetRouteOptions> = async (app, { reset, production }) => {
  app.post(
    '/reset',
    { schema: { response: { 200: ResetResponse, 401: ClerkErrorsResponse, 403: ClerkErrorsResponse, 500: ClerkErrorsResponse } } },
    async (request) => {
      if (production) throw resetDisabled();
      try {
        const result = await reset.reset();
        request.log.info({ deleted: result.deleted, seeded: result.seeded }, 'database reset');
        return { reset: true as const, deleted: result.deleted, seeded: result.seeded, removed_images: result.removedImages };
      } catch (error) {
        if (error instanceof SeedError) throw seedInvalid(error.message);
        throw error;
      }
    },
  );
};
