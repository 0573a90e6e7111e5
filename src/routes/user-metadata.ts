import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { MetadataBody, UserIdParams } from '../schemas/user-bodies.js';
import { ClerkErrorsResponse, UserResponse } from '../schemas/user-response.js';
import type { RoutePluginOptions } from './deps.js';

/** PUT replaces each given metadata object; PATCH deep-merges into it (`null` deletes a key). */
export const userMetadataRoutes: FastifyPluginAsyncTypebox<RoutePluginOptions> = async (app, { deps }) => {
  const schema = {
    params: UserIdParams,
    body: MetadataBody,
    response: { 200: UserResponse, 400: ClerkErrorsResponse, 401: ClerkErrorsResponse, 404: ClerkErrorsResponse, 422: ClerkErrorsResponse },
  };
  app.put('/users/:user_id/metadata', { schema }, async (request) =>
    deps.serializeUser(await deps.users.replaceMetadata(request.params.user_id, request.body)),
  );
  app.patch('/users/:user_id/metadata', { schema }, async (request) =>
    deps.serializeUser(await deps.users.mergeMetadata(request.params.user_id, request.body)),
  );
};
