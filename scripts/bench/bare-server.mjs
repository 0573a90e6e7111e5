// The ceiling: a bare Fastify route, started the same way as clerkd (plain node, one process).
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/bare', async () => ({ object: 'bare', ok: true }));
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
