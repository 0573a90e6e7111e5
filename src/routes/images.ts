import type { FastifyPluginAsync } from 'fastify';
import { errors } from '../errors.js';
import { isImageKey } from '../images/store.js';
import type { RoutePluginOptions } from './deps.js';

/**
 * Public image URLs (no auth: they are used in `<img>` tags): the default avatar every user
 * without a profile image points at, and uploaded profile images at `/images/<key>`.
 */
const DEFAULT_AVATAR_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128" viewBox="0 0 128 128"><rect width="128" height="128" fill="#6c47ff"/><circle cx="64" cy="50" r="22" fill="#ffffff"/><path d="M24 112c4-22 20-34 40-34s36 12 40 34z" fill="#ffffff"/></svg>`;

/** A key names one upload forever (a new upload gets a new key), so caches may keep it for good. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/** RFC 9110 §13.1.2: `*` or a list of entity tags, compared weakly. */
function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((candidate) => {
    const tag = candidate.trim();
    return tag === '*' || tag.replace(/^W\//, '') === etag;
  });
}

export const imageRoutes: FastifyPluginAsync<RoutePluginOptions> = async (app, { deps }) => {
  const store = deps.profileImages.store;

  app.get('/images/default-avatar.svg', async (_request, reply) =>
    reply.type('image/svg+xml').header('cache-control', 'public, max-age=86400').send(DEFAULT_AVATAR_SVG),
  );

  app.get<{ Params: { key: string } }>('/images/:key', async (request, reply) => {
    const { key } = request.params;
    // Checked before the store builds any path: `..`, `%2F` and friends never reach the disk.
    if (!isImageKey(key)) throw errors.resourceNotFound();
    const etag = `"${key}"`;
    const cacheHeaders = { etag, 'cache-control': IMMUTABLE, 'x-content-type-options': 'nosniff' };

    if (matchesIfNoneMatch(request.headers['if-none-match'], etag)) {
      if ((await store.stat(key)) === null) throw errors.resourceNotFound();
      return reply.code(304).headers(cacheHeaders).send();
    }
    const image = await store.open(key);
    if (image === null) throw errors.resourceNotFound();
    return reply
      .headers(cacheHeaders)
      .header('content-type', image.format.contentType)
      .header('content-length', image.size)
      .send(image.stream);
  });
};
