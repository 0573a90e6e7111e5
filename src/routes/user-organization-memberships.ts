import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { serializeMembershipList } from '../http/serializers/organization.js';
import { pageOf } from '../organizations/service.js';
import { MembershipListResponse, PageQuery } from '../schemas/organizations.js';
import { UserIdParams } from '../schemas/user-bodies.js';
import { ClerkErrorsResponse } from '../schemas/user-response.js';
import type { RoutePluginOptions } from './deps.js';

/** GET /users/{user_id}/organization_memberships: the user's memberships, newest first. */
export const userOrganizationMembershipRoutes: FastifyPluginAsyncTypebox<RoutePluginOptions> = async (app, { deps }) => {
  const ctx = { publicUrl: deps.config.publicUrl };
  app.get(
    '/users/:user_id/organization_memberships',
    {
      schema: {
        params: UserIdParams,
        querystring: PageQuery,
        response: { 200: MembershipListResponse, 400: ClerkErrorsResponse, 401: ClerkErrorsResponse, 404: ClerkErrorsResponse, 422: ClerkErrorsResponse },
      },
    },
    async (request) => {
      const { items, total } = deps.organizations.listUserMemberships(request.params.user_id, pageOf(request.query));
      return serializeMembershipList(items, total, ctx);
    },
  );
};
