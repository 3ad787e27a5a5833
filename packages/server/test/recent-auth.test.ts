// Recent authentication (RFC 9470 max_age) at the server's own API: the password change and every
// admin change want a sign-in of the last mfa.recentAuthMaxAge seconds — and a second factor when
// the admin's role requires one — while reads go on with any live card.
import { readFileSync } from 'node:fs';
import { ACR, parseStepUpChallenge } from '@keycard/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserRecord } from '../src/index.js';
import { stepUpNeed } from '../src/mfa/index.js';
import { addUser, type Running, startServer, testClock } from './helpers.js';
import { call, cardOf, login, PASSWORD, refreshed } from './support/mfa-account.js';

describe('stepUpNeed', () => {
  const now = Date.UTC(2030, 0, 1);
  const s = now / 1000;
  const rule = { now, maxAgeSeconds: 600, leewaySeconds: 5 };

  it('passes a recent card, asks max_age of an old, missing or far-future auth_time', () => {
    expect(stepUpNeed({ auth_time: s - 600 }, rule)).toBeUndefined();
    expect(stepUpNeed({ auth_time: s + 5 }, rule)).toBeUndefined();
    for (const auth_time of [s - 601, s + 6, undefined, 'x', 1.5, Number.MAX_VALUE]) {
      expect(stepUpNeed({ auth_time }, rule)).toEqual({ maxAge: 600 });
    }
  });

  it('asks acr_values of a card below the acr, and both when it is old too', () => {
    const mfa = { ...rule, acr: ACR.mfa };
    expect(stepUpNeed({ auth_time: s, acr: ACR.mfa }, mfa)).toBeUndefined();
    expect(stepUpNeed({ auth_time: s, acr: ACR.phishingResistant }, mfa)).toBeUndefined();
    expect(stepUpNeed({ auth_time: s, acr: ACR.password }, mfa)).toEqual({ acrValues: [ACR.mfa] });
    expect(stepUpNeed({ auth_time: s }, mfa)).toEqual({ acrValues: [ACR.mfa] });
    expect(stepUpNeed({ auth_time: s - 601, acr: ACR.password }, mfa)).toEqual({
      acrValues: [ACR.mfa],
      maxAge: 600,
    });
  });
});

/** Every change the admin API takes, with a body that would be accepted. */
function adminChanges(ids: { user: string; client: string; kid: string; session: string }) {
  return [
    ['POST', '/api/admin/users', { username: 'newcomer', password: PASSWORD }],
    ['PATCH', `/api/admin/users/${ids.user}`, { disabled: true }],
    ['DELETE', `/api/admin/users/${ids.user}/mfa`, undefined],
    ['DELETE', `/api/admin/users/${ids.user}`, undefined],
    ['POST', '/api/admin/clients', { id: 'svc', type: 'confidential', grants: ['client_credentials'] }],
    ['PATCH', `/api/admin/clients/${ids.client}`, { name: 'Renamed' }],
    ['DELETE', `/api/admin/clients/${ids.client}`, undefined],
    ['POST', '/api/admin/audiences', { id: 'spa-door', scopes: ['spa:enter'] }],
    ['DELETE', '/api/admin/audiences/rooms', undefined],
    ['POST', '/api/admin/roles', { name: 'cleaner', scopes: [] }],
    ['DELETE', '/api/admin/roles/guest', undefined],
    ['POST', '/api/admin/keys/rotate', undefined],
    ['POST', `/api/admin/keys/${ids.kid}/revoke`, undefined],
    ['DELETE', `/api/admin/sessions/${ids.session}`, undefined],
  ] as const;
}

describe('recent authentication at /api/password and every admin change', () => {
  const clock = testClock();
  let r: Running;
  let boss: UserRecord;
  let guest: UserRecord;

  beforeAll(async () => {
    r = await startServer({}, { clock });
    await r.server.services.storage.audiences.upsert({
      id: 'rooms',
      name: 'Rooms',
      scopes: ['rooms:open'],
      uri: null,
      createdAt: 0,
    });
    await r.server.services.storage.roles.upsert({ name: 'guest', scopes: ['rooms:open'], createdAt: 0 });
    boss = await addUser(r, 'boss', PASSWORD, ['manager']);
    guest = await addUser(r, 'guest', PASSWORD, ['guest']);
  });
  afterAll(() => r.close());

  it('the list covers every changing route of the admin API', () => {
    const routes = new Set<string>();
    for (const file of ['admin-users.ts', 'admin-directory.ts', 'admin-system.ts']) {
      const source = readFileSync(new URL(`../src/http/routes/${file}`, import.meta.url), 'utf8');
      for (const m of source.matchAll(/app\.(post|put|patch|delete)\('([^']+)'/g)) {
        routes.add(`${m[1]!.toUpperCase()} ${m[2]!.replace(/:[a-z]+/g, ':')}`);
      }
    }
    const listed = adminChanges({ user: ':', client: ':', kid: ':', session: ':' }).map(
      ([method, path]) => `${method} ${path.replace(/\/(rooms|guest)$/, '/:')}`,
    );
    expect(new Set(listed)).toEqual(routes);
  });

  it('an old sign-in is refused every admin change with max_age, before anything changes; reads go on', async () => {
    const admin = await login(r, 'boss');
    const client = (
      await call(r, 'POST', '/api/admin/clients', {
        card: admin.card,
        json: { id: 'billing', type: 'confidential', grants: ['client_credentials'] },
      })
    ).body.id as string;
    const victim = await login(r, 'guest');
    const [key] = await r.server.services.keys.list();
    clock.advance(601_000);
    const { card } = await refreshed(r, admin.refresh);
    for (const [method, path, json] of adminChanges({
      user: guest.id,
      client,
      kid: key!.kid,
      session: victim.sessionId,
    })) {
      const res = await call(r, method, path, { card, ...(json === undefined ? {} : { json }) });
      expect([method, path, res.status, res.body.error.code]).toEqual([
        method,
        path,
        401,
        'ERR_STEP_UP_REQUIRED',
      ]);
      expect(parseStepUpChallenge(res.headers.get('www-authenticate'))).toEqual({
        acrValues: [],
        maxAge: 600,
      });
    }
    expect(await r.server.services.storage.users.getById(guest.id)).toMatchObject({ disabled: false });
    expect(await r.server.services.storage.clients.get('billing')).toBeDefined();
    expect((await r.server.services.storage.sessions.get(victim.sessionId))?.revokedAt).toBeNull();
    for (const path of ['/api/admin/users', '/api/admin/roles', '/api/admin/keys', '/api/admin/audit']) {
      expect((await call(r, 'GET', path, { card })).status).toBe(200);
    }
    expect((await call(r, 'GET', `/api/admin/users/${guest.id}/mfa`, { card })).status).toBe(200);
    // Ending someone else's session through /api/sessions/:id is an admin change too.
    const other = await call(r, 'DELETE', `/api/sessions/${victim.sessionId}`, { card });
    expect(other.body.error.code).toBe('ERR_STEP_UP_REQUIRED');

    // A new sign-in and the same change goes through.
    const fresh = await login(r, 'boss');
    const changed = await call(r, 'PATCH', `/api/admin/users/${guest.id}`, {
      card: fresh.card,
      json: { claims: { room: 7 } },
    });
    expect(changed.status).toBe(200);
    // Signing out one's own session never needs a new sign-in.
    expect((await call(r, 'DELETE', `/api/sessions/${admin.sessionId}`, { card })).status).toBe(204);
  });

  it('a password change with an old sign-in is refused; a recent one goes through', async () => {
    const g = await login(r, 'guest');
    clock.advance(601_000);
    const { card } = await refreshed(r, g.refresh);
    const body = { currentPassword: PASSWORD, newPassword: 'another long password' };
    const refused = await call(r, 'POST', '/api/password', { card, json: body });
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('ERR_STEP_UP_REQUIRED');
    expect(refused.headers.get('www-authenticate')).toMatch(/max_age="600"$/);
    const fresh = await login(r, 'guest');
    expect((await call(r, 'POST', '/api/password', { card: fresh.card, json: body })).status).toBe(204);
    // Put it back for the other tests.
    await call(r, 'POST', '/api/password', {
      card: (await login(r, 'guest', { password: 'another long password' })).card,
      json: { currentPassword: 'another long password', newPassword: PASSWORD },
    });
  });

  it('an admin whose role requires a second factor changes things only with a card of such a sign-in', async () => {
    // Signed in before the role requires a factor (then the sign-in itself would want one).
    const admin = await login(r, 'boss');
    await r.server.services.storage.roles.upsert({
      name: 'manager',
      scopes: ['admin'],
      requireMfa: true,
      createdAt: 0,
    });
    r.server.services.directory.invalidate();
    try {
      const refused = await call(r, 'POST', '/api/admin/roles', {
        card: admin.card,
        json: { name: 'porter' },
      });
      expect(refused.status).toBe(401);
      expect(refused.body.error.code).toBe('ERR_STEP_UP_REQUIRED');
      expect(parseStepUpChallenge(refused.headers.get('www-authenticate'))).toEqual({
        acrValues: [ACR.mfa],
        maxAge: undefined,
      });
      expect((await call(r, 'GET', '/api/admin/roles', { card: admin.card })).status).toBe(200);

      const strong = await cardOf(
        r,
        boss,
        admin.sessionId,
        { amr: ['pwd', 'otp', 'mfa'], authTime: clock() },
        ['admin'],
      );
      expect(
        (await call(r, 'POST', '/api/admin/roles', { card: strong, json: { name: 'porter' } })).status,
      ).toBe(201);
      const passkey = await cardOf(r, boss, admin.sessionId, { amr: ['hwk', 'mfa'], authTime: clock() }, [
        'admin',
      ]);
      expect(
        (await call(r, 'POST', '/api/admin/roles', { card: passkey, json: { name: 'porter' } })).status,
      ).toBe(201);

      const oldStrong = await cardOf(
        r,
        boss,
        admin.sessionId,
        { amr: ['pwd', 'otp', 'mfa'], authTime: clock() - 601_000 },
        ['admin'],
      );
      const stale = await call(r, 'POST', '/api/admin/roles', { card: oldStrong, json: { name: 'porter' } });
      expect(parseStepUpChallenge(stale.headers.get('www-authenticate'))).toEqual({
        acrValues: [],
        maxAge: 600,
      });
      const oldWeak = await cardOf(r, boss, admin.sessionId, { amr: ['pwd'], authTime: clock() - 601_000 }, [
        'admin',
      ]);
      const both = await call(r, 'POST', '/api/admin/roles', { card: oldWeak, json: { name: 'porter' } });
      expect(both.headers.get('www-authenticate')).toMatch(
        /^Bearer error="insufficient_user_authentication", error_description="[^"]+", acr_values="urn:keycard:acr:mfa", max_age="600"$/,
      );
    } finally {
      await r.server.services.storage.roles.upsert({ name: 'manager', scopes: ['admin'], createdAt: 0 });
      r.server.services.directory.invalidate();
    }
  });
});
