import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ReplaceMetadataBody, UserIdParams } from '../schemas/user-bodies.js';
import { ClerkErrorsResponse, UserResponse } from '../schemas/user-response.js';
import type { RoutePluginOptions } from './deps.js';

/** PUT /users/{id}/metadata replaces; the deep-merge PATCH arrives with the metadata work. */
export const userMetadataRoutes: FastifyPluginAsyncTypebox<RoutePluginOptions> = async (app, { deps }) => {
  app.put(
    '/users/:user_id/metadata',
    {
      schema: {
        params: UserIdParams,
        body: ReplaceMetadataBody,
        response: { 200: UserResponse, 400: ClerkErrorsResponse, 401: ClerkErrorsResponse, 404: ClerkErrorsResponse, 422: ClerkErrorsResponse },
      },
    },
    async (request) => deps.serializeUser(deps.users.replaceMetadata(request.params.user_id, request.body)),
  );
};
