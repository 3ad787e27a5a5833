import { afterEach, describe, expect, it } from 'vitest';
import {
  createClient,
  deleteClient,
  deleteRole,
  saveRole,
  updateUser,
  verifyAccessToken,
} from '../src/index.js';
import { addUser, getJson, postForm, postJson, type Running, startServer, testClock } from './helpers.js';

const PASSWORD = 'correct horse battery';
const admin = { actor: 'test', request: { ip: null, userAgent: null } };

/** Changes to who a subject is must reach tokens already issued, not only the next refresh. */
describe('role, claim and client changes revoke live tokens', () => {
  let r: Running;
  afterEach(() => r.close());

  const feedSubjects = async () => {
    const feed = await getJson(`${r.url}/revocations`);
    return feed.body.events
      .filter((e: { type: string }) => e.type === 'subject')
      .map((e: { sub: string }) => e.sub);
  };

  it('a demoted manager loses /api/admin/* at once; the session survives and refreshes down-scoped', async () => {
    const clock = testClock(Date.UTC(2030, 0, 1, 0, 0, 0, 250));
    r = await startServer({}, { clock });
    const boss = await addUser(r, 'boss', PASSWORD, ['manager']);
    const login = await postJson(`${r.url}/api/login`, { username: 'boss', password: PASSWORD });
    const bearer = { authorization: `Bearer ${login.body.access_token}` };
    expect((await getJson(`${r.url}/api/admin/users`, bearer)).status).toBe(200);

    clock.advance(2000);
    await updateUser(r.server.services, boss.id, { roles: ['guest'] }, admin);
    const denied = await getJson(`${r.url}/api/admin/users`, bearer);
    expect(denied.status).toBe(401);
    expect(denied.body.error.code).toBe('ERR_INVALID_TOKEN');
    expect(await feedSubjects()).toEqual([boss.id]);

    clock.advance(1000);
    const refreshed = await postJson(`${r.url}/api/refresh`, { refresh_token: login.body.refresh_token });
    expect(refreshed.status).toBe(200);
    const fresh = { authorization: `Bearer ${refreshed.body.access_token}` };
    expect((await getJson(`${r.url}/api/me`, fresh)).status).toBe(200);
    expect((await getJson(`${r.url}/api/admin/users`, fresh)).body.error.code).toBe('ERR_INSUFFICIENT_SCOPE');
  });

  it('changed claims revoke too; an update that changes nothing publishes nothing', async () => {
    r = await startServer({ databaseUrl: 'memory' });
    const guest = await addUser(r, 'guest', PASSWORD, ['guest']);
    await updateUser(r.server.services, guest.id, { roles: ['guest'] }, admin);
    expect(await feedSubjects()).toEqual([]);
    await updateUser(r.server.services, guest.id, { claims: { room: '102' } }, admin);
    expect(await feedSubjects()).toEqual([guest.id]);
  });

  it('shrinking or deleting a role revokes its cards with one role event each; growing it does not', async () => {
    r = await startServer({ databaseUrl: 'memory' });
    const ctx = r.server.services;
    await saveRole(ctx, { name: 'housekeeping', scopes: ['rooms:open', 'rooms:clean'] }, admin);
    await addUser(r, 'ann', PASSWORD, ['housekeeping']);
    await addUser(r, 'bob', PASSWORD, ['guest']);
    const feedRoles = async () =>
      (await getJson(`${r.url}/revocations`)).body.events.map((e: { type: string; role?: string }) => [
        e.type,
        e.role,
      ]);
    await saveRole(ctx, { name: 'housekeeping', scopes: ['rooms:open', 'rooms:clean', 'x'] }, admin);
    expect(await feedRoles()).toEqual([]);
    await saveRole(ctx, { name: 'housekeeping', scopes: ['rooms:open'] }, admin);
    expect(await feedRoles()).toEqual([['role', 'housekeeping']]);
    await deleteRole(ctx, 'housekeeping', admin);
    expect(await feedRoles()).toEqual([
      ['role', 'housekeeping'],
      ['role', 'housekeeping'],
    ]);
    expect(await feedSubjects()).toEqual([]);
  });

  it('deleting a client revokes its client_credentials tokens and its sessions', async () => {
    r = await startServer({ databaseUrl: 'memory' });
    const ctx = r.server.services;
    const billing = await createClient(ctx, {
      id: 'billing',
      type: 'confidential',
      grants: ['client_credentials'],
      audiences: ['keycard'],
    });
    const cc = await postForm(`${r.url}/oauth/token`, {
      grant_type: 'client_credentials',
      client_id: 'billing',
      client_secret: billing.secret ?? '',
    });
    expect(cc.status).toBe(200);
    await verifyAccessToken(ctx, cc.body.access_token);
    await addUser(r, 'alice', PASSWORD);
    const login = await postJson(`${r.url}/api/login`, { username: 'alice', password: PASSWORD });
    const webSession = login.body.session_id;

    await deleteClient(ctx, 'billing', admin);
    await expect(verifyAccessToken(ctx, cc.body.access_token)).rejects.toMatchObject({
      code: 'ERR_INVALID_TOKEN',
    });
    expect(await feedSubjects()).toEqual(['billing']);
    // Another client's sessions are untouched.
    expect((await ctx.storage.sessions.get(webSession))?.revokedAt ?? null).toBeNull();
  });

  it("deleting a client revokes its users' sessions and their access tokens", async () => {
    r = await startServer({ databaseUrl: 'memory' });
    const ctx = r.server.services;
    await addUser(r, 'alice', PASSWORD);
    const login = await postJson(`${r.url}/api/login`, { username: 'alice', password: PASSWORD });
    await deleteClient(ctx, 'keycard-web', admin);
    await expect(verifyAccessToken(ctx, login.body.access_token)).rejects.toMatchObject({
      code: 'ERR_INVALID_TOKEN',
    });
    expect((await ctx.storage.sessions.get(login.body.session_id))?.revokedAt).toEqual(expect.any(Number));
    const feed = await getJson(`${r.url}/revocations`);
    expect(feed.body.events).toContainEqual(
      expect.objectContaining({ type: 'session', sid: login.body.session_id }),
    );
  });
});
