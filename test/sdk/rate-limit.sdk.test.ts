/**
 * The official @clerk/backend SDK against clerkd with CLERKD_RATE_LIMITS=development: a
 * refused call surfaces as Clerk's own rate-limit error (status 429, `retryAfter` from the
 * Retry-After header), which is what an app's back-off code branches on.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { createClerkClient } from '@clerk/backend';
import { isClerkAPIResponseError, type ClerkAPIResponseError } from '@clerk/backend/errors';
import { startTestServer, unique } from '../support/server.js';

async function rejection(promise: Promise<unknown>): Promise<ClerkAPIResponseError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isClerkAPIResponseError(error), `not a Clerk API error: ${String(error)}`);
    return error;
  }
  assert.fail('the call was not refused');
}

test('createUser past the development limit rejects with status 429, retryAfter and too_many_requests', async () => {
  const server = await startTestServer({ CLERKD_RATE_LIMITS: 'development' });
  try {
    const clerk = createClerkClient({ secretKey: server.secretKey, apiUrl: server.baseUrl });
    await Promise.all(Array.from({ length: 100 }, () => clerk.users.createUser({ externalId: unique('ext') })));
    const error = await rejection(clerk.users.createUser({ externalId: unique('ext') }));
    assert.equal(error.status, 429);
    assert.equal(typeof error.retryAfter, 'number');
    assert.ok(error.retryAfter! >= 1 && error.retryAfter! <= 10, `retryAfter ${error.retryAfter}`);
    assert.equal(error.errors[0]?.code, 'too_many_requests');
    assert.equal(error.errors[0]?.message, 'Too many requests');
    assert.match(error.errors[0]?.longMessage ?? '', /100 requests per 10 seconds/);
    assert.ok(error.clerkTraceId);
  } finally {
    await server.close();
  }
});

test('an SDK client that waits retryAfter seconds gets through once the window has passed', async () => {
  const server = await startTestServer({ CLERKD_RATE_LIMITS: 'development', CLERKD_RATE_LIMIT_WINDOW_MS: '1500' });
  try {
    const clerk = createClerkClient({ secretKey: server.secretKey, apiUrl: server.baseUrl });
    // A burst over the limit; should a slow machine straddle two windows, burst again.
    let refused: ClerkAPIResponseError | undefined;
    for (let burst = 0; burst < 5 && refused === undefined; burst++) {
      const results = await Promise.allSettled(Array.from({ length: 150 }, () => clerk.users.getCount()));
      const failure = results.find((result) => result.status === 'rejected');
      if (failure) refused = (failure as PromiseRejectedResult).reason as ClerkAPIResponseError;
    }
    assert.ok(refused, 'no call was refused');
    assert.equal(refused.status, 429);
    await sleep(refused.retryAfter! * 1000);
    assert.equal(typeof (await clerk.users.getCount()), 'number');
  } finally {
    await server.close();
  }
});
