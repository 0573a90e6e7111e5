import type { FastifyPluginAsync } from 'fastify';

/**
 * Public image URLs (no auth: they are used in `<img>` tags). For now the default avatar
 * every user without a profile image points at.
 */
const DEFAULT_AVATAR_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128" viewBox="0 0 128 128"><rect width="128" height="128" fill="#6c47ff"/><circle cx="64" cy="50" r="22" fill="#ffffff"/><path d="M24 112c4-22 20-34 40-34s36 12 40 34z" fill="#ffffff"/></svg>`;

export const imageRoutes: FastifyPluginAsync = async (app) => {
  app.get('/images/default-avatar.svg', async (_request, reply) =>
    reply.type('image/svg+xml').header('cache-control', 'public, max-age=86400').send(DEFAULT_AVATAR_SVG),
  );
};
