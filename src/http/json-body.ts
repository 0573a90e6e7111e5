import type { FastifyInstance } from 'fastify';
import secureJson from 'secure-json-parse';
import { errors } from '../errors.js';

/**
 * The SDKs send `Content-Type: application/json` with no body on body-less POSTs and on
 * every DELETE, and the Go SDK sends the literal `null`: both mean "no body". Malformed
 * JSON and prototype-poisoning keys answer Clerk's 400 `request_body_invalid`.
 */
export function registerJsonBody(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = (body as string).trim();
    if (text === '' || text === 'null') return done(null, undefined);
    try {
      done(null, secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' }));
    } catch {
      done(errors.requestBodyInvalid(), undefined);
    }
  });

  // A route with a body schema treats "no body" as `{}`, so validation sees an object.
  app.addHook('preValidation', async (request) => {
    if (request.body === undefined && request.routeOptions.schema?.body) request.body = {};
  });
}
