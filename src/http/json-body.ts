import type { FastifyInstance } from 'fastify';
import secureJson from 'secure-json-parse';
import { errors } from '../errors.js';

/**
 * The SDKs send `Content-Type: application/json` with no body on body-less POSTs and on
 * every DELETE, and the Go SDK sends the literal `null`: both mean "no body". Malformed
 * JSON and prototype-poisoning keys answer Clerk's 400 `request_body_invalid`.
 */
/** Deeper bodies are refused before parsing: nothing legitimate nests this far, and deep values overflow the stack later. */
export const MAX_JSON_DEPTH = 64;

/** Nesting depth of a JSON text, counted without recursion and ignoring brackets inside strings. */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) max = Math.max(max, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

export function registerJsonBody(app: FastifyInstance): void {
  // JSON only (multipart is added by the routes that take files): any other type is a 415.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = (body as string).trim();
    if (text === '' || text === 'null') return done(null, undefined);
    if (jsonDepth(text) > MAX_JSON_DEPTH) return done(errors.requestBodyInvalid(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`), undefined);
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
