// The authorization_code grant at /oauth/token (RFC 6749 §4.1.3, RFC 7636, OpenID Connect Core
// §3.1.3): every check a code must pass, the session and tokens it yields, on every storage driver.
import { calculateThumbprint, createDpopProof, generateKeyPair, type PrivateKey } from '@keycard/jwt';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../src/crypto/index.js';
import { deleteUser } from '../src/index.js';
import { type Body, getJson } from './helpers.js';
import { probePostgres } from './storage/postgres-helper.js';
import {
  type Backend,
  type CodeFlowHotel,
  claimsOf,
  codeFlowHotel,
  LOOPBACK_REDIRECT,
  SPA_REDIRECT,
  WEB_REDIRECT,
} from './support/code-flow.js';

const pgSkip = await probePostgres();
if (pgSkip) console.log(`authorization_code grant on PostgreSQL skipped: ${pgSkip}`);
const backends: Backend[] = ['memory', 'sqlite', ...(pgSkip === undefined ? (['postgres'] as const) : [])];
const request = { ip: null, userAgent: null };

describe.each(backends)('the authorization_code grant on %s', (backend) => {
  let h: CodeFlowHotel;
  let url: string;
  let key: PrivateKey;
  let other: PrivateKey;
  beforeAll(async () => {
    h = await codeFlowHotel(backend);
    url = h.r.url;
    key = await generateKeyPair('ES256');
    other = await generateKeyPair('ES256');
  });
  afterAll(() => h?.close());

  const ctx = () => h.r.server.services;
  const consumed = async (code: string) =>
    (await ctx().storage.authorizationCodes.get(sha256Hex(code)))?.consumedAt !== null;
  const proof = (k: PrivateKey) =>
    createDpopProof(k, { method: 'POST', url: `${url}/oauth/token`, clock: h.clock });
  const refresh = (form: Record<string, string>, headers: Record<string, string> = {}) =>
    h.exchange({ grant_type: 'refresh_token', client_id: 'spa', ...form }, headers);
  const expectInvalidGrant = (res: { status: number; body: Body }, what: string) => {
    expect(res.status, what).toBe(400);
    expect(res.body.error, what).toBe('invalid_grant');
    expect(res.body.code, what).toBe('ERR_INVALID_GRANT');
  };

  it('a public client exchanges its code with its client_id and PKCE verifier', async () => {
    const issued = await h.issueCode({ scopes: ['openid', 'profile', 'rooms:read'] });
    const res = await h.exchange(h.spaForm(issued));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body.token_type).toBe('Bearer');
    expect(typeof res.body.refresh_token).toBe('string');
    expect(res.body.scope.split(' ').sort()).toEqual(['openid', 'profile']);
    const access = claimsOf(res.body.access_token);
    expect(access).toMatchObject({ aud: 'keycard', sub: h.aliceId, client_id: 'spa' });
    // The card names the code's own session, not the browser session (that is the ID token's sid).
    expect(access.sid).not.toBe(h.browserSessionId);
    expect(await ctx().storage.sessions.get(access.sid)).toMatchObject({
      clientId: 'spa',
      userId: h.aliceId,
      audiences: ['keycard', 'rooms'],
      scopes: ['openid', 'profile', 'rooms:read'],
      browserSessionId: h.browserSessionId,
      authTime: h.authTime,
      amr: ['pwd'],
      offline: false,
      dpopJkt: null,
      revokedAt: null,
    });
    const record = await ctx().storage.authorizationCodes.get(sha256Hex(issued.code));
    expect(record?.issuedSessionId).toBe(access.sid);
    const me = await getJson(`${url}/api/me`, { authorization: `Bearer ${res.body.access_token}` });
    expect(me.status).toBe(200);
    await ctx().audit.flush();
    const events = await ctx().storage.audit.list({ type: 'token.code', limit: 100 });
    expect(events.find((e) => e.subject === access.sid)).toMatchObject({
      actor: h.aliceId,
      detail: { clientId: 'spa', audience: 'keycard' },
    });
    const metric = await ctx().metrics.registry.getSingleMetricAsString('keycard_tokens_issued_total');
    expect(metric).toMatch(/keycard_tokens_issued_total\{grant="authorization_code"\} [1-9]/);
  });

  it('a confidential client must authenticate; a failed authentication leaves the code unused', async () => {
    const issued = await h.issueCode({ clientId: 'webapp', redirectUri: WEB_REDIRECT });
    const form = { code: issued.code, redirect_uri: WEB_REDIRECT, code_verifier: issued.verifier };
    for (const [what, extra, headers] of [
      ['client_id only', { client_id: 'webapp' }, {}],
      ['wrong secret', {}, h.basic('webapp', 'not-the-secret')],
      ['a public client with a secret', { client_id: 'spa', client_secret: 'x' }, {}],
    ] as const) {
      const res = await h.exchange({ ...form, ...extra }, headers);
      expect(res.status, what).toBe(401);
      expect(res.body.error, what).toBe('invalid_client');
    }
    expect(await consumed(issued.code)).toBe(false);
    const res = await h.exchange(form, h.basic('webapp', h.webSecret));
    expect(res.status).toBe(200);
    expect(claimsOf(res.body.access_token)).toMatchObject({ client_id: 'webapp', aud: 'keycard' });
    // client_secret_post works too.
    const again = await h.issueCode({ clientId: 'webapp', redirectUri: WEB_REDIRECT });
    const post = await h.exchange({
      code: again.code,
      redirect_uri: WEB_REDIRECT,
      code_verifier: again.verifier,
      client_id: 'webapp',
      client_secret: h.webSecret,
    });
    expect(post.status).toBe(200);
  });

  it('a client not registered for the grant is unauthorized_client, before the code is used', async () => {
    const issued = await h.issueCode({ clientId: 'no-code' });
    const res = await h.exchange({ ...h.spaForm(issued), client_id: 'no-code' });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('unauthorized_client');
    expect(await consumed(issued.code)).toBe(false);
  });

  it('a code issued to another client is invalid_grant', async () => {
    const issued = await h.issueCode();
    const res = await h.exchange(
      { code: issued.code, redirect_uri: SPA_REDIRECT, code_verifier: issued.verifier },
      h.basic('webapp', h.webSecret),
    );
    expectInvalidGrant(res, 'spa code at webapp');
  });

  it('PKCE: a missing or malformed verifier is invalid_request (code kept), a wrong one invalid_grant', async () => {
    const issued = await h.issueCode();
    const { code_verifier: _, ...withoutVerifier } = h.spaForm(issued);
    for (const [what, form] of [
      ['missing', withoutVerifier],
      ['empty', { ...withoutVerifier, code_verifier: '' }],
      ['42 characters', { ...withoutVerifier, code_verifier: 'a'.repeat(42) }],
      ['129 characters', { ...withoutVerifier, code_verifier: 'a'.repeat(129) }],
      ['outside the alphabet', { ...withoutVerifier, code_verifier: `${'a'.repeat(43)}+` }],
    ] as const) {
      const res = await h.exchange(form);
      expect(res.status, what).toBe(400);
      expect(res.body.error, what).toBe('invalid_request');
    }
    expect(await consumed(issued.code)).toBe(false);
    // A well-formed verifier that is not the code's: refused, and the code is used up.
    const wrong = await h.exchange({ ...h.spaForm(issued), code_verifier: 'b'.repeat(43) });
    expectInvalidGrant(wrong, 'wrong verifier');
    expectInvalidGrant(await h.exchange(h.spaForm(issued)), 'the right verifier after a wrong one');
    // The verifier of another code does not open this one either.
    const [one, two] = [await h.issueCode(), await h.issueCode()];
    expectInvalidGrant(await h.exchange({ ...h.spaForm(one), code_verifier: two.verifier }), 'swapped');
  });

  it('redirect_uri must be exactly the authorization request’s', async () => {
    for (const presented of [
      `${SPA_REDIRECT}/`,
      'https://spa.example/cb?x=1',
      'https://spa.example/cb#',
      'https://SPA.example/cb',
      'http://127.0.0.1/cb', // registered for the client, but not the one the code was issued for
    ]) {
      const issued = await h.issueCode();
      expectInvalidGrant(await h.exchange({ ...h.spaForm(issued), redirect_uri: presented }), presented);
    }
    // A loopback redirect may use any port at the authorization request, but the token request
    // must repeat the port the code went to.
    for (const presented of ['http://127.0.0.1:51005/cb', 'http://127.0.0.1/cb', 'http://[::1]:51004/cb']) {
      const issued = await h.issueCode({ redirectUri: LOOPBACK_REDIRECT });
      expectInvalidGrant(await h.exchange({ ...h.spaForm(issued), redirect_uri: presented }), presented);
    }
    const loopback = await h.issueCode({ redirectUri: LOOPBACK_REDIRECT });
    expect((await h.exchange({ ...h.spaForm(loopback), redirect_uri: LOOPBACK_REDIRECT })).status).toBe(200);
    const missing = await h.issueCode();
    const { redirect_uri: _, ...form } = h.spaForm(missing);
    const res = await h.exchange(form);
    expect(res.body.error).toBe('invalid_request');
    expect(await consumed(missing.code)).toBe(false);
  });

  it('an unknown or expired code is invalid_grant', async () => {
    expectInvalidGrant(
      await h.exchange({ ...h.spaForm(await h.issueCode()), code: 'never-issued' }),
      'unknown code',
    );
    const expiring = await h.issueCode();
    const lastMoment = await h.issueCode();
    h.clock.advance(59_999);
    expect((await h.exchange(h.spaForm(lastMoment))).status).toBe(200);
    h.clock.advance(1);
    expectInvalidGrant(await h.exchange(h.spaForm(expiring)), 'expired');
    expect(await consumed(expiring.code)).toBe(false);
  });

  it('a code bound to a DPoP key (dpop_jkt) goes only with a proof of that key', async () => {
    const jkt = calculateThumbprint(key.publicKey.toJWK());
    for (const [what, headers] of [
      ['no proof', {}],
      ['a proof of another key', { dpop: proof(other) }],
    ] as const) {
      const issued = await h.issueCode({ dpopJkt: jkt });
      expectInvalidGrant(await h.exchange(h.spaForm(issued), headers), what);
    }
    const issued = await h.issueCode({ dpopJkt: jkt });
    const res = await h.exchange(h.spaForm(issued), { dpop: proof(key) });
    expect(res.status).toBe(200);
    expect(res.body.token_type).toBe('DPoP');
    expect(claimsOf(res.body.access_token).cnf).toEqual({ jkt });
    expect((await ctx().storage.sessions.get(claimsOf(res.body.access_token).sid))?.dpopJkt).toBe(jkt);
    // The public client's refresh token is bound to the key as well.
    const refused = await refresh({ refresh_token: res.body.refresh_token });
    expect(refused.body.error).toBe('invalid_dpop_proof');
    const ok = await refresh({ refresh_token: res.body.refresh_token }, { dpop: proof(key) });
    expect(ok.status).toBe(200);
    expect(claimsOf(ok.body.access_token).cnf).toEqual({ jkt });
  });

  it('a proof without dpop_jkt binds the card and the refresh token; requireDpop needs one', async () => {
    const jkt = calculateThumbprint(other.publicKey.toJWK());
    const res = await h.exchange(h.spaForm(await h.issueCode()), { dpop: proof(other) });
    expect(res.body.token_type).toBe('DPoP');
    expect(claimsOf(res.body.access_token).cnf).toEqual({ jkt });
    expect((await refresh({ refresh_token: res.body.refresh_token })).body.error).toBe('invalid_dpop_proof');

    const strict = await h.issueCode({ clientId: 'strict' });
    const refused = await h.exchange({ ...h.spaForm(strict), client_id: 'strict' });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe('invalid_dpop_proof');
    expect(await consumed(strict.code)).toBe(false);
    const ok = await h.exchange({ ...h.spaForm(strict), client_id: 'strict' }, { dpop: proof(key) });
    expect(ok.status).toBe(200);
    expect(ok.body.token_type).toBe('DPoP');
  });

  it('a code whose browser session ended, is unknown or is another user’s is invalid_grant', async () => {
    const carol = await h.signedInUser(`carol-${backend}`);
    const ended = await h.issueCode({ userId: carol.userId, sid: carol.browserSessionId });
    await ctx().storage.browserSessions.end(carol.browserSessionId, h.clock(), 'logout');
    expectInvalidGrant(await h.exchange(h.spaForm(ended)), 'ended');
    const unknown = await h.issueCode({ sid: 'bs-never-existed' });
    expectInvalidGrant(await h.exchange(h.spaForm(unknown)), 'unknown browser session');
    const dan = await h.signedInUser(`dan-${backend}`);
    const crossed = await h.issueCode({ userId: dan.userId });
    expectInvalidGrant(await h.exchange(h.spaForm(crossed)), "another user's browser session");
  });

  it('a code of a deleted or disabled user is invalid_grant', async () => {
    const erin = await h.signedInUser(`erin-${backend}`);
    const row = await h.issueCode({ userId: erin.userId, sid: erin.browserSessionId });
    // The user's row alone (the code outlives it): the exchange itself checks the user.
    await ctx().storage.users.delete(erin.userId);
    expectInvalidGrant(await h.exchange(h.spaForm(row)), 'user row deleted');

    const fay = await h.signedInUser(`fay-${backend}`);
    const deleted = await h.issueCode({ userId: fay.userId, sid: fay.browserSessionId });
    await deleteUser(ctx(), fay.userId, { actor: 'test', request });
    expectInvalidGrant(await h.exchange(h.spaForm(deleted)), 'user deleted');

    const gus = await h.signedInUser(`gus-${backend}`);
    const disabled = await h.issueCode({ userId: gus.userId, sid: gus.browserSessionId });
    await ctx().storage.users.update(gus.userId, { disabled: true, updatedAt: h.clock() });
    expectInvalidGrant(await h.exchange(h.spaForm(disabled)), 'user disabled');
  });

  it('every refusal of a code reads the same: it never says which check failed', async () => {
    const descriptions = new Set<string>();
    const take = async (
      fields: Parameters<CodeFlowHotel['issueCode']>[0],
      change: Record<string, string>,
    ) => {
      const issued = await h.issueCode(fields);
      const res = await h.exchange({ ...h.spaForm(issued), ...change });
      expect(res.body.error).toBe('invalid_grant');
      descriptions.add(res.body.error_description);
    };
    await take({}, { code: 'unknown' });
    await take({}, { code_verifier: 'c'.repeat(64) });
    await take({}, { redirect_uri: 'http://127.0.0.1/cb' });
    await take({ clientId: 'webapp' }, {});
    await take({ sid: 'bs-gone' }, {});
    await take({ dpopJkt: calculateThumbprint(key.publicKey.toJWK()) }, {});
    expect([...descriptions]).toHaveLength(1);
    expect([...descriptions][0]).not.toMatch(/verifier|redirect|client|session|dpop|user/i);
  });

  it('the ID token carries the nonce, sid = the browser session, auth_time and amr', async () => {
    const jwks = createRemoteJWKSet(new URL(`${url}/.well-known/jwks.json`));
    const verify = async (token: string) =>
      (
        await jwtVerify(token, jwks, {
          issuer: url,
          audience: 'spa',
          typ: 'JWT',
          currentDate: new Date(h.clock()),
        })
      ).payload;
    const res = await h.exchange(
      h.spaForm(await h.issueCode({ scopes: ['openid', 'email'], amr: ['pwd', 'otp'] })),
    );
    const id = await verify(res.body.id_token);
    expect(id).toMatchObject({
      sub: h.aliceId,
      azp: 'spa',
      nonce: 'n-0S6_WzA2Mj',
      sid: h.browserSessionId,
      auth_time: Math.floor(h.authTime / 1000),
      amr: ['pwd', 'otp'],
      email: 'alice@hotel.test',
    });
    expect(id.sid).not.toBe(claimsOf(res.body.access_token).sid);
    const noNonce = await h.exchange(h.spaForm(await h.issueCode({ nonce: null })));
    expect((await verify(noNonce.body.id_token)).nonce).toBeUndefined();
    const noOpenid = await h.exchange(h.spaForm(await h.issueCode({ scopes: ['rooms:read'] })));
    expect(noOpenid.status).toBe(200);
    expect(noOpenid.body.id_token).toBeUndefined();

    // A refresh keeps sid, auth_time and amr, with a fresh iat and no nonce (OIDC Core §12.2).
    h.clock.advance(5_000);
    const refreshed = await refresh({ refresh_token: res.body.refresh_token });
    expect(refreshed.status).toBe(200);
    const again = await verify(refreshed.body.id_token);
    expect(again).toMatchObject({ sid: h.browserSessionId, auth_time: id.auth_time, amr: ['pwd', 'otp'] });
    expect(again.iat).toBe((id.iat as number) + 5);
    expect(again.nonce).toBeUndefined();
  });

  it('offline_access makes an offline session only when the code (and the client) has it', async () => {
    const sessionOf = async (res: { body: Body }) =>
      ctx().storage.sessions.get(claimsOf(res.body.access_token).sid);
    const offline = await h.exchange(
      h.spaForm(await h.issueCode({ scopes: ['openid', 'offline_access', 'rooms:read'] })),
    );
    expect(offline.body.scope.split(' ')).toContain('offline_access');
    expect(typeof offline.body.refresh_token).toBe('string');
    expect((await sessionOf(offline))?.offline).toBe(true);
    await ctx().audit.flush();
    const events = await ctx().storage.audit.list({ type: 'token.code', limit: 100 });
    expect(events.find((e) => e.subject === claimsOf(offline.body.access_token).sid)?.detail).toMatchObject({
      offline: true,
    });

    const online = await h.exchange(h.spaForm(await h.issueCode({ scopes: ['openid', 'rooms:read'] })));
    expect((await sessionOf(online))?.offline).toBe(false);
    // The client is no longer registered for offline_access: its old code does not grant it.
    const dropped = await h.issueCode({ clientId: 'no-offline', scopes: ['openid', 'offline_access'] });
    const res = await h.exchange({ ...h.spaForm(dropped), client_id: 'no-offline' });
    expect(res.status).toBe(200);
    expect(res.body.scope).toBe('openid');
    expect((await sessionOf(res))?.offline).toBe(false);
  });

  it('a refresh token only for a client with the refresh_token grant', async () => {
    const issued = await h.issueCode({ clientId: 'no-refresh' });
    const res = await h.exchange({ ...h.spaForm(issued), client_id: 'no-refresh' });
    expect(res.status).toBe(200);
    expect(res.body.refresh_token).toBeUndefined();
  });

  it('resource narrows the card to one audience of the code’s grant', async () => {
    const res = await h.exchange({ ...h.spaForm(await h.issueCode()), resource: 'rooms' });
    expect(res.status).toBe(200);
    expect(claimsOf(res.body.access_token).aud).toBe('rooms');
    expect(res.body.scope.split(' ').sort()).toEqual(['openid', 'profile', 'rooms:read']);
    // The session's first audience is the card's: a refresh naming none gets a card for it again
    // (unless the grant has `keycard`, which a refresh naming none always gets, as after a sign-in).
    const doors = await h.issueCode({ audiences: ['rooms', 'hall'] });
    const hall = await h.exchange({ ...h.spaForm(doors), audience: 'hall' });
    expect(claimsOf(hall.body.access_token).aud).toBe('hall');
    const next = await refresh({ refresh_token: hall.body.refresh_token });
    expect(claimsOf(next.body.access_token).aud).toBe('hall');
    const rooms = await refresh({ refresh_token: next.body.refresh_token, resource: 'rooms' });
    expect(claimsOf(rooms.body.access_token).aud).toBe('rooms');
    // hall is the client's but not the code's; nowhere is not an audience at all.
    const notGranted = await h.exchange({ ...h.spaForm(await h.issueCode()), audience: 'hall' });
    expect(notGranted.body.error).toBe('invalid_target');
    const unknown = await h.issueCode();
    const nowhere = await h.exchange({ ...h.spaForm(unknown), resource: 'https://nowhere.example/' });
    expect(nowhere.body.error).toBe('invalid_target');
    expect(await consumed(unknown.code)).toBe(false);
    // Two audiences for a single-audience client: refused as the refresh grant refuses them.
    const two = await h.exchange({ ...h.spaForm(await h.issueCode()), audience: 'keycard rooms' });
    expect(two.body.error).toBe('invalid_target');
  });

  it('malformed parameters are invalid_request, never a 500', async () => {
    const issued = await h.issueCode();
    const form = new URLSearchParams({ grant_type: 'authorization_code', ...h.spaForm(issued) });
    form.append('code', issued.code);
    const res = await fetch(`${url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as Body).error).toBe('invalid_request');
    const { code: _, ...withoutCode } = h.spaForm(issued);
    expect((await h.exchange(withoutCode)).body.error).toBe('invalid_request');
    expect((await h.exchange({ ...h.spaForm(issued), code: 'x'.repeat(5000) })).body.error).toBe(
      'invalid_request',
    );
    expect(await consumed(issued.code)).toBe(false);
  });
});
