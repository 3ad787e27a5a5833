/**
 * The amenities door (Fastify). Every guest's card opens the pool and the garage; what a card may
 * do is its `scope`, granted by the guest's role at the front desk.
 *
 *   GET /pool/open     scope `pool`
 *   GET /garage/open   scope `garage`
 *   GET /healthz       public
 *
 * Template for a real service:
 *   KEYCARD_ISSUER=http://localhost:4000 KEYCARD_AUDIENCE=amenities PORT=4002 node demo/dist/doors/amenities.js
 */
import { type AuthContext, createGuard, requireScopes } from '@keycard/guard';
import { authorize, keycard } from '@keycard/guard/fastify';
import Fastify from 'fastify';
import { corsHeaders } from './cors.js';
import { readDoorEnv } from './env.js';
import { announce, failStart, onShutdown } from './lifecycle.js';

const env = readDoorEnv({ audience: 'amenities', port: 4002 });
const guard = createGuard({ issuer: env.issuer, audience: env.audience });
const app = Fastify();

// CORS before the guard's hook, so that refusals (401/403) also reach the browser page.
app.addHook('onRequest', async (request, reply) => {
  reply.headers(corsHeaders(request.headers.origin, env.corsOrigins));
  if (request.method === 'OPTIONS') return reply.code(204).send();
});

// Authenticates every route (sets request.auth); `config: { auth: false }` makes a route public.
await app.register(keycard, { guard });

app.get('/healthz', { config: { auth: false } }, async () => ({
  ok: true,
  door: 'amenities',
  feedConnected: guard.metrics().feedConnected,
}));

const opened = (door: string, auth: AuthContext) => ({
  opened: true,
  door,
  by: auth.claims.username ?? auth.sub,
});
app.get('/pool/open', { preHandler: authorize(requireScopes('pool')) }, async (req) =>
  opened('pool', req.auth!),
);
app.get('/garage/open', { preHandler: authorize(requireScopes('garage')) }, async (req) =>
  opened('garage', req.auth!),
);

try {
  await guard
    .ready()
    .catch((error: Error) => console.error(`amenities door: issuer not ready yet (${error.message})`));
  await app.listen({ port: env.port, host: env.host });
  const { port } = app.server.address() as { port: number };
  announce('amenities', `http://${env.host}:${port}`, port);
  onShutdown(async () => {
    await app.close();
    await guard.close();
  });
} catch (error) {
  failStart('amenities', error);
}
