/**
 * The billing desk (plain `node:http`). It takes charges only from a service acting on a guest's
 * behalf: the card must carry `billing:charge` and an `act` claim naming the rooms service (RFC 8693
 * token exchange), so the bill says who asked (the guest, `sub`) and who did it (`act`).
 *
 *   POST /billing/charges   scope `billing:charge`, delegated by `rooms-service`
 *   GET  /billing/bill      scope `billing:charge`, the guest's own card (no delegation)
 *   GET  /healthz           public
 *
 * Template for a real service:
 *   KEYCARD_ISSUER=http://localhost:4000 KEYCARD_AUDIENCE=billing PORT=4004 node demo/dist/doors/billing.js
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import {
  type AuthContext,
  createGuard,
  refuseDelegation,
  requireDelegation,
  requireScopes,
  requireUser,
} from '@keycard/guard';
import { authenticate, authorize } from '@keycard/guard/node';
import { corsHeaders } from './cors.js';
import { readDoorEnv } from './env.js';
import { announce, failStart, onShutdown } from './lifecycle.js';

const env = readDoorEnv({ audience: 'billing', port: 4004 });
/** The client allowed to charge on a guest's behalf (its exchange rule is registered at the desk). */
const ROOMS_SERVICE = process.env.BILLING_ACTOR || 'rooms-service';
const guard = createGuard({ issuer: env.issuer, audience: env.audience });

const verify = authenticate(guard);
// A charge: a guest's card (sub = the guest) on which the rooms service acts (act), 403 otherwise.
const mayCharge = authorize(requireScopes('billing:charge'), requireUser(), requireDelegation(ROOMS_SERVICE));
// The bill: the guest's own card, nobody acting for them.
const mayReadBill = authorize(requireScopes('billing:charge'), requireUser(), refuseDelegation());

/** The bills, in memory: guest (sub) → charges. */
const bills = new Map<string, { item: string; amount: number; by: string[] }[]>();

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readItem(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) {
    text += String(chunk);
    if (text.length > 1024) break;
  }
  try {
    const item = (JSON.parse(text) as { item?: unknown }).item;
    return typeof item === 'string' && /^[\w -]{1,40}$/.test(item) ? item : 'minibar';
  } catch {
    return 'minibar';
  }
}

function guestOf(auth: AuthContext): string {
  return typeof auth.claims.username === 'string' ? auth.claims.username : auth.sub;
}

const server = createServer(async (req, res) => {
  res.setHeader('x-content-type-options', 'nosniff');
  for (const [k, v] of Object.entries(corsHeaders(req.headers.origin, env.corsOrigins))) res.setHeader(k, v);
  const path = new URL(req.url ?? '/', 'http://billing').pathname;
  if (req.method === 'OPTIONS') {
    res.writeHead(204);
    return res.end();
  }
  if (req.method === 'GET' && path === '/healthz') {
    return send(res, 200, { ok: true, door: 'billing', feedConnected: guard.metrics().feedConnected });
  }
  if (req.method === 'POST' && path === '/billing/charges') {
    const auth = await verify(req, res);
    if (auth === null || !(await mayCharge(req, res, auth))) return;
    const item = await readItem(req);
    // Earliest actor first: the order the call went through the services.
    const by = [...(auth.actor?.chain ?? [])].reverse();
    const entry = { item, amount: 8, by };
    bills.set(auth.sub, [...(bills.get(auth.sub) ?? []), entry]);
    // `act` is echoed so the front desk can draw the chain guest → rooms → billing.
    return send(res, 201, {
      charged: true,
      ...entry,
      guest: guestOf(auth),
      sub: auth.sub,
      act: auth.claims.act,
      aud: env.audience,
      // DPoP: the exchanged card is bound to the rooms service's key too.
      presented: auth.tokenType,
    });
  }
  if (req.method === 'GET' && path === '/billing/bill') {
    const auth = await verify(req, res);
    if (auth === null || !(await mayReadBill(req, res, auth))) return;
    const charges = bills.get(auth.sub) ?? [];
    return send(res, 200, {
      guest: guestOf(auth),
      charges,
      total: charges.reduce((sum, c) => sum + c.amount, 0),
    });
  }
  send(res, 404, { error: { code: 'ERR_NOT_FOUND', message: 'No such route' } });
});

try {
  await guard
    .ready()
    .catch((error: Error) => console.error(`billing door: issuer not ready yet (${error.message})`));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(env.port, env.host, () => resolve());
  });
  const { port } = server.address() as { port: number };
  announce('billing', `http://${env.host}:${port}`, port);
  onShutdown(async () => {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    await guard.close();
  });
} catch (error) {
  failStart('billing', error);
}
