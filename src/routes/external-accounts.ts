import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { serializeDeletedExternalAccount } from '../http/serializers/external-account.js';
import { ExternalAccountParams } from '../schemas/external-accounts.js';
import { ClerkErrorsResponse, DeletedObjectResponse } from '../schemas/user-response.js';
import type { RoutePluginOptions } from './deps.js';

/** DELETE /users/{user_id}/external_accounts/{external_account_id}: unlinks one account. */
export const externalAccountRoutes: FastifyPluginAsyncTypebox<RoutePluginOptions> = async (app, { deps }) => {
  const { externalAccounts } = deps;
  const errorResponses = { 400: ClerkErrorsResponse, 401: ClerkErrorsResponse, 404: ClerkErrorsResponse, 422: ClerkErrorsResponse };

  app.delete(
    '/users/:user_id/external_accounts/:external_account_id',
    { schema: { params: ExternalAccountParams, response: { 200: DeletedObjectResponse, ...errorResponses } } },
    async (request) => {
      const { user_id, external_account_id } = request.params;
      await externalAccounts.delete(user_id, external_account_id);
      return serializeDeletedExternalAccount(external_account_id);
    },
  );
};
