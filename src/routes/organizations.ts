import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  serializeDeletedOrganization,
  serializeMembership,
  serializeMembershipList,
  serializeOrganization,
  serializeOrganizationList,
} from '../http/serializers/organization.js';
import {
  CreateMembershipBody,
  CreateOrganizationBody,
  DeletedOrganizationResponse,
  MembershipListQuery,
  MembershipListResponse,
  MembershipParams,
  MembershipResponse,
  OrganizationIdParams,
  OrganizationListQuery,
  OrganizationListResponse,
  OrganizationMetadataBody,
  OrganizationResponse,
  UpdateMembershipBody,
  UpdateOrganizationBody,
} from '../schemas/organizations.js';
import { ClerkErrorsResponse } from '../schemas/user-response.js';
import { membershipFilter, organizationFilter, pageOf, parseMembershipOrder, parseOrganizationOrder } from '../organizations/service.js';
import type { RoutePluginOptions } from './deps.js';

/** Organizations (create, list, get by id or slug, update, metadata, delete) and their memberships. */
export const organizationRoutes: FastifyPluginAsyncTypebox<RoutePluginOptions> = async (app, { deps }) => {
  const { organizations, config } = deps;
  const ctx = { publicUrl: config.publicUrl };
  const errorResponses = {
    400: ClerkErrorsResponse,
    401: ClerkErrorsResponse,
    403: ClerkErrorsResponse,
    404: ClerkErrorsResponse,
    422: ClerkErrorsResponse,
  };
  const organizationOut = { 200: OrganizationResponse, ...errorResponses };
  const membershipOut = { 200: MembershipResponse, ...errorResponses };

  // ------------------------------------------------------------------ organizations

  app.get('/organizations', { schema: { querystring: OrganizationListQuery, response: { 200: OrganizationListResponse, ...errorResponses } } }, async (request) => {
    const q = request.query;
    const { items, total } = organizations.listOrganizations(organizationFilter(q), parseOrganizationOrder(q.order_by), pageOf(q));
    return serializeOrganizationList(items, total, ctx);
  });

  app.post('/organizations', { schema: { body: CreateOrganizationBody, response: organizationOut } }, async (request) =>
    serializeOrganization(await organizations.createOrganization(request.body), ctx),
  );

  app.get('/organizations/:organization_id', { schema: { params: OrganizationIdParams, response: organizationOut } }, async (request) =>
    serializeOrganization(organizations.getOrganization(request.params.organization_id), ctx),
  );

  app.patch(
    '/organizations/:organization_id',
    { schema: { params: OrganizationIdParams, body: UpdateOrganizationBody, response: organizationOut } },
    async (request) => {
      const apiVersion = request.headers['clerk-api-version'];
      const updated = await organizations.updateOrganization(request.params.organization_id, request.body, typeof apiVersion === 'string' ? apiVersion : undefined);
      return serializeOrganization(updated, ctx);
    },
  );

  app.delete(
    '/organizations/:organization_id',
    { schema: { params: OrganizationIdParams, response: { 200: DeletedOrganizationResponse, ...errorResponses } } },
    async (request) => {
      const deleted = await organizations.deleteOrganization(request.params.organization_id);
      return serializeDeletedOrganization(deleted.id, deleted.slug);
    },
  );

  const metadataSchema = { params: OrganizationIdParams, body: OrganizationMetadataBody, response: organizationOut };
  app.put('/organizations/:organization_id/metadata', { schema: metadataSchema }, async (request) =>
    serializeOrganization(await organizations.replaceMetadata(request.params.organization_id, request.body), ctx),
  );
  app.patch('/organizations/:organization_id/metadata', { schema: metadataSchema }, async (request) =>
    serializeOrganization(await organizations.mergeMetadata(request.params.organization_id, request.body), ctx),
  );

  // ------------------------------------------------------------------ memberships

  app.get(
    '/organizations/:organization_id/memberships',
    { schema: { params: OrganizationIdParams, querystring: MembershipListQuery, response: { 200: MembershipListResponse, ...errorResponses } } },
    async (request) => {
      const q = request.query;
      const { items, total } = organizations.listMemberships(request.params.organization_id, membershipFilter(q), parseMembershipOrder(q.order_by), pageOf(q));
      return serializeMembershipList(items, total, ctx);
    },
  );

  app.post(
    '/organizations/:organization_id/memberships',
    { schema: { params: OrganizationIdParams, body: CreateMembershipBody, response: membershipOut } },
    async (request) => serializeMembership(await organizations.createMembership(request.params.organization_id, request.body), ctx),
  );

  app.patch(
    '/organizations/:organization_id/memberships/:user_id',
    { schema: { params: MembershipParams, body: UpdateMembershipBody, response: membershipOut } },
    async (request) => {
      const { organization_id, user_id } = request.params;
      return serializeMembership(await organizations.updateMembership(organization_id, user_id, request.body.role), ctx);
    },
  );

  app.delete('/organizations/:organization_id/memberships/:user_id', { schema: { params: MembershipParams, response: membershipOut } }, async (request) => {
    const { organization_id, user_id } = request.params;
    return serializeMembership(await organizations.deleteMembership(organization_id, user_id), ctx);
  });

  app.patch(
    '/organizations/:organization_id/memberships/:user_id/metadata',
    { schema: { params: MembershipParams, body: OrganizationMetadataBody, response: membershipOut } },
    async (request) => {
      const { organization_id, user_id } = request.params;
      return serializeMembership(await organizations.mergeMembershipMetadata(organization_id, user_id, request.body), ctx);
    },
  );
};
