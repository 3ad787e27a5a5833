// An outside attacker holding a person's live session (a refresh token lifted from a device) but
// not their factors, over real HTTP on a frozen clock: every sensitive action with a card whose
// sign-in is old is refused 401 ERR_STEP_UP_REQUIRED with the RFC 9470 challenge, before anything
// changes; refreshing never makes a card recent; only a new sign-in does.
import { parseStepUpChallenge } from '@keycard/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, type UserRecord } from '../src/index.js';
import { addUser, postJson, type Running, testClock } from './helpers.js';
import { startMailServer } from './support/email-flow.js';
import { type Answer, call, login, PASSWORD, refreshed } from './support/mfa-account.js';
import {
  authenticatorFor,
  enrolPasskey,
  enrolTotp,
  giveRecoveryCodes,
  payloadOf,
  totpCode,
} from './support/mfa-fixtures.js';

const clock = testClock(Date.UTC(2030, 0, 1, 12));
const CHALLENGE =
  /^Bearer error="insufficient_user_authentication", error_description="[^"]+", max_age="600"$/;
let r: Running;
let ruth: UserRecord;
let victim: UserRecord;
let secret: string;
let passkeyId: string;

beforeAll(async () => {
  ({ r } = await startMailServer({}, { clock }));
  const ctx = r.server.services;
  await ctx.storage.roles.upsert({ name: 'guest', scopes: [], createdAt: 0 });
  ruth = await createUser(ctx, {
    username: 'ruth',
    password: PASSWORD,
    roles: ['manager'],
    email: 'ruth@hotel.example',
    emailVerified: true,
  });
  secret = await enrolTotp(r, ruth.id);
  passkeyId = (await enrolPasskey(r, ruth, authenticatorFor(r))).id;
  await giveRecoveryCodes(r, ruth.id);
  victim = await addUser(r, 'victor', PASSWORD, ['guest']);
});
afterAll(async () => {
  await r?.close();
});

/** Ruth's sign-in with TOTP at `now`; the card, refresh token and session. */
async function signIn() {
  clock.advance(31_000);
  return login(r, 'ruth', { totp: totpCode(secret, clock()) });
}

function expectStepUp(res: Answer, what: string) {
  expect(res.status, what).toBe(401);
  expect(res.body.error.code, what).toBe('ERR_STEP_UP_REQUIRED');
  expect(res.headers.get('www-authenticate'), what).toMatch(CHALLENGE);
  expect(parseStepUpChallenge(res.headers.get('www-authenticate'))).toEqual({ acrValues: [], maxAge: 600 });
}

/** Everything a lifted session must not do, with bodies that would be accepted by a recent card. */
function sensitive(victimSession: string) {
  return [
    ['POST', '/api/password', { currentPassword: PASSWORD, newPassword: 'a thief’s new password' }],
    ['DELETE', `/api/account/passkeys/${passkeyId}`, undefined],
    ['DELETE', '/api/account/mfa/totp', undefined],
    ['POST', '/api/account/mfa/recovery-codes', {}],
    ['PUT', '/api/account/email', { email: 'thief@evil.example' }],
    ['POST', '/api/mfa/totp/start', {}],
    ['POST', '/api/mfa/passkeys/options', {}],
    ['PATCH', `/api/admin/users/${victim.id}`, { roles: ['manager'] }],
    ['DELETE', `/api/admin/users/${victim.id}/mfa`, undefined],
    ['POST', '/api/admin/users', { username: 'sleeper', password: 'a long enough password' }],
    ['DELETE', `/api/sessions/${victimSession}`, undefined],
  ] as const;
}

describe('a lifted session with an old sign-in', () => {
  it('a refreshed card keeps the sign-in’s auth_time, and every sensitive action refuses it; nothing changes', async () => {
    const victimSession = (await login(r, 'victor')).sessionId;
    const first = await signIn();
    const signedInAt = payloadOf(first.card).auth_time as number;
    let refresh = first.refresh;
    let card = first.card;
    // The thief keeps the session alive for an hour, refreshing every few minutes.
    for (let i = 0; i < 12; i++) {
      clock.advance(300_000);
      ({ card, refresh } = await refreshed(r, refresh));
      expect(payloadOf(card).auth_time).toBe(signedInAt);
    }
    const before = {
      user: await r.server.services.storage.users.getById(ruth.id),
      totp: await r.server.services.storage.totp.get(ruth.id),
      passkeys: await r.server.services.storage.passkeys.listByUser(ruth.id),
      codes: await r.server.services.storage.recoveryCodes.countUnused(ruth.id),
      victim: await r.server.services.storage.users.getById(victim.id),
    };
    for (const [method, path, json] of sensitive(victimSession)) {
      const res = await call(r, method, path, { card, ...(json === undefined ? {} : { json }) });
      expectStepUp(res, `${method} ${path}`);
    }
    expect(await r.server.services.storage.users.getById(ruth.id)).toEqual(before.user);
    expect(await r.server.services.storage.totp.get(ruth.id)).toEqual(before.totp);
    expect(await r.server.services.storage.passkeys.listByUser(ruth.id)).toEqual(before.passkeys);
    expect(await r.server.services.storage.recoveryCodes.countUnused(ruth.id)).toBe(before.codes);
    expect(await r.server.services.storage.users.getById(victim.id)).toEqual(before.victim);
    expect(await r.server.services.storage.users.getByUsername('sleeper')).toBeUndefined();
    expect((await r.server.services.storage.sessions.get(victimSession))?.revokedAt).toBeNull();
    // The old password still signs in (with the factor): it was never changed.
    clock.advance(31_000);
    const still = await postJson(`${r.url}/api/login`, {
      username: 'ruth',
      password: PASSWORD,
      totp: totpCode(secret, clock()),
    });
    expect(still.status).toBe(200);
    // Reads go on with the old card.
    expect((await call(r, 'GET', '/api/account/mfa', { card })).status).toBe(200);
  });

  it('at exactly mfa.recentAuthMaxAge the card still counts as recent; one second later it does not', async () => {
    const first = await signIn();
    clock.advance(600_000);
    const { card } = await refreshed(r, first.refresh);
    const ok = await call(r, 'POST', '/api/mfa/passkeys/options', { card, json: {} });
    expect(ok.status).toBe(200);
    clock.advance(1000);
    expectStepUp(await call(r, 'POST', '/api/mfa/passkeys/options', { card, json: {} }), 'one second late');
  });

  it('a new sign-in with the factor makes a recent card: then the same action goes through', async () => {
    const fresh = await signIn();
    const res = await call(r, 'POST', '/api/account/mfa/recovery-codes', { card: fresh.card, json: {} });
    expect(res.status).toBe(200);
    expect(res.body.recovery_codes).toHaveLength(10);
  });
});
