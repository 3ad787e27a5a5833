/**
 * The manager's office (Hono). Only staff with the `manager` role get in: a rule on who the card
 * holder is (`roles`), not on what the card may do; and only with a card from a sign-in with two
 * factors (`acr` at least `urn:keycard:acr:mfa`, RFC 9470): a password alone gets a step-up
 * challenge (401 `insufficient_user_authentication`, `acr_values`), which the front desk page
 * answers by asking for the second factor and trying the door again.
 *
 *   GET /office/open   role `manager`, acr mfa (a TOTP code or a passkey on top of the password, or a passkey alone)
 *   GET /healthz       public
 *
 * Template for a real service:
 *   KEYCARD_ISSUER=http://localhost:4000 KEYCARD_AUDIENCE=office PORT=4003 node demo/dist/doors/office.js
 */
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { ACR, createGuard, requireAuthStrength, requireRoles } from '@keycard/guard';
import { authenticate, authorize, type KeycardEnv } from '@keycard/guard/hono';
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { readDoorEnv } from './env.js';
import { announce, failStart, onShutdown } from './lifecycle.js';

const env = readDoorEnv({ audience: 'office', port: 4003 });
const guard = createGuard({ issuer: env.issuer, audience: env.audience });
const app = new Hono<KeycardEnv>();

// CORS first, so that refusals (401/403) also reach the browser page with their reason.
app.use(
  '*',
  cors({
    origin: env.corsOrigins,
    allowMethods: ['GET', 'OPTIONS'],
    allowHeaders: ['Authorization', 'DPoP'],
    exposeHeaders: ['WWW-Authenticate', 'DPoP-Nonce'],
    maxAge: 600,
  }),
);

app.get('/healthz', (c) =>
  c.json({ ok: true, door: 'office', feedConnected: guard.metrics().feedConnected }),
);

app.use('/office/*', authenticate(guard)); // sets c.get('auth') or answers 401
// The role first: a guest is refused outright (403), not invited to sign in more strongly.
app.get('/office/open', authorize(requireRoles('manager'), requireAuthStrength(ACR.mfa)), (c) => {
  const auth = c.get('auth');
  return c.json({ opened: true, door: 'office', by: auth.claims.username ?? auth.sub });
});

try {
  await guard
    .ready()
    .catch((error: Error) => console.error(`office door: issuer not ready yet (${error.message})`));
  const server = await new Promise<Server>((resolve, reject) => {
    // serve() gives a node:http server unless told to use HTTP/2.
    const s = serve({ fetch: app.fetch, port: env.port, hostname: env.host }, () => resolve(s as Server));
    s.once('error', reject);
  });
  const { port } = server.address() as { port: number };
  announce('office', `http://${env.host}:${port}`, port);
  onShutdown(async () => {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections(); // browsers keep idle connections open
    });
    await guard.close();
  });
} catch (error) {
  failStart('office', error);
}
