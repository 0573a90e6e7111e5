import type { FastifyInstance } from 'fastify';

/**
 * @clerk/backend parses a body only when Content-Type is exactly `application/json`;
 * Fastify's default `application/json; charset=utf-8` makes it return raw strings.
 * The Go SDK reads the trace id from the `Clerk-Trace-Id` header.
 */
export function registerWireFormat(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('clerk-trace-id', request.id);
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && type.startsWith('application/json')) reply.header('content-type', 'application/json');
    return payload;
  });
}
