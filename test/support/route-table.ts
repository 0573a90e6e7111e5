import diagnostics from 'node:diagnostics_channel';
import type { FastifyInstance, FastifySchema, RouteOptions } from 'fastify';
import { startTestServer, type TestServer, type TestServerOptions } from './server.js';

/**
 * Fastify's route table, read from the inside: Fastify publishes every new instance on the
 * `fastify.initialization` diagnostics channel before any plugin runs, so an `onRoute` hook
 * added there sees every route buildApp registers, with its schema. Tests that walk "every
 * route" use this instead of a hand-written list, so a new route is covered the day it lands.
 */

export interface RouteEntry {
  method: string;
  /** As registered, with `:param` placeholders (`/v1/users/:user_id`). */
  url: string;
  schema: FastifySchema | undefined;
}

/** `/v1/users/:user_id/oauth_access_tokens/:provider` → `['user_id', 'provider']`. */
export function pathParams(url: string): string[] {
  return [...url.matchAll(/:([A-Za-z0-9_]+)/g)].map((match) => match[1]!);
}

/** Builds the URL of `route` with each `:param` replaced by the (already encoded) segment `segments(name)` returns. */
export function fillPath(url: string, segment: (name: string) => string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, (_whole, name: string) => segment(name));
}

/** Documented routes that answer without a secret key: images (used in `<img>` tags), health and API docs. */
export function isPublicRoute(url: string): boolean {
  return url.startsWith('/images/') || url === '/healthz' || url === '/_clerkd/openapi.json' || url.startsWith('/_clerkd/docs');
}

export interface ServerWithRoutes {
  server: TestServer;
  routes: RouteEntry[];
}

/** startTestServer, plus every route the app registered (HEAD twins included), in registration order. */
export async function startTestServerWithRoutes(env: Record<string, string> = {}, options: TestServerOptions = {}): Promise<ServerWithRoutes> {
  const routes: RouteEntry[] = [];
  const channel = diagnostics.channel('fastify.initialization');
  const onInit = (message: unknown) => {
    const { fastify } = message as { fastify: FastifyInstance };
    fastify.addHook('onRoute', (route: RouteOptions) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      for (const method of methods) routes.push({ method: String(method), url: route.url, schema: route.schema });
    });
  };
  channel.subscribe(onInit);
  let server: TestServer;
  try {
    server = await startTestServer(env, options);
  } finally {
    channel.unsubscribe(onInit);
  }
  const seen = new Set<string>();
  const unique = routes.filter((route) => {
    const key = `${route.method} ${route.url}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return { server, routes: unique };
}
