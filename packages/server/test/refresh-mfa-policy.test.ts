// A role's second-factor policy holds for sessions that already exist: once a role of the user
// requires a factor, a session signed in without one ends at its next refresh (at /api/refresh and
// /oauth/token, revoked on the feed) and its cards mint nothing by token exchange. A factor the
// person set up themselves leaves their session alone. Real HTTP, frozen clock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, saveRole, updateUser } from '../src/index.js';
import {
  addUser,
  type Body,
  getJson,
  postForm,
  postJson,
  type Running,
  startServer,
  testClock,
} from './helpers.js';
import { call, login, PASSWORD, refreshed } from './support/mfa-account.js';
import { enrolTotp, totpCode } from './support/mfa-fixtures.js';

const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';
const clock = testClock(Date.UTC(2030, 0, 1, 12, 0, 10));
const admin = { actor: 'admin', request: { ip: null, userAgent: null } };
let r: Running;
let serviceSecret: string;

beforeAll(async () => {
  r = await startServer({}, { clock });
  const ctx = r.server.services;
  await ctx.storage.audiences.upsert({
    id: 'rooms',
    name: 'Rooms',
    scopes: ['rooms'],
    uri: null,
    createdAt: 0,
  });
  await ctx.storage.audiences.upsert({
    id: 'billing',
    name: 'Billing',
    scopes: ['rooms'],
    uri: null,
    createdAt: 0,
  });
  for (const name of ['guest', 'night', 'porter'])
    await ctx.storage.roles.upsert({ name, scopes: ['rooms'], createdAt: 0 });
  await ctx.storage.roles.upsert({ name: 'staff', scopes: ['rooms'], requireMfa: true, createdAt: 0 });
  await createClient(ctx, {
    id: 'desk',
    type: 'public',
    firstParty: true,
    grants: ['password', 'refresh_token'],
    audiences: ['rooms'],
    scopes: ['rooms'],
  });
  const service = await createClient(ctx, {
    id: 'rooms-svc',
    type: 'confidential',
    grants: [EXCHANGE as never],
    tokenExchange: [{ from: 'rooms', to: 'billing', scopes: ['rooms'] }],
  });
  serviceSecret = service.secret!;
  ctx.directory.invalidate();
});
afterAll(async () => {
  await r?.close();
});

/** A new user (and a fresh per-IP login window). */
async function user(name: string, roles: string[]) {
  clock.advance(61_000);
  return addUser(r, name, PASSWORD, roles);
}

const feedCursor = async () => (await getJson(`${r.url}/revocations`)).body.cursor as number;
const revokedOnFeed = async (after: number) =>
  ((await getJson(`${r.url}/revocations?after=${after}`)).body as Body).events
    .filter((e: Body) => e.type === 'session')
    .map((e: Body) => e.sid);

describe('a refresh after a role started requiring a second factor', () => {
  it('a role gaining requireMfa: the password-only session is revoked (feed, audit) and the refresh refused', async () => {
    const ann = await user('ann', ['night']);
    const first = await login(r, 'ann');
    const second = await login(r, 'ann');
    const renewed = await refreshed(r, first.refresh);
    await saveRole(r.server.services, { name: 'night', scopes: ['rooms'], requireMfa: true }, admin);
    const cursor = await feedCursor();

    const refused = await postJson(`${r.url}/api/refresh`, { refresh_token: renewed.refresh });
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('ERR_MFA_REQUIRED');
    const session = await r.server.services.storage.sessions.get(first.sessionId);
    expect(session).toMatchObject({ revokedAt: clock(), revokedReason: 'mfa_required' });
    expect(await revokedOnFeed(cursor)).toEqual([first.sessionId]);
    // Over for good: the same token again is an ordinary dead grant.
    const again = await postJson(`${r.url}/api/refresh`, { refresh_token: renewed.refresh });
    expect(again.body.error.code).toBe('ERR_INVALID_GRANT');

    // The OAuth endpoint answers the same refusal as invalid_grant.
    const oauth = await postForm(`${r.url}/oauth/token`, {
      grant_type: 'refresh_token',
      client_id: 'keycard-web',
      refresh_token: second.refresh,
    });
    expect(oauth.status).toBe(400);
    expect(oauth.body).toMatchObject({ error: 'invalid_grant', code: 'ERR_MFA_REQUIRED' });
    expect(await revokedOnFeed(cursor)).toEqual([first.sessionId, second.sessionId]);

    await r.server.services.audit.flush();
    const events = await r.server.services.storage.audit.list({ type: 'session.revoke', limit: 100 });
    const ended = events.filter((e) => e.detail['reason'] === 'mfa_required').map((e) => e.subject);
    expect(ended.sort()).toEqual([first.sessionId, second.sessionId].sort());
    expect((await r.server.services.storage.users.getById(ann.id))?.disabled).toBe(false);
  });

  it('a user given a role that requires one: the same', async () => {
    const ben = await user('ben', ['guest']);
    const signedIn = await login(r, 'ben');
    await updateUser(r.server.services, ben.id, { roles: ['guest', 'staff'] }, admin);
    const refused = await postJson(`${r.url}/api/refresh`, { refresh_token: signedIn.refresh });
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('ERR_MFA_REQUIRED');
    expect(await r.server.services.storage.sessions.get(signedIn.sessionId)).toMatchObject({
      revokedReason: 'mfa_required',
    });
  });

  it('a session signed in with a second factor keeps refreshing', async () => {
    const cleo = await user('cleo', ['staff']);
    const secret = await enrolTotp(r, cleo.id);
    const signedIn = await login(r, 'cleo', { totp: totpCode(secret, clock()) });
    const next = await refreshed(r, signedIn.refresh);
    expect((await refreshed(r, next.refresh)).card).toEqual(expect.any(String));
  });

  it('a factor the person set up themselves from the account page does not sign them out', async () => {
    await user('dan', ['guest']);
    const signedIn = await login(r, 'dan');
    const started = await call(r, 'POST', '/api/mfa/totp/start', { card: signedIn.card, json: {} });
    expect(started.status).toBe(200);
    const confirmed = await call(r, 'POST', '/api/mfa/totp/confirm', {
      card: signedIn.card,
      json: { code: totpCode(started.body.secret, clock()) },
    });
    expect(confirmed.status).toBe(200);
    const next = await refreshed(r, signedIn.refresh);
    expect(next.card).toEqual(expect.any(String));
    expect(await r.server.services.storage.sessions.get(signedIn.sessionId)).toMatchObject({
      revokedAt: null,
    });
  });
});

describe('token exchange after a role started requiring a second factor', () => {
  const exchange = (subjectToken: string) =>
    postForm(`${r.url}/oauth/token`, {
      grant_type: EXCHANGE,
      client_id: 'rooms-svc',
      client_secret: serviceSecret,
      subject_token: subjectToken,
      subject_token_type: ACCESS_TOKEN,
      audience: 'billing',
    });
  const roomsCard = async (username: string, extra: Record<string, unknown> = {}) =>
    (await login(r, username, { client_id: 'desk', audience: 'rooms', ...extra })).card;

  it('refuses a subject card of a sign-in without one; accepts one of a sign-in with one', async () => {
    await user('eve', ['porter']);
    const fay = await user('fay', ['porter']);
    const secret = await enrolTotp(r, fay.id);
    const weak = await roomsCard('eve');
    const strong = await roomsCard('fay', { totp: totpCode(secret, clock()) });
    expect((await exchange(weak)).status).toBe(200);

    await saveRole(r.server.services, { name: 'porter', scopes: ['rooms'], requireMfa: true }, admin);
    const refused = await exchange(weak);
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: 'invalid_grant', code: 'ERR_MFA_REQUIRED' });
    expect((await exchange(strong)).status).toBe(200);
  });
});
