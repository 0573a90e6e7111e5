import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { RemovePasswordBody, UserIdResponse, VerifyPasswordBody, VerifyPasswordResponse, VerifyTotpBody, VerifyTotpResponse } from '../schemas/credentials.js';
import { UserIdParams } from '../schemas/user-bodies.js';
import { ClerkErrorsResponse, UserResponse } from '../schemas/user-response.js';
import type { RoutePluginOptions } from './deps.js';

/** Passwords and second factors: verify_password, verify_totp, remove_password, and disabling MFA. */
export const credentialRoutes: FastifyPluginAsyncTypebox<RoutePluginOptions> = async (app, { deps }) => {
  const { credentials, serializeUser } = deps;
  const errorResponses = {
    400: ClerkErrorsResponse,
    401: ClerkErrorsResponse,
    403: ClerkErrorsResponse,
    404: ClerkErrorsResponse,
    422: ClerkErrorsResponse,
  };

  app.post(
    '/users/:user_id/verify_password',
    { schema: { params: UserIdParams, body: VerifyPasswordBody, response: { 200: VerifyPasswordResponse, ...errorResponses } } },
    async (request) => {
      await credentials.verifyPassword(request.params.user_id, request.body.password);
      return { verified: true };
    },
  );

  app.post(
    '/users/:user_id/verify_totp',
    { schema: { params: UserIdParams, body: VerifyTotpBody, response: { 200: VerifyTotpResponse, ...errorResponses } } },
    async (request) => ({ verified: true, code_type: await credentials.verifySecondFactor(request.params.user_id, request.body.code) }),
  );

  app.post(
    '/users/:user_id/remove_password',
    { schema: { params: UserIdParams, body: RemovePasswordBody, response: { 200: UserResponse, ...errorResponses } } },
    async (request) => serializeUser(await credentials.removePassword(request.params.user_id)),
  );

  const removals = [
    ['/users/:user_id/mfa', (id: string) => credentials.disableMfa(id)],
    ['/users/:user_id/totp', (id: string) => credentials.deleteTotp(id)],
    ['/users/:user_id/backup_code', (id: string) => credentials.deleteBackupCodes(id)],
  ] as const;
  for (const [path, remove] of removals) {
    app.delete(path, { schema: { params: UserIdParams, response: { 200: UserIdResponse, ...errorResponses } } }, async (request) => {
      await remove(request.params.user_id);
      return { user_id: request.params.user_id };
    });
  }
};
