// The admin's side of second factors: a user's factors, the reset for a person who lost theirs,
// and roles that require a second factor (`require_mfa`).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserRecord } from '../src/index.js';
import { addUser, type Running, startServer, testClock } from './helpers.js';
import { auditOf, call, login, PASSWORD, stepOf, totpAt } from './support/mfa-account.js';
import { SoftwareAuthenticator } from './support/webauthn-authenticator.js';

describe('admin: a user’s factors and roles that require one', () => {
  const clock = testClock();
  let r: Running;
  let boss: UserRecord;
  let ada: UserRecord;
  let admin: string;

  beforeAll(async () => {
    r = await startServer({}, { clock });
    boss = await addUser(r, 'boss', PASSWORD, ['manager']);
    ada = await addUser(r, 'ada', PASSWORD);
    admin = (await login(r, 'boss')).card;
  });
  afterAll(() => r.close());

  it('shows a user’s factors (the account shape), resets them (audited mfa.reset), leaves sessions alone', async () => {
    const own = await login(r, 'ada');
    const { secret } = (await call(r, 'POST', '/api/mfa/totp/start', { card: own.card, json: {} })).body;
    await call(r, 'POST', '/api/mfa/totp/confirm', {
      card: own.card,
      json: { code: totpAt(secret, stepOf(clock())) },
    });
    const opts = (await call(r, 'POST', '/api/mfa/passkeys/options', { card: own.card, json: {} })).body;
    const response = new SoftwareAuthenticator({ origin: new URL(r.url).origin }).create(opts.options);
    const passkey = (
      await call(r, 'POST', '/api/mfa/passkeys', {
        card: own.card,
        json: { challenge: opts.challenge, response },
      })
    ).body.passkey;

    const shown = await call(r, 'GET', `/api/admin/users/${ada.id}/mfa`, { card: admin });
    expect(shown.status).toBe(200);
    expect(shown.headers.get('cache-control')).toBe('no-store');
    const mine = await call(r, 'GET', '/api/account/mfa', { card: own.card });
    expect(shown.body).toEqual(mine.body);
    expect(shown.body).toMatchObject({
      totp: { enabled: true },
      passkeys: [passkey],
      recovery_codes: { remaining: 10 },
    });
    // The user list says who enrolled what.
    const listed = async () =>
      (
        (await call(r, 'GET', '/api/admin/users', { card: admin })).body.users as {
          id: string;
          mfa: unknown;
        }[]
      )
        .filter((u) => u.id === ada.id || u.id === boss.id)
        .map((u) => [u.id, u.mfa]);
    expect(await listed()).toEqual(
      expect.arrayContaining([
        [ada.id, { totp: true, passkeys: 1 }],
        [boss.id, { totp: false, passkeys: 0 }],
      ]),
    );

    const guestCard = own.card;
    expect(
      (await call(r, 'GET', `/api/admin/users/${ada.id}/mfa`, { card: guestCard })).body.error.code,
    ).toBe('ERR_INSUFFICIENT_SCOPE');
    expect((await call(r, 'DELETE', `/api/admin/users/${ada.id}/mfa`, { card: guestCard })).status).toBe(403);

    const reset = await call(r, 'DELETE', `/api/admin/users/${ada.id}/mfa`, { card: admin });
    expect(reset.status).toBe(204);
    const after = await call(r, 'GET', `/api/admin/users/${ada.id}/mfa`, { card: admin });
    expect(after.body).toEqual({
      totp: { enabled: false, confirmed_at: null },
      passkeys: [],
      recovery_codes: { remaining: 0 },
      required: false,
    });
    expect(await listed()).toContainEqual([ada.id, { totp: false, passkeys: 0 }]);
    expect(await r.server.services.storage.totp.get(ada.id)).toBeUndefined();
    const audited = await auditOf(r, 'mfa.reset', ada.id);
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({
      actor: boss.id,
      subject: ada.id,
      detail: { totp: true, passkeys: 1, recoveryCodes: 10 },
    });
    expect(JSON.stringify(audited)).not.toContain(secret);
    // Her session lives on: the reset takes factors, not sessions.
    expect((await call(r, 'GET', '/api/me', { card: own.card })).status).toBe(200);
    expect((await r.server.services.storage.sessions.get(own.sessionId))?.revokedAt).toBeNull();

    // A second reset removes nothing and says so.
    expect((await call(r, 'DELETE', `/api/admin/users/${ada.id}/mfa`, { card: admin })).status).toBe(204);
    expect((await auditOf(r, 'mfa.reset', ada.id))[0]?.detail).toEqual({
      totp: false,
      passkeys: 0,
      recoveryCodes: 0,
    });
  });

  it('an unknown user is ERR_USER_NOT_FOUND', async () => {
    for (const method of ['GET', 'DELETE']) {
      const res = await call(r, method, '/api/admin/users/no-such-user/mfa', { card: admin });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('ERR_USER_NOT_FOUND');
    }
  });

  it('roles carry require_mfa: set, kept when left out, turned off, listed, audited', async () => {
    const created = await call(r, 'POST', '/api/admin/roles', {
      card: admin,
      json: { name: 'night-desk', scopes: [], require_mfa: true },
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      name: 'night-desk',
      scopes: [],
      require_mfa: true,
      createdAt: Math.floor(clock() / 1000),
    });
    expect((await r.server.services.storage.roles.get('night-desk'))?.requireMfa).toBe(true);
    const kept = await call(r, 'POST', '/api/admin/roles', {
      card: admin,
      json: { name: 'night-desk', scopes: [] },
    });
    expect(kept.body.require_mfa).toBe(true);
    const list = await call(r, 'GET', '/api/admin/roles', { card: admin });
    const roles = list.body.roles as { name: string; require_mfa: boolean }[];
    expect(roles.find((role) => role.name === 'night-desk')?.require_mfa).toBe(true);
    expect(roles.find((role) => role.name === 'manager')?.require_mfa).toBe(false);
    const off = await call(r, 'POST', '/api/admin/roles', {
      card: admin,
      json: { name: 'night-desk', require_mfa: false },
    });
    expect(off.body.require_mfa).toBe(false);
    const bad = await call(r, 'POST', '/api/admin/roles', {
      card: admin,
      json: { name: 'x', require_mfa: 'yes' },
    });
    expect(bad.body.error.code).toBe('ERR_VALIDATION');
    const audited = await auditOf(r, 'admin.role.save', 'night-desk');
    expect(audited.map((e) => e.detail['requireMfa'])).toEqual([false, true, true]);

    // A holder's account says so at once (signed in before: with it on, her sign-in needs a factor).
    await addUser(r, 'bea', PASSWORD, ['night-desk']);
    const bea = await login(r, 'bea');
    expect((await call(r, 'GET', '/api/account/mfa', { card: bea.card })).body.required).toBe(false);
    await call(r, 'POST', '/api/admin/roles', {
      card: admin,
      json: { name: 'night-desk', require_mfa: true },
    });
    expect((await call(r, 'GET', '/api/account/mfa', { card: bea.card })).body.required).toBe(true);
  });
});
