import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { serializeExternalAccountView } from '../http/serializers/external-account.js';
import { CreateExternalAccountBody, ExternalAccountParams, UpdateExternalAccountBody } from '../schemas/external-accounts.js';
import { UserIdParams } from '../schemas/user-bodies.js';
import { ClerkErrorsResponse, ExternalAccountResponse } from '../schemas/user-response.js';
import type { RoutePluginOptions } from './deps.js';

/**
 * clerkd's control surface for external accounts (mounted under `/_clerkd`, same secret key
 * as /v1). Clerk's API has no endpoint that creates them (they come from OAuth sign-ins), so
 * tests and seeds link them here, tokens included; the response never echoes a token.
 */
export const controlExternalAccountRoutes: FastifyPluginAsyncTypebox<RoutePluginOptions> = async (app, { deps }) => {
  const { externalAccounts } = deps;
  const errorResponses = { 400: ClerkErrorsResponse, 401: ClerkErrorsResponse, 404: ClerkErrorsResponse, 422: ClerkErrorsResponse };

  app.post(
    '/users/:user_id/external_accounts',
    { schema: { params: UserIdParams, body: CreateExternalAccountBody, response: { 200: ExternalAccountResponse, ...errorResponses } } },
    async (request) => serializeExternalAccountView(await externalAccounts.create(request.params.user_id, request.body)),
  );

  app.patch(
    '/users/:user_id/external_accounts/:external_account_id',
    { schema: { params: ExternalAccountParams, body: UpdateExternalAccountBody, response: { 200: ExternalAccountResponse, ...errorResponses } } },
    async (request) =>
      serializeExternalAccountView(await externalAccounts.update(request.params.user_id, request.params.external_account_id, request.body)),
  );
};
