import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { UserIdParams } from '../schemas/user-bodies.js';
import { ClerkErrorsResponse, UserListResponse, UserResponse } from '../schemas/user-response.js';
import type { UserAggregate } from '../users/types.js';
import type { RoutePluginOptions } from './deps.js';

/** Ban, unban, lock and unlock: one user (body-less POSTs), or up to 50 at once for ban/unban. */
const BulkUserIdsBody = Type.Object({ user_ids: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, maxItems: 50 }) }, { additionalProperties: false });

export const moderationRoutes: FastifyPluginAsyncTypebox<RoutePluginOptions> = async (app, { deps }) => {
  const { moderation, serializeUser } = deps;
  const errorResponses = { 400: ClerkErrorsResponse, 401: ClerkErrorsResponse, 404: ClerkErrorsResponse, 422: ClerkErrorsResponse };

  const single: [string, (id: string) => Promise<UserAggregate>][] = [
    ['ban', (id) => moderation.ban(id)],
    ['unban', (id) => moderation.unban(id)],
    ['lock', (id) => moderation.lockUser(id)],
    ['unlock', (id) => moderation.unlockUser(id)],
  ];
  for (const [action, run] of single) {
    app.post(`/users/:user_id/${action}`, { schema: { params: UserIdParams, response: { 200: UserResponse, ...errorResponses } } }, async (request) =>
      serializeUser(await run(request.params.user_id)),
    );
  }

  const bulk: [string, (ids: string[]) => Promise<UserAggregate[]>][] = [
    ['ban', (ids) => moderation.banMany(ids)],
    ['unban', (ids) => moderation.unbanMany(ids)],
  ];
  for (const [action, run] of bulk) {
    app.post(`/users/${action}`, { schema: { body: BulkUserIdsBody, response: { 200: UserListResponse, ...errorResponses } } }, async (request) =>
      (await run(request.body.user_ids)).map(serializeUser),
    );
  }
};
