import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { serializeDeletedUser, serializeTotalCount } from '../http/serializers/user.js';
import { ClerkErrorsResponse, DeletedObjectResponse, TotalCountResponse, UserListResponse, UserResponse } from '../schemas/user-response.js';
import { CreateUserBody, UpdateUserBody, UserIdParams } from '../schemas/user-bodies.js';
import { UserCountQuery, UserListQuery } from '../schemas/user-list-query.js';
import { DEFAULT_LIMIT } from '../lists/params.js';
import { checkCursorRules, parseUserFilter, parseUserOrder } from '../users/list-query.js';
import type { RoutePluginOptions } from './deps.js';

/** The users resource: list, count, create, get, update, delete. */
export const usersRoutes: FastifyPluginAsyncTypebox<RoutePluginOptions> = async (app, { deps }) => {
  const { users, serializeUser, config } = deps;
  const errorResponses = { 400: ClerkErrorsResponse, 401: ClerkErrorsResponse, 404: ClerkErrorsResponse, 422: ClerkErrorsResponse };

  app.get('/users', { schema: { querystring: UserListQuery, response: { 200: UserListResponse, ...errorResponses } } }, async (request) => {
    const q = request.query;
    const order = parseUserOrder(q.order_by);
    checkCursorRules(q, order);
    const page = {
      limit: q.limit ?? DEFAULT_LIMIT,
      offset: q.offset ?? 0,
      startingAfter: q.starting_after === undefined ? undefined : users.cursorOf(q.starting_after),
    };
    return users.listUsers(parseUserFilter(q), order, page).map(serializeUser);
  });

  app.get('/users/count', { schema: { querystring: UserCountQuery, response: { 200: TotalCountResponse, ...errorResponses } } }, async (request) =>
    serializeTotalCount(users.countUsers(parseUserFilter(request.query))),
  );

  app.post('/users', { schema: { body: CreateUserBody, response: { 200: UserResponse, ...errorResponses } } }, async (request) =>
    serializeUser(await users.createUser(request.body)),
  );

  app.get('/users/:user_id', { schema: { params: UserIdParams, response: { 200: UserResponse, ...errorResponses } } }, async (request) =>
    serializeUser(users.getUser(request.params.user_id)),
  );

  app.patch(
    '/users/:user_id',
    { schema: { params: UserIdParams, body: UpdateUserBody, response: { 200: UserResponse, ...errorResponses } } },
    async (request) => {
      const apiVersion = request.headers['clerk-api-version'];
      const updated = await users.updateUser(
        request.params.user_id,
        request.body,
        typeof apiVersion === 'string' ? apiVersion : undefined,
        config.defaultApiVersion,
      );
      return serializeUser(updated);
    },
  );

  app.delete('/users/:user_id', { schema: { params: UserIdParams, response: { 200: DeletedObjectResponse, ...errorResponses } } }, async (request) => {
    const imageKey = await users.deleteUser(request.params.user_id);
    await deps.profileImages.removeStoredImage(imageKey);
    return serializeDeletedUser(request.params.user_id);
  });
};
