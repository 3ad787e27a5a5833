// A seeded server for tests of the authorization_code grant: clients registered for the code flow,
// a signed-in browser session, and codes stored straight through storage (as /oauth/authorize
// stores them) so the token endpoint is tested on its own.
import { randomBytes } from 'node:crypto';
import { s256Challenge } from '../../src/authorize/pkce.js';
import { sha256Hex } from '../../src/crypto/index.js';
import {
  type ClientRecord,
  createStorage,
  createUser,
  type NewAuthorizationCode,
  type Storage,
} from '../../src/index.js';
import {
  addAudience,
  type Body,
  getJson,
  postForm,
  type Running,
  startServer,
  testClock,
} from '../helpers.js';
import { dropSchemas, freshSchema, PG_URL } from '../storage/postgres-helper.js';

export type Backend = 'memory' | 'sqlite' | 'postgres';

export const PASSWORD = 'correct horse battery';
export const SPA_REDIRECT = 'https://spa.example/cb';
export const LOOPBACK_REDIRECT = 'http://127.0.0.1:51004/cb';
export const WEB_REDIRECT = 'https://app.example/callback';

/** The public SPA client, the confidential web app, and clients each lacking one thing. */
function client(id: string, fields: Partial<ClientRecord>): ClientRecord {
  return {
    id,
    name: id,
    type: 'public',
    secretHash: null,
    firstParty: false,
    grants: ['authorization_code', 'refresh_token'],
    audiences: ['keycard', 'rooms'],
    scopes: ['openid', 'profile', 'email', 'offline_access', 'rooms:read'],
    multiAudience: false,
    requireDpop: false,
    tokenExchange: [],
    redirectUris: [SPA_REDIRECT, 'http://127.0.0.1/cb'],
    postLogoutRedirectUris: [],
    backchannelLogoutUri: null,
    createdAt: 0,
    ...fields,
  };
}

export interface CodeFlowHotel {
  r: Running;
  clock: ReturnType<typeof testClock>;
  /** Alice's user id and her live browser session (signed in 30 s before the clock's start). */
  aliceId: string;
  browserSessionId: string;
  authTime: number;
  webSecret: string;
  /** Another user with a live browser session of their own. */
  signedInUser(username: string): Promise<{ userId: string; browserSessionId: string }>;
  /** Stores a code for `spa` (override anything); returns the code and its PKCE verifier. */
  issueCode(fields?: Partial<NewAuthorizationCode>): Promise<{ code: string; verifier: string }>;
  /** POSTs `grant_type=authorization_code` plus `form` to /oauth/token. */
  exchange(form: Record<string, string>, headers?: Record<string, string>): ReturnType<typeof postForm>;
  /** The form of a correct exchange of `issued` by `spa`. */
  spaForm(issued: { code: string; verifier: string }): Record<string, string>;
  basic(id: string, secret: string): Record<string, string>;
  /** Whether the revocation feed carries a `session` event for `sid`. */
  feedRevokes(sid: string): Promise<boolean>;
  close(): Promise<void>;
}

/** Starts a server on `backend` with a frozen clock and seeds the code flow's clients and users. */
export async function codeFlowHotel(backend: Backend): Promise<CodeFlowHotel> {
  const clock = testClock();
  let storage: Storage | undefined;
  let schema: string | undefined;
  if (backend === 'postgres') {
    schema = freshSchema();
    storage = await createStorage({ driver: 'postgres', url: PG_URL, schema });
  }
  const r = await startServer(backend === 'memory' ? { databaseUrl: 'memory' } : {}, {
    clock,
    ...(storage !== undefined ? { storage } : {}),
  });
  const ctx = r.server.services;
  const now = clock();
  await addAudience(r, 'rooms', ['rooms:read'], 'Rooms');
  await addAudience(r, 'hall', ['hall:enter'], 'Hall');
  await ctx.storage.roles.upsert({ name: 'guest', scopes: ['rooms:read'], createdAt: now });
  const webSecret = randomBytes(32).toString('base64url');
  for (const record of [
    client('spa', { audiences: ['keycard', 'rooms', 'hall'] }),
    client('webapp', {
      type: 'confidential',
      secretHash: sha256Hex(webSecret),
      redirectUris: [WEB_REDIRECT],
    }),
    client('no-code', { grants: ['password', 'refresh_token'], firstParty: true }),
    client('no-refresh', { grants: ['authorization_code'] }),
    client('strict', { requireDpop: true }),
    client('no-offline', { scopes: ['openid', 'rooms:read'] }),
  ])
    await ctx.storage.clients.create(record);
  ctx.directory.invalidate();
  const alice = await createUser(ctx, {
    username: 'alice',
    password: PASSWORD,
    roles: ['guest'],
    claims: { email: 'alice@hotel.test' },
  });
  const authTime = now - 30_000;
  const signedIn = async (userId: string) => {
    const id = `bs-${randomBytes(8).toString('hex')}`;
    await ctx.storage.browserSessions.create({
      id,
      userId,
      authTime,
      amr: ['pwd'],
      createdAt: authTime,
      lastSeenAt: authTime,
      expiresAt: now + 86_400_000,
      endedAt: null,
      endedReason: null,
    });
    return id;
  };
  const browserSessionId = await signedIn(alice.id);

  const hotel: CodeFlowHotel = {
    r,
    clock,
    aliceId: alice.id,
    browserSessionId,
    authTime,
    webSecret,
    async signedInUser(username) {
      const user = await createUser(ctx, { username, password: PASSWORD, roles: ['guest'] });
      return { userId: user.id, browserSessionId: await signedIn(user.id) };
    },
    async issueCode(fields = {}) {
      const code = randomBytes(32).toString('base64url');
      const verifier = randomBytes(48).toString('base64url');
      const at = clock();
      const record = {
        codeHash: sha256Hex(code),
        clientId: 'spa',
        redirectUri: SPA_REDIRECT,
        codeChallenge: s256Challenge(verifier),
        userId: alice.id,
        sid: browserSessionId,
        scopes: ['openid', 'profile', 'rooms:read'],
        audiences: ['keycard', 'rooms'],
        nonce: 'n-0S6_WzA2Mj',
        authTime,
        amr: ['pwd'],
        dpopJkt: null,
        createdAt: at,
        expiresAt: at + 60_000,
        ...fields,
      };
      await ctx.storage.authorizationCodes.create(record);
      // As /oauth/authorize leaves it: the user allowed the (third-party) client what the code grants.
      await ctx.storage.consents.put(
        {
          userId: record.userId,
          clientId: record.clientId,
          scopes: record.scopes,
          audiences: record.audiences,
          createdAt: at,
          updatedAt: at,
        },
        { mode: 'merge' },
      );
      return { code, verifier };
    },
    exchange: (form, headers = {}) =>
      postForm(`${r.url}/oauth/token`, { grant_type: 'authorization_code', ...form }, headers),
    spaForm: ({ code, verifier }) => ({
      client_id: 'spa',
      code,
      redirect_uri: SPA_REDIRECT,
      code_verifier: verifier,
    }),
    basic: (id, secret) => ({
      authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
    }),
    async feedRevokes(sid) {
      const feed = await getJson(`${r.url}/revocations`);
      return (feed.body.events as Body[]).some((e) => e.type === 'session' && e.sid === sid);
    },
    async close() {
      await r.close();
      await storage?.close();
      if (schema !== undefined) await dropSchemas([schema]);
    },
  };
  return hotel;
}

/** The payload of a JWT, unverified (the tests verify signatures where it matters). */
export const claimsOf = (token: string): Body =>
  JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString());
