import type { IncomingMessage } from 'node:http';
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

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** A `\uD800`–`\uDFFF` escape without its pair parses to a string SQLite would store as bytes that are not UTF-8. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function hasLoneSurrogate(value: unknown): boolean {
  if (typeof value === 'string') return LONE_SURROGATE.test(value);
  if (value === null || typeof value !== 'object') return false;
  for (const [key, item] of Object.entries(value)) {
    if (LONE_SURROGATE.test(key) || hasLoneSurrogate(item)) return true;
  }
  return false;
}

/**
 * How much of a request body is read and thrown away after an answer that did not need it (a
 * 413 over the body limit, a 401): the client can then finish sending and read the answer.
 * Closing while it still sends would fail its write (EPIPE) and, with a reset, often lose the
 * answer. Past this allowance the connection is closed instead.
 */
export const DRAIN_MAX_BYTES = 10 * 1024 * 1024;

/** Reads and discards what is left of `request`'s body, up to `maxBytes`; false when it stopped at the allowance. */
export function drainRequestBody(request: IncomingMessage, maxBytes: number): Promise<boolean> {
  if (request.complete || request.readableEnded || request.destroyed) return Promise.resolve(true);
  return new Promise((resolve) => {
    let discarded = 0;
    const finish = (drained: boolean) => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('close', onEnd);
      request.off('error', onEnd);
      resolve(drained);
    };
    const onData = (chunk: Buffer | string) => {
      discarded += chunk.length;
      if (discarded > maxBytes) {
        request.pause();
        finish(false);
      }
    };
    const onEnd = () => finish(true);
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('close', onEnd);
    request.on('error', onEnd);
    request.resume();
  });
}

export function registerJsonBody(app: FastifyInstance): void {
  // JSON only (multipart is added by the routes that take files): any other type is a 415.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
    // JSON text is UTF-8 (RFC 8259 §8.1): bytes that are not are refused, never stored as U+FFFD.
    let text: string;
    try {
      text = UTF8.decode(body as Buffer).trim();
    } catch {
      return done(errors.requestBodyInvalid('the body is not valid UTF-8'), undefined);
    }
    if (text === '' || text === 'null') return done(null, undefined);
    if (jsonDepth(text) > MAX_JSON_DEPTH) return done(errors.requestBodyInvalid(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`), undefined);
    let parsed: unknown;
    try {
      parsed = secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
    } catch {
      return done(errors.requestBodyInvalid(), undefined);
    }
    if (SURROGATE_ESCAPE.test(text) && hasLoneSurrogate(parsed)) return done(errors.requestBodyInvalid('a string holds an unpaired UTF-16 surrogate escape'), undefined);
    done(null, parsed);
  });

  // A route with a body schema treats "no body" as `{}`, so validation sees an object.
  app.addHook('preValidation', async (request) => {
    if (request.body === undefined && request.routeOptions.schema?.body) request.body = {};
  });

  // An answer sent before the body was read (Fastify refuses one over the limit without
  // reading it, or stops reading at the limit) waits until the rest has arrived.
  app.addHook('onSend', async (request, reply, payload) => {
    if (!(await drainRequestBody(request.raw, DRAIN_MAX_BYTES))) reply.header('connection', 'close');
    return payload;
  });
}
