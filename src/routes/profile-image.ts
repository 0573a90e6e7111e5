import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import multipart, { type Multipart, type MultipartFile } from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { ClerkApiError } from '../errors.js';
import { imageErrors } from '../images/errors.js';
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

const FILE_FIELD = 'file';

/** One file (the image) and a few small text fields, which are ignored. */
function multipartLimits(maxBytes: number) {
  return { fileSize: maxBytes, files: 1, fields: 16, fieldSize: 16 * 1024 };
}

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

async function firstFilePart(parts: AsyncIterableIterator<Multipart>): Promise<MultipartFile | undefined> {
  for await (const part of parts) {
    if (part.type === 'file') return part;
  }
  return undefined;
}

/**
 * The parser stops a file at `fileSize` bytes by truncating it quietly (a `truncated` flag,
 * a `limit` event that may fire before anyone listens). Read through this, an oversized file
 * fails instead, so the store deletes what it had written.
 */
async function* refusingTruncation(file: MultipartFile['file'], maxBytes: number): AsyncIterable<Buffer> {
  for await (const chunk of file) {
    if (file.truncated) throw imageErrors.tooLarge(maxBytes);
    yield chunk as Buffer;
  }
  if (file.truncated) throw imageErrors.tooLarge(maxBytes);
}

/** @fastify/multipart's own errors about the form (besides the file size). */
const MULTIPART_FORM_ERRORS = new Set([
  'FST_PARTS_LIMIT',
  'FST_FILES_LIMIT',
  'FST_FIELDS_LIMIT',
  'FST_PROTO_VIOLATION',
  'FST_INVALID_JSON_FIELD_ERROR',
  'FST_MP_PREMATURE_CLOSE',
]);

/** Errors from the multipart parser (limits, a truncated or malformed body) as Clerk errors; null for anything else. */
function multipartError(error: unknown, maxBytes: number): ClerkApiError | null {
  if (error instanceof ClerkApiError) return null;
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (code === 'FST_REQ_FILE_TOO_LARGE') return imageErrors.tooLarge(maxBytes);
  if (typeof code === 'string' && MULTIPART_FORM_ERRORS.has(code)) return imageErrors.multipartInvalid('the multipart form could not be read');
  if (typeof message === 'string' && /multipart|boundary|needle|terminated early/i.test(message)) {
    return imageErrors.multipartInvalid('the multipart form could not be read');
  }
  return null;
}

/**
 * Whatever the outcome, the rest of the request body is read and thrown away, so the client
 * can finish sending and read the answer (an early 404 or 413 must not reset the connection).
 */
function discardUnread(raw: IncomingMessage, file: Readable | undefined): void {
  if (file && !file.readableEnded) file.destroy();
  raw.unpipe();
  raw.resume();
}

export const profileImageRoutes: FastifyPluginAsyncTypebox<RoutePluginOptions> = async (app, { deps }) => {
  const { profileImages, serializeUser, config } = deps;
  const maxBytes = config.imageMaxBytes;
  await app.register(multipart, { limits: multipartLimits(maxBytes) });

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
      if (!request.isMultipart()) throw imageErrors.fileMissing();
      let file: MultipartFile['file'] | undefined;
      try {
        const part = await firstFilePart(request.parts());
        file = part?.file;
        if (!part || part.fieldname !== FILE_FIELD) throw imageErrors.fileMissing();
        return serializeUser(await profileImages.setProfileImage(request.params.user_id, refusingTruncation(part.file, maxBytes)));
      } catch (error) {
        throw multipartError(error, maxBytes) ?? error;
      } finally {
        discardUnread(request.raw, file);
      }
    },
  );

  app.delete(
    '/users/:user_id/profile_image',
    { schema: { params: UserIdParams, response: { 200: UserResponse, ...errorResponses } } },
    async (request) => serializeUser(await profileImages.deleteProfileImage(request.params.user_id)),
  );
};
