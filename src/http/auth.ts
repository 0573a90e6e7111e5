import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { errors } from '../errors.js';

/**
 * `Authorization: Bearer <secret key>`. Keys are compared as SHA-256 digests with
 * timingSafeEqual, against every configured key without stopping early, so neither a
 * key's length nor which key matched shows in the timing.
 */
function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

export function secretKeyChecker(keys: string[]): (presented: string) => boolean {
  const digests = keys.map(digest);
  return (presented) => {
    const candidate = digest(presented);
    let matched = false;
    for (const known of digests) matched = timingSafeEqual(candidate, known) || matched;
    return matched;
  };
}

/** Adds the check to every route of the plugin scope it is called in. */
export function requireSecretKey(app: FastifyInstance, keys: string[]): void {
  const isKnownKey = secretKeyChecker(keys);
  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization;
    if (header === undefined || header.trim() === '') throw errors.authenticationInvalid();
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
    if (!match) throw errors.authorizationHeaderFormatInvalid();
    if (!isKnownKey(match[1]!)) throw errors.secretKeyInvalid();
  });
}
