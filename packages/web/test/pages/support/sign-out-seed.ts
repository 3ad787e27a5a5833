/// <reference types="node" />
// Records the authorization-code flow would leave behind, written straight into a running demo's
// SQLite database (WAL: the demo process keeps serving meanwhile): a third-party app, what alice
// allowed it, an offline-access session of it, and a browser session at the front desk.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { type ClientRecord, createStorage, openDataDir, type Storage } from '@keycard/server';

export interface SignOutSeed {
  aliceId: string;
  /** A live browser session of alice at the front desk. */
  browserSessionId: string;
  offlineSessionId: string;
}

/**
 * The value of the `__Host-keycard_sso` cookie for a browser session, as the server would set it:
 * `{id}.{mac}` under the data dir's master key (the MAC's purpose string is the server's, in
 * packages/server/src/http/browser-session.ts: a change there fails this test's sign-out).
 */
export async function browserSessionCookie(dataDir: string, id: string): Promise<string> {
  const quiet = { info() {}, warn() {}, error() {} };
  const { ctx, close } = await openDataDir({ dataDir, env: {}, logger: quiet });
  try {
    const mac = ctx.sealer.mac(id, 'keycard browser-session cookie v1').subarray(0, 24).toString('base64url');
    return `${id}.${mac}`;
  } finally {
    await close();
  }
}

async function withStorage<T>(dataDir: string, fn: (storage: Storage) => Promise<T>): Promise<T> {
  const storage = await createStorage({ driver: 'sqlite', file: join(dataDir, 'keycard.db') });
  try {
    return await fn(storage);
  } finally {
    await storage.close();
  }
}

/** Registers a public code-flow app `clientId` named `name` that may send the browser back to `postLogoutUri`. */
export function seedApp(
  dataDir: string,
  clientId: string,
  name: string,
  postLogoutUri: string,
): Promise<void> {
  return withStorage(dataDir, async (storage) => {
    const client: ClientRecord = {
      id: clientId,
      name,
      type: 'public',
      secretHash: null,
      firstParty: false,
      grants: ['authorization_code', 'refresh_token'],
      audiences: ['rooms'],
      scopes: ['openid', 'offline_access', 'rooms:read'],
      multiAudience: false,
      requireDpop: false,
      tokenExchange: [],
      redirectUris: [`${postLogoutUri}/cb`],
      postLogoutRedirectUris: [postLogoutUri],
      backchannelLogoutUri: null,
      jwks: null,
      createdAt: Date.now(),
    };
    await storage.clients.create(client);
  });
}

/** What alice allowed `clientId`, an offline-access session of it, and a browser session. */
export function seedAliceUse(dataDir: string, clientId: string): Promise<SignOutSeed> {
  return withStorage(dataDir, async (storage) => {
    const alice = (await storage.users.list({ limit: 100 })).find((u) => u.username === 'alice');
    if (alice === undefined) throw new Error('the demo has no alice');
    const now = Date.now();
    await storage.consents.put({
      userId: alice.id,
      clientId,
      scopes: ['openid', 'offline_access', 'rooms:read'],
      audiences: ['rooms'],
      createdAt: now,
      updatedAt: now,
    });
    const browserSessionId = `bs-${now.toString(36)}`;
    await storage.browserSessions.create({
      id: browserSessionId,
      userId: alice.id,
      authTime: now,
      amr: ['pwd'],
      createdAt: now,
      lastSeenAt: now,
      expiresAt: now + 3_600_000,
      endedAt: null,
      endedReason: null,
    });
    const offlineSessionId = `sid-offline-${now.toString(36)}`;
    await storage.sessions.create({
      id: offlineSessionId,
      userId: alice.id,
      clientId,
      audiences: ['rooms'],
      scopes: ['openid', 'offline_access', 'rooms:read'],
      createdAt: now,
      lastUsedAt: now,
      expiresAt: now + 86_400_000,
      revokedAt: null,
      revokedReason: null,
      ip: '203.0.113.7',
      userAgent: 'TravelDesk/1.0',
      dpopJkt: null,
      browserSessionId,
      authTime: now,
      amr: ['pwd'],
      offline: true,
    });
    return { aliceId: alice.id, browserSessionId, offlineSessionId };
  });
}

/** A live browser session of alice at the front desk (nothing else); returns its id. */
export function seedBrowserSession(dataDir: string): Promise<string> {
  return withStorage(dataDir, async (storage) => {
    const alice = (await storage.users.list({ limit: 100 })).find((u) => u.username === 'alice');
    if (alice === undefined) throw new Error('the demo has no alice');
    const now = Date.now();
    const id = `bs-${randomUUID()}`;
    await storage.browserSessions.create({
      id,
      userId: alice.id,
      authTime: now,
      amr: ['pwd'],
      createdAt: now,
      lastSeenAt: now,
      expiresAt: now + 3_600_000,
      endedAt: null,
      endedReason: null,
    });
    return id;
  });
}

/** The stored state of what the page changed. */
export function readBack(dataDir: string, seed: SignOutSeed, clientId: string) {
  return withStorage(dataDir, async (storage) => ({
    consent: await storage.consents.get(seed.aliceId, clientId),
    offlineSession: await storage.sessions.get(seed.offlineSessionId),
    browserSession: await storage.browserSessions.get(seed.browserSessionId),
  }));
}
