// Deleting a role or taking a scope from it publishes ONE `role` event, however many users hold
// it: the server (Bearer calls, introspection, inspect) refuses the cards that carry the role and
// predate the event; cards of other users and cards minted after the event (the next refresh) pass.
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { createStorage, deleteRole, type Storage, saveRole } from '../src/index.js';
import {
  addUser,
  type Body,
  createDeskClient,
  getJson,
  postForm,
  postJson,
  type Running,
  startServer,
  testClock,
} from './helpers.js';
import { dropSchemas, freshSchema, PG_URL, probePostgres } from './storage/postgres-helper.js';

const PASSWORD = 'correct horse battery';
const admin = { actor: 'test', request: { ip: null, userAgent: null } };
const pgSkip = await probePostgres();
if (pgSkip) console.log(`role revocation on PostgreSQL skipped: ${pgSkip}`);
const schemas: string[] = [];
afterAll(() => dropSchemas(schemas));

type Backend = 'sqlite' | 'memory' | 'postgres';
const backends: Backend[] = ['sqlite', 'memory', 'postgres'];

describe.each(backends)('role revocation on %s', (backend) => {
  const skip = backend === 'postgres' && pgSkip !== undefined;
  let r: Running | undefined;
  let storage: Storage | undefined;
  afterEach(async () => {
    await r?.close();
    await storage?.close();
    r = undefined;
    storage = undefined;
  });

  /** A server on `backend` with a frozen clock, a manager, and `ann` (housekeeping) and `bob` (guest). */
  async function hotel() {
    const clock = testClock(Date.UTC(2030, 0, 1, 0, 0, 0, 250));
    if (backend === 'postgres') {
      const schema = freshSchema();
      schemas.push(schema);
      storage = await createStorage({ driver: 'postgres', url: PG_URL, schema });
    }
    r = await startServer(backend === 'memory' ? { databaseUrl: 'memory' } : {}, {
      clock,
      ...(storage !== undefined ? { storage } : {}),
    });
    const ctx = r.server.services;
    // `revocations:read` is a scope the `keycard` audience understands, so it shows on the card.
    await saveRole(ctx, { name: 'housekeeping', scopes: ['revocations:read', 'rooms:open'] }, admin);
    const basic = await createDeskClient(ctx);
    await addUser(r, 'boss', PASSWORD, ['manager']);
    await addUser(r, 'ann', PASSWORD, ['guest', 'housekeeping']);
    await addUser(r, 'bob', PASSWORD, ['guest']);
    const url = r.url;
    const boss = await postJson(`${url}/api/login`, { username: 'boss', password: PASSWORD });
    const managed = { authorization: `Bearer ${boss.body.access_token}` };
    const signIn = async (username: string) => {
      const res = await postForm(
        `${url}/oauth/token`,
        { grant_type: 'password', username, password: PASSWORD },
        basic,
      );
      expect(res.status).toBe(200);
      return res.body as Body;
    };
    const refresh = (token: string) =>
      postForm(`${url}/oauth/token`, { grant_type: 'refresh_token', refresh_token: token }, basic);
    const me = async (card: string) =>
      (await getJson(`${url}/api/me`, { authorization: `Bearer ${card}` })).status;
    const introspect = async (card: string) =>
      (await postForm(`${url}/oauth/introspect`, { token: card }, basic)).body.active as boolean;
    const inspectRevoked = async (card: string) => {
      const res = await postJson(`${url}/api/inspect`, { token: card });
      return res.body.checks.find((c: { name: string }) => c.name === 'revoked') as {
        ok: boolean;
        detail?: string;
      };
    };
    const events = async () => (await getJson(`${url}/revocations`)).body.events as Body[];
    return { clock, managed, signIn, refresh, me, introspect, inspectRevoked, events, url };
  }

  async function expectRevokedByRole(
    h: Awaited<ReturnType<typeof hotel>>,
    ann: Body,
    bob: Body,
    before: number,
  ) {
    const added = (await h.events()).slice(before);
    expect(added).toHaveLength(1);
    const at = Math.floor(h.clock() / 1000);
    expect(added[0]).toEqual({
      cursor: expect.any(Number),
      type: 'role',
      role: 'housekeeping',
      notBefore: at + 1,
      at,
      expiresAt: expect.any(Number),
    });
    expect(await h.me(ann.access_token)).toBe(401);
    expect(await h.introspect(ann.access_token)).toBe(false);
    expect((await h.inspectRevoked(ann.access_token)).ok).toBe(false);
    expect(await h.me(bob.access_token)).toBe(200);
    expect(await h.introspect(bob.access_token)).toBe(true);
    expect((await h.inspectRevoked(bob.access_token)).ok).toBe(true);
  }

  it.skipIf(skip)(
    'deleting the role: one role event; holders refused, others and later cards pass',
    async () => {
      const h = await hotel();
      const ann = await h.signIn('ann');
      const bob = await h.signIn('bob');
      expect(await h.me(ann.access_token)).toBe(200);
      const before = (await h.events()).length;

      h.clock.advance(2_000);
      const del = await fetch(`${h.url}/api/admin/roles/housekeeping`, {
        method: 'DELETE',
        headers: h.managed,
      });
      expect(del.status).toBe(204);
      await expectRevokedByRole(h, ann, bob, before);

      // The next refresh (a later second) mints a card that still names the role, and it passes.
      h.clock.advance(1_000);
      const next = await h.refresh(ann.refresh_token);
      expect(next.status).toBe(200);
      expect(
        JSON.parse(Buffer.from(next.body.access_token.split('.')[1], 'base64url').toString()).roles,
      ).toContain('housekeeping');
      expect(await h.me(next.body.access_token)).toBe(200);
      expect(await h.introspect(next.body.access_token)).toBe(true);
    },
  );

  it.skipIf(skip)('removing a scope: one role event; adding one publishes nothing', async () => {
    const h = await hotel();
    const ann = await h.signIn('ann');
    const bob = await h.signIn('bob');
    expect(ann.scope).toBe('revocations:read');
    expect(bob.scope).toBe('');
    const save = (scopes: string[]) =>
      postJson(`${h.url}/api/admin/roles`, { name: 'housekeeping', scopes }, h.managed);

    const before = (await h.events()).length;
    expect((await save(['revocations:read', 'rooms:open', 'rooms:clean'])).status).toBeLessThan(300);
    expect(await h.events()).toHaveLength(before);
    expect(await h.me(ann.access_token)).toBe(200);

    h.clock.advance(2_000);
    expect((await save(['rooms:open'])).status).toBeLessThan(300);
    await expectRevokedByRole(h, ann, bob, before);

    h.clock.advance(1_000);
    const next = await h.refresh(ann.refresh_token);
    expect(next.status).toBe(200);
    expect(next.body.scope ?? '').toBe('');
    expect(await h.me(next.body.access_token)).toBe(200);
  });
});

describe('a card minted right after a role revocation', () => {
  let r: Running | undefined;
  afterEach(() => r?.close());

  it('is not born revoked: the refresh in the same second waits for the next one', async () => {
    // A moving clock that starts just after a whole second, so the refresh lands in the event's second.
    const start = Date.UTC(2030, 0, 1, 0, 0, 0, 100);
    const origin = performance.now();
    const clock = () => start + Math.floor(performance.now() - origin);
    r = await startServer({ databaseUrl: 'memory' }, { clock });
    const ctx = r.server.services;
    await saveRole(ctx, { name: 'housekeeping', scopes: ['rooms:open'] }, admin);
    await addUser(r, 'ann', PASSWORD, ['housekeeping']);
    const login = await postJson(`${r.url}/api/login`, { username: 'ann', password: PASSWORD });
    const me = async (card: string) =>
      (await getJson(`${r!.url}/api/me`, { authorization: `Bearer ${card}` })).status;
    await deleteRole(ctx, 'housekeeping', admin);
    expect(await me(login.body.access_token)).toBe(401);
    const [event] = await ctx.storage.revocations.listAfter(0, 10);
    expect(event?.type).toBe('role');
    const refreshed = await postJson(`${r.url}/api/refresh`, { refresh_token: login.body.refresh_token });
    expect(refreshed.status).toBe(200);
    const iat = JSON.parse(
      Buffer.from(refreshed.body.access_token.split('.')[1], 'base64url').toString(),
    ).iat;
    expect(iat * 1000).toBeGreaterThan(event!.type === 'role' ? event!.notBefore : Number.NaN);
    expect(await me(refreshed.body.access_token)).toBe(200);
  });
});

describe('a role held by many users', () => {
  let r: Running | undefined;
  afterEach(() => r?.close());

  it('deleting a role held by 2,000 users appends exactly one event and lists no user', async () => {
    r = await startServer();
    const ctx = r.server.services;
    await saveRole(ctx, { name: 'housekeeping', scopes: ['rooms:open'] }, admin);
    const now = ctx.clock();
    for (let i = 0; i < 2_000; i++) {
      await ctx.storage.users.create({
        id: `u${i}`,
        username: `maid${i}`,
        usernameKey: `maid${i}`,
        passwordHash: '$argon2id$unused',
        roles: ['housekeeping'],
        disabled: false,
        claims: {},
        email: null,
        emailKey: null,
        emailVerifiedAt: null,
        createdAt: now,
        updatedAt: now,
      });
    }
    await addUser(r, 'boss', PASSWORD, ['manager']);
    const login = await postJson(`${r.url}/api/login`, { username: 'boss', password: PASSWORD });
    const managerCard = login.body.access_token as string;
    const before = await ctx.storage.revocations.latestCursor();
    const listed = vi.spyOn(ctx.storage.users, 'list');
    const del = await fetch(`${r.url}/api/admin/roles/housekeeping`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${managerCard}` },
    });
    expect(del.status).toBe(204);
    const added = await ctx.storage.revocations.listAfter(before, 10_000);
    expect(added.map((e) => e.type)).toEqual(['role']);
    expect(listed).not.toHaveBeenCalled();
  });
});
