// A subject revocation made on an exact second boundary, checked at the real auth server and at a
// real guard that follows its feed: the card issued in that second (at the very millisecond of the
// revocation) is refused by both; the card of the next second is accepted by both. Both sides call
// the one rule in @keycard/protocol. The clocks of server and guard are injected and agree.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGuard, type Guard } from '@keycard/guard';
import type { ApiTokenSet, RevocationPage } from '@keycard/protocol';
import {
  createServer,
  createUser,
  type KeycardServer,
  updateClient,
  updateUser,
  WEB_CLIENT_ID,
} from '@keycard/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PASSWORD = 'correct horse battery staple';
const admin = { actor: 'test', request: { ip: null, userAgent: null } };
// A whole second a little in the past, so real-time machinery (timers, cookies) never sees the future.
const SECOND = Math.floor(Date.now() / 1000) - 30;
let now = SECOND * 1000 - 2000;
const clock = () => now;

let dir: string;
let server: KeycardServer;
let issuer: string;
let guard: Guard;

async function post<T>(path: string, body: unknown): Promise<T> {
  const res = await fetch(`${issuer}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = (await res.json()) as T;
  expect(res.status, JSON.stringify(answer)).toBe(200);
  return answer;
}

/** What the server says of a card at `/api/me`: 200 or the refusal's code. */
async function serverVerdict(token: string): Promise<string> {
  const res = await fetch(`${issuer}/api/me`, { headers: { authorization: `Bearer ${token}` } });
  if (res.status === 200) return 'accepted';
  return ((await res.json()) as { error: { code: string } }).error.code;
}

async function guardVerdict(token: string): Promise<string> {
  const result = await guard.verifyToken(token);
  return result.ok ? 'accepted' : result.error.code;
}

function iatOf(token: string): number {
  const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as {
    iat: number;
  };
  return payload.iat;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keycard-exact-second-'));
  server = await createServer(
    { logLevel: 'silent', dataDir: dir, databaseUrl: 'memory', port: 0, revocations: { pingInterval: 1 } },
    { unsafeFastPasswordHashingForTests: true, jobs: false, clock },
  );
  issuer = await server.listen();
  // Cards from the web client need a DPoP proof; this test sends plain Bearer cards.
  await updateClient(server.services, WEB_CLIENT_ID, { requireDpop: false });
  await createUser(server.services, { username: 'ann', password: PASSWORD, roles: [] });
  guard = createGuard({
    issuer,
    audience: 'keycard',
    clock,
    revocation: { minReconnectDelayMs: 20, maxReconnectDelayMs: 200 },
  });
  await guard.ready();
});

afterAll(async () => {
  await guard?.close();
  await server?.close().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
});

describe('a subject revocation on an exact second', () => {
  it('server and guard both refuse the card of that second and accept the card of the next', async () => {
    now = SECOND * 1000; // exactly on the boundary
    const first = await post<ApiTokenSet>('/api/login', { username: 'ann', password: PASSWORD });
    expect(iatOf(first.access_token)).toBe(SECOND);
    expect(await serverVerdict(first.access_token)).toBe('accepted');
    expect(await guardVerdict(first.access_token)).toBe('accepted'); // cached by the guard now

    // Same millisecond: a change to what ann's cards say revokes every card she holds.
    const user = (await server.services.storage.users.getByUsername('ann'))!;
    await updateUser(server.services, user.id, { claims: { room: '101' } }, admin);
    const feed = (await (await fetch(`${issuer}/revocations`)).json()) as RevocationPage;
    const event = feed.events.find((e) => e.type === 'subject');
    expect(event).toMatchObject({ type: 'subject', sub: user.id, at: SECOND, notBefore: SECOND + 1 });

    // The guard hears the feed; wait on that, not on time.
    const deadline = Date.now() + 15_000;
    while ((await guardVerdict(first.access_token)) === 'accepted') {
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await guardVerdict(first.access_token)).toBe('ERR_GUARD_TOKEN_REVOKED');
    expect(await serverVerdict(first.access_token)).toBe('ERR_INVALID_TOKEN');

    now = (SECOND + 1) * 1000; // the next second
    const second = await post<ApiTokenSet>('/api/login', { username: 'ann', password: PASSWORD });
    expect(iatOf(second.access_token)).toBe(SECOND + 1);
    expect(await serverVerdict(second.access_token)).toBe('accepted');
    expect(await guardVerdict(second.access_token)).toBe('accepted');
    expect(await serverVerdict(first.access_token)).toBe('ERR_INVALID_TOKEN');
    expect(await guardVerdict(first.access_token)).toBe('ERR_GUARD_TOKEN_REVOKED');
  });
});
