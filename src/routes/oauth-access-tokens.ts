import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { serializeOAuthAccessTokenList, serializeOAuthAccessTokenPage } from '../http/serializers/oauth-token.js';
import {
  OAuthAccessTokenListResponse,
  OAuthAccessTokenPageResponse,
  OAuthAccessTokenParams,
  OAuthAccessTokenQuery,
} from '../schemas/external-accounts.js';
import { ClerkErrorsResponse } from '../schemas/user-response.js';
import type { RoutePluginOptions } from './deps.js';

/**
 * GET /users/{user_id}/oauth_access_tokens/{provider} (`oauth_google` or `google`): a bare
 * array as the spec has it, or `{data, total_count}` with `paginated=true` (what
 * @clerk/backend sends). `limit`/`offset` page either form. Expired tokens are refreshed first.
 */
const DEFAULT_LIMIT = 10;

export const oauthAccessTokenRoutes: FastifyPluginAsyncTypebox<RoutePluginOptions> = async (app, { deps }) => {
  const { externalAccounts } = deps;
  const errorResponses = { 400: ClerkErrorsResponse, 401: ClerkErrorsResponse, 404: ClerkErrorsResponse, 422: ClerkErrorsResponse };

  app.get(
    '/users/:user_id/oauth_access_tokens/:provider',
    {
      schema: {
        params: OAuthAccessTokenParams,
        querystring: OAuthAccessTokenQuery,
        response: { 200: Type.Union([OAuthAccessTokenListResponse, OAuthAccessTokenPageResponse]), ...errorResponses },
      },
    },
    async (request) => {
      const { user_id, provider } = request.params;
      const { paginated, limit, offset } = request.query;
      const page = await externalAccounts.accessTokens(user_id, provider, { limit: limit ?? DEFAULT_LIMIT, offset: offset ?? 0 });
      return paginated === true ? serializeOAuthAccessTokenPage(page) : serializeOAuthAccessTokenList(page);
    },
  );
};
