import { calculateThumbprint, createDpopProof, generateKeyPair, type PrivateKey } from '@keycard/jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, createUser } from '../src/index.js';
import { addAudience, type Body, postForm, type Running, startServer } from './helpers.js';

const PASSWORD = 'correct horse battery';

async function userinfo(
  url: string,
  card: string | undefined,
  init: { method?: string; scheme?: string; dpop?: string } = {},
) {
  const headers: Record<string, string> = {};
  if (card !== undefined) headers['authorization'] = `${init.scheme ?? 'Bearer'} ${card}`;
  if (init.dpop !== undefined) headers['dpop'] = init.dpop;
  const res = await fetch(`${url}/oauth/userinfo`, { method: init.method ?? 'GET', headers });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: (text === '' ? undefined : JSON.parse(text)) as Body,
  };
}

/** `/oauth/userinfo` (OpenID Connect Core §5.3). */
describe('GET and POST /oauth/userinfo', () => {
  let r: Running;
  let aliceId: string;
  let key: PrivateKey;
  const signIn = async (form: Record<string, string>, headers: Record<string, string> = {}) => {
    const res = await postForm(
      `${r.url}/oauth/token`,
      { grant_type: 'password', client_id: 'app', username: 'alice', password: PASSWORD, ...form },
      headers,
    );
    expect(res.status).toBe(200);
    return res.body as { access_token: string; refresh_token: string; id_token?: string; scope: string };
  };

  beforeAll(async () => {
    r = await startServer({ databaseUrl: 'memory' });
    const ctx = r.server.services;
    await addAudience(r, 'rooms', ['rooms:read'], 'Rooms');
    await ctx.storage.roles.upsert({ name: 'guest', scopes: ['rooms:read'], createdAt: ctx.clock() });
    await createClient(ctx, {
      id: 'app',
      type: 'public',
      firstParty: true,
      grants: ['password', 'refresh_token'],
      audiences: ['keycard', 'rooms'],
      scopes: ['openid', 'profile', 'email', 'rooms:read'],
    });
    aliceId = (
      await createUser(ctx, {
        username: 'alice',
        password: PASSWORD,
        roles: ['guest'],
        claims: { email: 'alice@hotel.test', email_verified: true, room: '101' },
      })
    ).id;
    key = await generateKeyPair('ES256');
  });
  afterAll(() => r.close());

  it('answers the holder with the claims its scopes allow, GET and POST, never cached', async () => {
    const tokens = await signIn({ scope: 'openid profile email' });
    for (const method of ['GET', 'POST']) {
      const res = await userinfo(r.url, tokens.access_token, { method });
      expect(res.status, method).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.body).toEqual({
        sub: aliceId,
        preferred_username: 'alice',
        updated_at: expect.any(Number),
        email: 'alice@hotel.test',
        email_verified: true,
      });
    }
    const narrow = await signIn({ scope: 'openid' });
    expect((await userinfo(r.url, narrow.access_token)).body).toEqual({ sub: aliceId });
  });

  it("accepts a card for another audience, revealing only its holder's claims", async () => {
    const tokens = await signIn({ scope: 'openid email rooms:read', resource: 'rooms' });
    const claims = JSON.parse(Buffer.from(tokens.access_token.split('.')[1]!, 'base64url').toString());
    expect(claims.aud).toBe('rooms');
    const res = await userinfo(r.url, tokens.access_token);
    expect(res.status).toBe(200);
    // Only sub and the scoped claims: not the card's room claim, roles or scope.
    expect(res.body).toEqual({ sub: aliceId, email: 'alice@hotel.test', email_verified: true });
    // Elsewhere at the server's API that card stays refused (one card, one door).
    const me = await fetch(`${r.url}/api/me`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(me.status).toBe(401);
  });

  it('a card without openid is 403 insufficient_scope; no card is 401 with a bare challenge', async () => {
    const tokens = await signIn({ scope: 'rooms:read profile', resource: 'rooms' });
    expect(tokens.scope).toBe('rooms:read profile');
    const res = await userinfo(r.url, tokens.access_token);
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope"');
    expect(res.body).toMatchObject({ error: 'insufficient_scope', code: 'ERR_INSUFFICIENT_SCOPE' });
    const none = await userinfo(r.url, undefined);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('a revoked card is 401 invalid_token', async () => {
    const tokens = await signIn({ scope: 'openid' });
    expect((await userinfo(r.url, tokens.access_token)).status).toBe(200);
    const revoked = await postForm(`${r.url}/oauth/revoke`, {
      token: tokens.refresh_token,
      client_id: 'app',
    });
    expect(revoked.status).toBe(200);
    const res = await userinfo(r.url, tokens.access_token);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    expect(res.body).toMatchObject({ error: 'invalid_token', code: 'ERR_INVALID_TOKEN' });
  });

  it('a forged card, or one signed by this server for another issuer, is 401', async () => {
    const tokens = await signIn({ scope: 'openid' });
    const [header, payload, signature] = tokens.access_token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const tampered = Buffer.from(JSON.stringify({ ...claims, sub: 'someone-else' })).toString('base64url');
    expect((await userinfo(r.url, `${header}.${tampered}.${signature}`)).status).toBe(401);
    const { token: otherIssuer } = await r.server.services.keys.sign({
      ...claims,
      iss: 'https://evil.example',
    });
    expect((await userinfo(r.url, otherIssuer)).status).toBe(401);
    expect((await userinfo(r.url, 'not-a-jwt')).status).toBe(401);
  });

  it('an ID token is not an access token: refused at userinfo and at /api/*', async () => {
    const tokens = await signIn({ scope: 'openid profile' });
    expect(tokens.id_token).toBeTypeOf('string');
    const res = await userinfo(r.url, tokens.id_token);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('ERR_INVALID_TOKEN');
    const me = await fetch(`${r.url}/api/me`, { headers: { authorization: `Bearer ${tokens.id_token}` } });
    expect(me.status).toBe(401);
    expect(me.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  });

  it('a DPoP-bound card needs its proof: refused as Bearer, accepted with a proof of its key', async () => {
    const proof = (method: string, path: string, accessToken?: string) =>
      createDpopProof(key, { method, url: `${r.url}${path}`, ...(accessToken ? { accessToken } : {}) });
    const tokens = await signIn({ scope: 'openid profile' }, { dpop: proof('POST', '/oauth/token') });
    const claims = JSON.parse(Buffer.from(tokens.access_token.split('.')[1]!, 'base64url').toString());
    expect(claims.cnf).toEqual({ jkt: calculateThumbprint(key.publicKey.toJWK()) });
    const asBearer = await userinfo(r.url, tokens.access_token);
    expect(asBearer.status).toBe(401);
    const noProof = await userinfo(r.url, tokens.access_token, { scheme: 'DPoP' });
    expect(noProof.status).toBe(401);
    expect(noProof.headers.get('www-authenticate')).toBe('DPoP error="invalid_dpop_proof"');
    const wrongMethod = await userinfo(r.url, tokens.access_token, {
      scheme: 'DPoP',
      dpop: proof('POST', '/oauth/userinfo', tokens.access_token),
    });
    expect(wrongMethod.status).toBe(401);
    const ok = await userinfo(r.url, tokens.access_token, {
      scheme: 'DPoP',
      dpop: proof('GET', '/oauth/userinfo', tokens.access_token),
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ sub: aliceId, preferred_username: 'alice' });
  });

  it("a disabled user's card gets nothing", async () => {
    const disabled = await createUser(r.server.services, {
      username: 'carol',
      password: PASSWORD,
      roles: ['guest'],
    });
    const res = await postForm(`${r.url}/oauth/token`, {
      grant_type: 'password',
      client_id: 'app',
      username: 'carol',
      password: PASSWORD,
      scope: 'openid',
    });
    expect((await userinfo(r.url, res.body.access_token)).status).toBe(200);
    await r.server.services.storage.users.update(disabled.id, { disabled: true });
    expect((await userinfo(r.url, res.body.access_token)).status).toBe(401);
  });

  it('a card exchanged (RFC 8693) from an openid card carries no identity scope and reads no userinfo', async () => {
    const ctx = r.server.services;
    await addAudience(r, 'pool', ['pool', 'openid'], 'Pool');
    const { secret } = await createClient(ctx, {
      id: 'rooms-svc',
      type: 'confidential',
      grants: ['urn:ietf:params:oauth:grant-type:token-exchange'],
      tokenExchange: [{ from: 'rooms', to: 'pool', scopes: ['pool', 'openid'] }],
    });
    const subject = await signIn({ scope: 'openid rooms:read', resource: 'rooms' });
    const exchanged = await postForm(
      `${r.url}/oauth/token`,
      {
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        subject_token: subject.access_token,
        subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        audience: 'pool',
      },
      { authorization: `Basic ${Buffer.from(`rooms-svc:${secret}`).toString('base64')}` },
    );
    expect(exchanged.status).toBe(200);
    expect(exchanged.body.scope.split(' ')).not.toContain('openid');
    expect(exchanged.body.id_token).toBeUndefined();
    expect((await userinfo(r.url, exchanged.body.access_token)).status).toBe(403);
  });

  it('counts answers in keycard_userinfo_total', async () => {
    const text = await r.server.services.metrics.registry.getSingleMetricAsString('keycard_userinfo_total');
    expect(text).toMatch(/keycard_userinfo_total\{result="ok"\} [1-9]/);
    expect(text).toMatch(/keycard_userinfo_total\{result="invalid_token"\} [1-9]/);
    expect(text).toMatch(/keycard_userinfo_total\{result="insufficient_scope"\} [1-9]/);
  });
});

describe('/oauth/userinfo with an expired card', () => {
  it('is 401 invalid_token once the card has expired', async () => {
    const { testClock } = await import('./helpers.js');
    const clock = testClock(Date.now());
    const r = await startServer({ databaseUrl: 'memory' }, { clock });
    try {
      await createClient(r.server.services, {
        id: 'app',
        type: 'public',
        firstParty: true,
        grants: ['password'],
        audiences: ['keycard'],
        scopes: ['openid'],
      });
      await createUser(r.server.services, { username: 'alice', password: PASSWORD, roles: ['guest'] });
      const res = await postForm(`${r.url}/oauth/token`, {
        grant_type: 'password',
        client_id: 'app',
        username: 'alice',
        password: PASSWORD,
        scope: 'openid',
      });
      expect((await userinfo(r.url, res.body.access_token)).status).toBe(200);
      clock.advance((600 + 31) * 1000);
      const expired = await userinfo(r.url, res.body.access_token);
      expect(expired.status).toBe(401);
      expect(expired.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    } finally {
      await r.close();
    }
  });
});
