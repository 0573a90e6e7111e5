import { randomBytes } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { driverError, isBusy } from '../db/executor.js';
import { FAULT_DESCRIPTIONS, storageFaultOf, type StorageHealth } from '../db/storage-faults.js';
import { ClerkApiError, errors } from '../errors.js';
import { noteErrorCode } from '../logging.js';
import { TokenDecryptionError } from '../oauth/crypto.js';
import { clerkErrorFromValidation } from './validation.js';

/** Renders any failure in Clerk's error shape; the only place error bodies are written. */

export interface ErrorContext {
  bodyLimit: number;
  contentType: string | undefined;
}

export function toClerkError(error: unknown, context: ErrorContext): ClerkApiError | null {
  if (error instanceof ClerkApiError) return error;
  const fastifyError = error as Partial<FastifyError> & { validationContext?: string };
  if (fastifyError.validation) return clerkErrorFromValidation(fastifyError.validation, fastifyError.validationContext ?? 'body');
  if (isBusy(error)) return errors.databaseBusy();
  const fault = storageFaultOf(error);
  if (fault !== null) return errors.storageFault(fault.kind, FAULT_DESCRIPTIONS[fault.kind]);
  if (error instanceof TokenDecryptionError) return errors.storedTokenUnreadable();
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return errors.unsupportedContentType(context.contentType ?? '(none)', 'application/json');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return errors.bodyTooLarge(context.bodyLimit);
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return errors.requestBodyInvalid();
    case 'FST_ERR_MAX_PARAM_LENGTH':
      // No resource has an id that long.
      return errors.resourceNotFound();
    case 'FST_ERR_BAD_URL':
    case 'FST_ERR_ASYNC_CONSTRAINT':
      return errors.malformedRequestParameters();
  }
  if (fastifyError.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return new ClerkApiError({
      status: fastifyError.statusCode,
      code: fastifyError.statusCode === 413 ? 'request_body_too_large' : 'request_invalid',
      message: 'Request invalid',
      longMessage: fastifyError.message ?? 'The request is invalid.',
    });
  }
  return null;
}

export function sendClerkError(request: FastifyRequest, reply: FastifyReply, error: ClerkApiError): FastifyReply {
  noteErrorCode(request, error.code);
  if (error.retryAfter !== undefined) reply.header('retry-after', String(error.retryAfter));
  // An explicit serializer keeps Fastify from appending `; charset=utf-8`, also on the
  // router-level paths (bad URL, 404) where onSend hooks may not run.
  return reply
    .code(error.status)
    .header('content-type', 'application/json')
    .serializer(JSON.stringify)
    .send({
      errors: [{ message: error.message, long_message: error.longMessage, code: error.code, meta: error.meta }],
      clerk_trace_id: request.id,
    });
}

/**
 * Node's HTTP parser refuses some requests before Fastify sees them (bytes that cannot be a
 * request line, a bad or repeated Content-Length, broken chunked framing, an unknown method,
 * control characters in a header). Fastify's own answer to those is not in Clerk's shape;
 * this one is. There is no request, so the trace id is made here.
 */
export function writeClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const clerkError =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? new ClerkApiError({ status: 431, code: 'request_header_fields_too_large', message: 'Request headers too large', longMessage: 'The request headers exceed the size this server accepts.' })
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? new ClerkApiError({ status: 408, code: 'request_timeout', message: 'Request timeout', longMessage: 'The request was not received in time.' })
        : errors.malformedRequestParameters();
  const traceId = randomBytes(16).toString('hex');
  const body = JSON.stringify({
    errors: [{ message: clerkError.message, long_message: clerkError.longMessage, code: clerkError.code, meta: clerkError.meta }],
    clerk_trace_id: traceId,
  });
  if (socket.writable) {
    const head = `HTTP/1.1 ${clerkError.status} ${STATUS_CODES[clerkError.status] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}`;
    socket.write(`${head}\r\nClerk-Trace-Id: ${traceId}\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy();
}

export function registerErrorHandlers(app: FastifyInstance, bodyLimit: number, storage: StorageHealth): void {
  app.setErrorHandler((error, request, reply) => {
    // Reads meet storage faults too (a corrupt index): /healthz reports them from now on.
    const fault = storage.record(error);
    if (fault !== null) request.log.error({ err: driverError(error), fault: fault.kind }, `storage fault: ${FAULT_DESCRIPTIONS[fault.kind]}`);
    const clerkError = toClerkError(error, { bodyLimit, contentType: request.headers['content-type'] });
    if (clerkError) return sendClerkError(request, reply, clerkError);
    request.log.error({ err: driverError(error) }, 'unhandled error');
    return sendClerkError(request, reply, errors.internal());
  });
  app.setNotFoundHandler((request, reply) => sendClerkError(request, reply, errors.resourceNotFound()));
}
