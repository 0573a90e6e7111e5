import assert from 'node:assert/strict';
import type { ApiResponse } from './server.js';
import { assertMatchesSpec } from './spec-schema.js';

/**
 * Clerk's error body, checked strictly: `{errors: [{message, long_message, code, meta}],
 * clerk_trace_id}`, with a code a client can branch on. `internal_clerk_error` (an unhandled
 * failure) and `request_invalid` (the handler's fallback for a Fastify error it has no
 * mapping for) are not specific codes.
 */
export const UNSPECIFIC_CODES = new Set(['internal_clerk_error', 'request_invalid']);

export interface ClerkErrorBody {
  errors: { message: string; long_message: string; code: string; meta: Record<string, unknown> }[];
  clerk_trace_id: string;
}

export function assertClerkErrorBody(body: unknown, context: string): asserts body is ClerkErrorBody {
  assert.ok(body !== null && typeof body === 'object' && !Array.isArray(body), `${context}: the error body is not a JSON object`);
  const { errors, clerk_trace_id: traceId } = body as Record<string, unknown>;
  assert.ok(Array.isArray(errors) && errors.length >= 1, `${context}: no errors array`);
  assert.equal(typeof traceId, 'string', `${context}: no clerk_trace_id`);
  for (const error of errors as Record<string, unknown>[]) {
    assert.equal(typeof error.message, 'string', `${context}: message`);
    assert.equal(typeof error.long_message, 'string', `${context}: long_message`);
    assert.equal(typeof error.code, 'string', `${context}: code`);
    assert.ok(error.meta !== null && typeof error.meta === 'object', `${context}: meta`);
    assert.ok(!UNSPECIFIC_CODES.has(error.code as string), `${context}: unspecific error code ${String(error.code)}`);
  }
}

export function errorCode(body: unknown): string | undefined {
  return (body as Partial<ClerkErrorBody> | undefined)?.errors?.[0]?.code;
}

/**
 * The one check every HTTP test makes of an error answer: the status, a Content-Type of
 * exactly `application/json` (the SDK ignores anything else), the spec's ClerkErrors schema,
 * the first error's code and, when given, its `meta.param_name`.
 */
export function assertClerkError(response: ApiResponse, status: number, code: string, paramName?: string): void {
  assert.equal(response.status, status, `expected ${status} ${code}, got ${response.status} ${response.text}`);
  assert.equal(response.headers.get('content-type'), 'application/json');
  assertMatchesSpec('ClerkErrors', response.body);
  const [first] = (response.body as ClerkErrorBody).errors;
  assert.equal(first?.code, code, response.text);
  if (paramName !== undefined) assert.equal(first?.meta.param_name, paramName, response.text);
}
