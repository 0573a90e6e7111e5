import type { IncomingMessage } from 'node:http';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { imageErrors } from '../images/errors.js';
import { consumeUploadedFile } from '../images/multipart-upload.js';
import { UserIdParams } from '../schemas/user-bodies.js';
import { ClerkErrorsResponse, UserResponse } from '../schemas/user-response.js';
import type { RoutePluginOptions } from './deps.js';

/**
 * POST and DELETE /users/{user_id}/profile_image. The upload is `multipart/form-data` with
 * one file part named `file` (what @clerk/backend's `updateUserProfileImage` sends: a part
 * named `file`, filename `blob`). Multipart parsing exists only inside this plugin; every
 * other route keeps answering 415 to anything but JSON.
 *
 * Answers: no multipart body (including `application/json`, which is what a client that
 * forgot the file sends) or no `file` part → 400 `form_param_missing` "Image file missing";
 * any other Content-Type → 415 `unsupported_content_type` naming multipart/form-data; a file
 * that is not a PNG, JPEG, GIF or WebP by its first bytes → 422 `form_param_format_invalid`
 * (param `file`); over CLERKD_IMAGE_MAX_BYTES → 413 `request_body_too_large` (param `file`);
 * a malformed multipart body → 400 `request_body_invalid`.
 */

function mediaType(header: string | undefined): string | undefined {
  const type = header?.split(';')[0]?.trim().toLowerCase();
  return type === '' ? undefined : type;
}

function hasBody(raw: IncomingMessage): boolean {
  return raw.headers['transfer-encoding'] !== undefined || Number(raw.headers['content-length'] ?? 0) > 0;
}

/** 415 before parsing for a body that is neither multipart nor JSON (JSON falls through to "Image file missing"). */
async function checkUploadContentType(request: FastifyRequest): Promise<void> {
  const header = request.headers['content-type'];
  const type = mediaType(header);
  if (type === 'multipart/form-data' || type === 'application/json') return;
  if (type === undefined && !hasBody(request.raw)) return;
  throw imageErrors.unsupportedContentType(header ?? '(none)');
}

export const profileImageRoutes: FastifyPluginAsyncTypebox<RoutePluginOptions> = async (app, { deps }) => {
  const { profileImages, serializeUser, config } = deps;
  const maxBytes = config.imageMaxBytes;
  // Leaves the body unread for consumeUploadedFile; registered in this plugin only.
  app.addContentTypeParser('multipart/form-data', (_request, _payload, done) => done(null));

  const errorResponses = {
    400: ClerkErrorsResponse,
    401: ClerkErrorsResponse,
    404: ClerkErrorsResponse,
    413: ClerkErrorsResponse,
    415: ClerkErrorsResponse,
    422: ClerkErrorsResponse,
  };

  app.post(
    '/users/:user_id/profile_image',
    { onRequest: checkUploadContentType, schema: { params: UserIdParams, response: { 200: UserResponse, ...errorResponses } } },
    async (request) => {
      if (mediaType(request.headers['content-type']) !== 'multipart/form-data') throw imageErrors.fileMissing();
      const userId = request.params.user_id;
      return serializeUser(await consumeUploadedFile(request.raw, maxBytes, (file) => profileImages.setProfileImage(userId, file)));
    },
  );

  app.delete(
    '/users/:user_id/profile_image',
    { schema: { params: UserIdParams, response: { 200: UserResponse, ...errorResponses } } },
    async (request) => serializeUser(await profileImages.deleteProfileImage(request.params.user_id)),
  );
};
