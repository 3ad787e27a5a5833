// An outside attacker who has a person's password (or an old session of theirs) and looks for any
// path to a card without the second factor, over real HTTP: the JSON sign-in and the password
// grant, sessions older than the factor or the role's requirement, and token exchange. (Single
// sign-on and the pages' step-up: attack-mfa-sso.test.ts.)
import { ACR, parseStepUpChallenge } from '@keycard/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../src/index.js';
import { addUser, postForm, postJson, type Running } from './helpers.js';
import { PASSWORD } from './support/authorize-flow.js';
import { call, login, refreshed } from './support/mfa-account.js';
import { authenticatorFor, enrolPasskey, enrolTotp, payloadOf, totpCode } from './support/mfa-fixtures.js';
import { startMfaAuthorizeServer } from './support/mfa-flow.js';

const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';

let r: Running;
let clock: Awaited<ReturnType<typeof startMfaAuthorizeServer>>['clock'];
let serviceSecret: string;

beforeAll(async () => {
  ({ running: r, clock } = await startMfaAuthorizeServer({ mfa: { maxFailures: 50 } }));
  const ctx = r.server.services;
  await ctx.storage.audiences.upsert({
    id: 'bar',
    name: 'Bar',
    scopes: ['rooms:open'],
    uri: null,
    createdAt: 0,
  });
  await ctx.storage.roles.upsert({ name: 'ops', scopes: ['admin'], createdAt: 0 });
  ctx.directory.invalidate();
  await createClient(ctx, {
    id: 'cli',
    type: 'public',
    firstParty: true,
    grants: ['password', 'refresh_token'],
    audiences: ['rooms'],
    scopes: ['rooms:open'],
  });
  const { secret } = await createClient(ctx, {
    id: 'rooms-svc',
    type: 'confidential',
    grants: [EXCHANGE],
    tokenExchange: [{ from: 'rooms', to: 'bar', scopes: ['rooms:open'] }],
  });
  serviceSecret = secret as string;
});
afterAll(async () => {
  await r?.close();
});

/** A new person (and a fresh per-IP sign-in window). */
async function person(name: string, roles = ['guest']) {
  clock.advance(61_000);
  return addUser(r, name, PASSWORD, roles);
}

const passwordGrant = (username: string, extra: Record<string, string> = {}) =>
  postForm(`${r.url}/oauth/token`, {
    grant_type: 'password',
    client_id: 'cli',
    username,
    password: PASSWORD,
    ...extra,
  });

const liveSessions = async (userId: string) =>
  (await r.server.services.storage.sessions.listByUser(userId)).length;

describe('the JSON sign-in and the password grant, without the factor', () => {
  it('refuse a TOTP user, a passkey-only user and a staff member without a factor; nothing is created', async () => {
    const totp = await person('tom');
    const secret = await enrolTotp(r, totp.id);
    const passkey = await person('pia');
    await enrolPasskey(r, passkey, authenticatorFor(r));
    const staff = await person('sam', ['staff']);
    for (const u of [totp, passkey, staff]) {
      const api = await postJson(`${r.url}/api/login`, { username: u.username, password: PASSWORD });
      expect(api.status, u.username).toBe(401);
      expect(api.body.error.code).toBe('ERR_MFA_REQUIRED');
      const grant = await passwordGrant(u.username);
      expect(grant.status, u.username).toBe(400);
      expect(grant.body).toMatchObject({ error: 'invalid_grant', code: 'ERR_MFA_REQUIRED' });
      expect(await liveSessions(u.id)).toBe(0);
    }
    // The password grant has no second factor: a right code sent along changes nothing and is not used.
    const withCode = await passwordGrant('tom', { totp: totpCode(secret, clock()) });
    expect(withCode.body).toMatchObject({ error: 'invalid_grant', code: 'ERR_MFA_REQUIRED' });
    expect((await r.server.services.storage.totp.get(totp.id))?.lastUsedStep).toBeNull();
  });

  it('an empty, blank or null factor is a wrong factor or a bad request, never "no factor needed"', async () => {
    const u = await person('una');
    await enrolTotp(r, u.id);
    for (const factor of [
      { totp: '' },
      { totp: '      ' },
      { recovery_code: '' },
      { recovery_code: '-----' },
    ]) {
      const res = await postJson(`${r.url}/api/login`, { username: 'una', password: PASSWORD, ...factor });
      expect(res.status, JSON.stringify(factor)).toBe(401);
      expect(res.body.error.code).toBe('ERR_MFA_INVALID');
    }
    for (const factor of [{ totp: null }, { totp: 123456 }, { recovery_code: ['x'] }]) {
      const res = await postJson(`${r.url}/api/login`, { username: 'una', password: PASSWORD, ...factor });
      expect(res.status, JSON.stringify(factor)).toBe(400);
      expect(res.body.error.code).toBe('ERR_VALIDATION');
    }
    // A code for a person with passkeys only is wrong, not ignored.
    const pk = await person('vera');
    await enrolPasskey(r, pk, authenticatorFor(r));
    const res = await postJson(`${r.url}/api/login`, {
      username: 'vera',
      password: PASSWORD,
      totp: '123456',
    });
    expect(res.body.error.code).toBe('ERR_MFA_INVALID');
    expect(await liveSessions(u.id)).toBe(0);
    expect(await liveSessions(pk.id)).toBe(0);
  });
});

// Decision (the contract is silent on sessions that predate a factor): a session keeps refreshing —
// it was a valid sign-in, and revoking every session on enrolment would sign the person out of
// their other devices — but its cards never claim more than that sign-in proved: `amr` ['pwd'],
// acr password, the old `auth_time`. Doors that need more refuse them; recent-auth actions too.
describe('sessions older than the factor or the requirement', () => {
  it('refreshing a password-only session after the person enrolled: acr password, old auth_time, no factor removal', async () => {
    const u = await person('wes');
    const first = await login(r, 'wes');
    const before = payloadOf(first.card);
    await enrolTotp(r, u.id);
    clock.advance(601_000);
    const next = await refreshed(r, first.refresh);
    expect(payloadOf(next.card)).toMatchObject({
      amr: ['pwd'],
      acr: ACR.password,
      auth_time: before.auth_time,
    });
    const grant = await postForm(`${r.url}/oauth/token`, {
      grant_type: 'refresh_token',
      client_id: 'keycard-web',
      refresh_token: next.refresh,
    });
    expect(grant.status).toBe(200);
    expect(payloadOf(grant.body.access_token)).toMatchObject({
      acr: ACR.password,
      auth_time: before.auth_time,
    });
    for (const [method, path] of [
      ['DELETE', '/api/account/mfa/totp'],
      ['POST', '/api/account/mfa/recovery-codes'],
      ['POST', '/api/mfa/totp/start'],
      ['POST', '/api/mfa/passkeys/options'],
    ] as const) {
      const res = await call(r, method, path, {
        card: grant.body.access_token,
        ...(method === 'POST' ? { json: {} } : {}),
      });
      expect(res.status, path).toBe(401);
      expect(res.body.error.code).toBe('ERR_STEP_UP_REQUIRED');
      expect(parseStepUpChallenge(res.headers.get('www-authenticate'))).toEqual({
        acrValues: [],
        maxAge: 600,
      });
    }
    expect((await r.server.services.storage.totp.get(u.id))?.confirmedAt).not.toBeNull();
  });

  it('once the role requires MFA, a password-only session no longer refreshes: it is revoked', async () => {
    await person('xan', ['ops']);
    const first = await login(r, 'xan');
    const ctx = r.server.services;
    await ctx.storage.roles.upsert({ name: 'ops', scopes: ['admin'], requireMfa: true, createdAt: 0 });
    ctx.directory.invalidate();
    try {
      const refused = await postJson(`${r.url}/api/refresh`, { refresh_token: first.refresh });
      expect(refused.status).toBe(401);
      expect(refused.body.error.code).toBe('ERR_MFA_REQUIRED');
      expect((await ctx.storage.sessions.get(first.sessionId))?.revokedReason).toBe('mfa_required');
      // Its card, minted before, meets the admin API's demand for acr mfa on changes.
      const change = await call(r, 'POST', '/api/admin/roles', {
        card: first.card,
        json: { name: 'porter' },
      });
      expect(change.status).toBe(401);
      expect(await ctx.storage.roles.get('porter')).toBeUndefined();
      // A new sign-in with the password alone is refused from now on.
      const again = await postJson(`${r.url}/api/login`, { username: 'xan', password: PASSWORD });
      expect(again.body.error.code).toBe('ERR_MFA_REQUIRED');
    } finally {
      await ctx.storage.roles.upsert({ name: 'ops', scopes: ['admin'], createdAt: 0 });
      ctx.directory.invalidate();
    }
  });

  it('token exchange keeps the subject card’s strength: a password card never becomes a stronger one', async () => {
    await person('yul');
    const signIn = await postJson(`${r.url}/api/login`, {
      username: 'yul',
      password: PASSWORD,
      client_id: 'cli',
      audience: 'rooms',
    });
    expect(signIn.status).toBe(200);
    const subject = payloadOf(signIn.body.access_token);
    clock.advance(5_000);
    const exchanged = await postForm(`${r.url}/oauth/token`, {
      grant_type: EXCHANGE,
      client_id: 'rooms-svc',
      client_secret: serviceSecret,
      subject_token: signIn.body.access_token,
      subject_token_type: ACCESS_TOKEN,
      audience: 'bar',
    });
    expect(exchanged.status).toBe(200);
    expect(payloadOf(exchanged.body.access_token)).toMatchObject({
      aud: 'bar',
      acr: ACR.password,
      amr: ['pwd'],
      auth_time: subject.auth_time,
      act: { sub: 'rooms-svc' },
    });
  });
});
