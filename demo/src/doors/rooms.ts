/**
 * The rooms door (Express). A guest's card opens their own room and no other.
 *
 *   GET  /rooms/:room/open      scope `rooms`, and the token's `sub` must be the room's guest
 *   POST /rooms/:room/minibar   the same, then charges the guest's bill at billing on the guest's
 *                               behalf: the guest's card is exchanged (RFC 8693) for a billing card
 *                               whose `act` names this service
 *   GET  /healthz               public
 *
 * Ownership is decided by this service, not by the card: the door keeps its own register of which
 * guest (user id = `sub`) stays in which room, and the guard's `requireOwner` policy compares that
 * owner with the token's `sub`. The card's `room` claim is only what the front desk printed on it.
 *
 * Template for a real service: replace ROOM_GUESTS with your database lookup.
 *   KEYCARD_ISSUER=http://localhost:4000 KEYCARD_AUDIENCE=rooms PORT=4001 node demo/dist/doors/rooms.js
 */
import type { Server } from 'node:http';
import { createGuard, requireOwner, requireScopes } from '@keycard/guard';
import { authenticate, authorize } from '@keycard/guard/express';
import express, { type Request } from 'express';
import { corsHeaders } from './cors.js';
import { readDoorEnv } from './env.js';
import { roomsServiceClient } from './exchange.js';
import { announce, failStart, onShutdown } from './lifecycle.js';

const env = readDoorEnv({ audience: 'rooms', port: 4001 });

// The booking register: room number → the guest's user id. The demo passes it as JSON in ROOM_GUESTS.
const guests = new Map<string, string>(Object.entries(JSON.parse(process.env.ROOM_GUESTS || '{}')));

// The minibar: this service's client at the front desk (exchange rule rooms → billing) and billing's URL.
const roomsService = roomsServiceClient(env.issuer);
const billingUrl = process.env.BILLING_URL;

// One guard per service: it fetches the issuer's keys once and follows its revocation feed.
const guard = createGuard({ issuer: env.issuer, audience: env.audience });

const app = express();
app.disable('x-powered-by');

// CORS first, so that refusals (401/403) also reach the browser page with their reason.
app.use((req, res, next) => {
  res.set(corsHeaders(req.headers.origin, env.corsOrigins));
  if (req.method === 'OPTIONS') res.status(204).end();
  else next();
});

app.get('/healthz', (_req, res) => {
  res.json({ ok: true, door: 'rooms', feedConnected: guard.metrics().feedConnected });
});

const guestOfRoom = [
  authenticate(guard), // 401 without a valid, unrevoked card for audience `rooms` (and its DPoP proof)
  authorize(
    requireScopes('rooms'), // 403 insufficient_scope
    requireOwner((req: Request) => guests.get(String(req.params.room))), // 403 ERR_GUARD_NOT_OWNER
  ),
];

app.get('/rooms/:room/open', ...guestOfRoom, (req, res) => {
  const auth = req.auth!;
  res.json({ opened: true, door: `room ${req.params.room}`, by: auth.claims.username ?? auth.sub });
});

app.post('/rooms/:room/minibar', ...guestOfRoom, async (req, res) => {
  const auth = req.auth!;
  if (roomsService === undefined || billingUrl === undefined) {
    res.status(503).json({ error: { code: 'ERR_MINIBAR_CLOSED', message: 'Billing is not configured.' } });
    return;
  }
  try {
    // The guest's card is for this door only: billing would refuse it. Exchange it for a billing card
    // that says who the guest is (sub) and who acts for them (act: this service).
    const card = await roomsService.exchange(auth.token, { audience: 'billing', scope: 'billing:charge' });
    // The exchanged card is bound to this service's key: its fetch adds `Authorization: DPoP` and a proof.
    const answer = await card.fetch(`${billingUrl}/billing/charges`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ item: 'minibar' }),
      signal: AbortSignal.timeout(5000),
    });
    const billing: unknown = await answer.json().catch(() => undefined);
    res
      .status(answer.ok ? 200 : 502)
      .json({ opened: answer.ok, door: `room ${req.params.room} minibar`, billing });
  } catch (error) {
    console.error(`minibar: ${error instanceof Error ? error.message : 'charge failed'}`);
    res
      .status(502)
      .json({ error: { code: 'ERR_MINIBAR_CHARGE_FAILED', message: 'Billing did not take the charge.' } });
  }
});

try {
  // Keys loaded and the revocation feed in sync before the first request; if the issuer is not up
  // yet the guard keeps retrying in the background and answers 503 until it has keys.
  await guard
    .ready()
    .catch((error: Error) => console.error(`rooms door: issuer not ready yet (${error.message})`));
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(env.port, env.host, (error?: Error) => (error ? reject(error) : resolve(s)));
  });
  const { port } = server.address() as { port: number };
  announce('rooms', `http://${env.host}:${port}`, port);
  onShutdown(async () => {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections(); // browsers keep idle connections open
    });
    await guard.close();
  });
} catch (error) {
  failStart('rooms', error);
}
