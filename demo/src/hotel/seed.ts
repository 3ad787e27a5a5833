import {
  API_AUDIENCE,
  createClient,
  createUser,
  type KeycardServer,
  SCRIPT_CLIENT_ID,
  TOKEN_EXCHANGE_GRANT,
  type UserRecord,
  updateClient,
  WEB_CLIENT_GRANTS,
  WEB_CLIENT_ID,
  webAppRedirectUri,
} from '@keycard/server';

/** A demo account. The passwords are public (README, first-run banner): demo only. */
export interface DemoGuest {
  username: string;
  password: string;
  roles: string[];
  room?: string;
  /** A demo address at the hotel's own domain: its mail lands in the demo's mailbox, nowhere else. */
  email: string;
}

/** The hotel's people: two guests and the manager. */
export const DEMO_GUESTS: readonly DemoGuest[] = [
  {
    username: 'alice',
    password: 'alice-room-101',
    roles: ['guest'],
    room: '101',
    email: 'alice@hotel.example',
  },
  { username: 'bob', password: 'bob-room-102', roles: ['guest'], room: '102', email: 'bob@hotel.example' },
  { username: 'carol', password: 'carol-manager', roles: ['manager'], email: 'carol@hotel.example' },
];

/**
 * The door services as audiences, each with the scopes a card may carry there. A rooms card may
 * carry `billing:charge`: the guest lets the rooms service charge the minibar to their bill.
 */
const AUDIENCES = [
  { id: 'rooms', name: 'Rooms (Express)', scopes: ['rooms', 'billing:charge'] },
  { id: 'amenities', name: 'Pool and garage (Fastify)', scopes: ['pool', 'garage'] },
  { id: 'office', name: "Manager's office (Hono)", scopes: ['office'] },
  { id: 'billing', name: 'Billing (node:http)', scopes: ['billing:charge'] },
];

/** Roles grant scopes: guests open rooms, pool and garage and pay; the manager gets the console and the office. */
const ROLES = [
  { name: 'guest', scopes: ['rooms', 'pool', 'garage', 'billing:charge'] },
  { name: 'manager', scopes: ['admin', 'office'] },
];

/** The rooms door's confidential client: it exchanges a guest's rooms card for a billing card. */
export const ROOMS_SERVICE_ID = 'rooms-service';

/**
 * Seeds an empty hotel (first run): audiences, roles, the web app's client with the door audiences,
 * and the demo guests. Returns false (and changes nothing) when users already exist.
 *
 * @example
 * ```ts
 * if (await seedHotel(server)) console.log('first run');
 * ```
 */
export async function seedHotel(server: KeycardServer): Promise<boolean> {
  const ctx = server.services;
  const { storage } = ctx;
  if ((await storage.users.list({ limit: 1 })).length > 0) return false;
  const now = ctx.clock();
  for (const a of AUDIENCES) await storage.audiences.upsert({ ...a, uri: null, createdAt: now });
  for (const r of ROLES) await storage.roles.upsert({ ...r, createdAt: now });
  // The built-in first-party client only knows the account API; its sessions must also be granted
  // the doors. Each card still names one audience (the API or one door), and every card is bound to
  // the browser's DPoP key (requireDpop). It signs in through the front desk's pages (code flow,
  // back to the issuer's root); the password grant stays for `/api/login`. Re-created rather than
  // patched, to state it in one place.
  await storage.clients.delete(WEB_CLIENT_ID);
  await createClient(ctx, {
    id: WEB_CLIENT_ID,
    name: 'keycard web app (the front desk)',
    type: 'public',
    firstParty: true,
    grants: [...WEB_CLIENT_GRANTS],
    redirectUris: [webAppRedirectUri(ctx.issuer)],
    audiences: [API_AUDIENCE, ...AUDIENCES.map((a) => a.id)],
    scopes: [...new Set([...ROLES.flatMap((r) => r.scopes)])],
    requireDpop: true,
  });
  // Scripts and curl (Bearer, no DPoP) may ask for door cards too, one door per card.
  await updateClient(ctx, SCRIPT_CLIENT_ID, {
    audiences: [API_AUDIENCE, ...AUDIENCES.map((a) => a.id)],
    scopes: [...new Set([...ROLES.flatMap((r) => r.scopes)])],
  });
  // The records above were written to storage directly: make sure no cached copy outlives them.
  ctx.directory.invalidate();
  for (const g of DEMO_GUESTS) {
    await createUser(ctx, {
      username: g.username,
      password: g.password,
      roles: g.roles,
      claims: g.room === undefined ? {} : { room: g.room },
      // Verified: "Forgot password?" then mails the reset link to the demo's mailbox.
      email: g.email,
      emailVerified: true,
    });
  }
  return true;
}

/**
 * (Re-)registers the rooms door's confidential client with a fresh secret and returns the secret, to
 * be handed to the door process in its environment (never printed). Run at every start: only the
 * secret's hash is stored, so a restart needs a new one.
 *
 * @example
 * ```ts
 * const secret = await registerRoomsService(server);
 * ```
 */
export async function registerRoomsService(server: KeycardServer): Promise<string> {
  const ctx = server.services;
  // A data dir seeded by an older demo lacks the billing door: add missing audiences, keep the rest.
  for (const a of AUDIENCES) {
    if ((await ctx.storage.audiences.get(a.id)) === undefined) {
      await ctx.storage.audiences.upsert({ ...a, uri: null, createdAt: ctx.clock() });
    }
  }
  await ctx.storage.clients.delete(ROOMS_SERVICE_ID);
  const { secret } = await createClient(ctx, {
    id: ROOMS_SERVICE_ID,
    name: 'Rooms service (charges the minibar on the guest’s behalf)',
    type: 'confidential',
    grants: [TOKEN_EXCHANGE_GRANT],
    audiences: ['billing'],
    scopes: ['billing:charge'],
    tokenExchange: [{ from: 'rooms', to: 'billing', scopes: ['billing:charge'] }],
  });
  ctx.directory.invalidate();
  if (secret === null) throw new Error('the rooms service client got no secret');
  return secret;
}

/**
 * The rooms door's booking register (room → guest user id), built from the guests' `room` claims,
 * so a guest added in the admin console with a room claim gets a room at the next start.
 */
export async function roomRegister(server: KeycardServer): Promise<Record<string, string>> {
  const register: Record<string, string> = {};
  const users: UserRecord[] = await server.services.storage.users.list({ limit: 1000 });
  for (const user of users) {
    const room = user.claims.room;
    if (typeof room === 'string' && !user.disabled) register[room] = user.id;
  }
  return register;
}
