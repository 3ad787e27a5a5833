import { calculateThumbprint, createDpopProof, generateKeyPair } from '@keycard/jwt';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../src/index.js';
import { addUser, type Body, postForm, postJson, type Running, startServer, testClock } from './helpers.js';

const PASSWORD = 'correct horse battery';
const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';
const claimsOf = (token: string): Body =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());

describe('token exchange (RFC 8693) on a user’s behalf', () => {
  let r: Running;
  const secrets: Record<string, string> = {};
  const card = async (audience: string, dpop?: string) =>
    (
      await postJson(
        `${r.url}/api/login`,
        { username: 'alice', password: PASSWORD, client_id: 'desk', audience },
        dpop ? { dpop } : {},
      )
    ).body;
  const exchange = (clientId: string, subjectToken: string, form: Record<string, string>, headers = {}) =>
    postForm(
      `${r.url}/oauth/token`,
      {
        grant_type: EXCHANGE,
        client_id: clientId,
        client_secret: secrets[clientId] ?? '',
        subject_token: subjectToken,
        subject_token_type: ACCESS_TOKEN,
        ...form,
      },
      headers,
    );

  beforeAll(async () => {
    r = await startServer({ databaseUrl: 'memory' });
    const ctx = r.server.services;
    // The rooms door may charge the bill on the guest's behalf: its cards carry billing:charge.
    const audiences = [
      { id: 'rooms', scopes: ['rooms', 'billing:charge'], uri: null },
      { id: 'billing', scopes: ['billing:charge', 'billing:refund'], uri: 'https://billing.example/' },
      { id: 'ledger', scopes: ['billing:charge'], uri: null },
      { id: 'pool', scopes: ['pool'], uri: null },
    ];
    for (const a of audiences) await ctx.storage.audiences.upsert({ ...a, name: a.id, createdAt: 0 });
    await ctx.storage.roles.upsert({
      name: 'guest',
      scopes: ['rooms', 'billing:charge', 'pool'],
      createdAt: 0,
    });
    ctx.directory.invalidate();
    await createClient(ctx, {
      id: 'desk',
      type: 'public',
      firstParty: true,
      grants: ['password', 'refresh_token'],
      audiences: ['keycard', 'rooms', 'pool'],
      scopes: ['rooms', 'billing:charge', 'pool'],
    });
    const service = async (
      id: string,
      rules: Array<{ from: string; to: string; scopes: string[] }>,
      grants = [EXCHANGE],
    ) => {
      const { secret } = await createClient(ctx, {
        id,
        type: 'confidential',
        grants: grants as never,
        tokenExchange: rules,
      });
      secrets[id] = secret!;
    };
    await service('rooms-svc', [{ from: 'rooms', to: 'billing', scopes: ['billing:charge'] }]);
    await service('billing-svc', [{ from: 'billing', to: 'ledger', scopes: ['billing:charge'] }]);
    await service('idle-svc', [], ['client_credentials']);
    await addUser(r, 'alice', PASSWORD, ['guest']);
  });
  afterAll(() => r.close());

  it('exchanges a rooms card for a billing card: same user and session, act names the service, scopes narrowed', async () => {
    const rooms = await card('rooms');
    expect(claimsOf(rooms.access_token).scope).toBe('rooms billing:charge');
    const res = await exchange('rooms-svc', rooms.access_token, { resource: 'https://billing.example/' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      issued_token_type: ACCESS_TOKEN,
      token_type: 'Bearer',
      scope: 'billing:charge',
    });
    const subject = claimsOf(rooms.access_token);
    const { payload } = await jwtVerify(
      res.body.access_token,
      createRemoteJWKSet(new URL(`${r.url}/.well-known/jwks.json`)),
      { issuer: r.url, audience: 'billing', typ: 'at+jwt' },
    );
    expect(payload).toMatchObject({
      aud: 'billing',
      sub: subject.sub,
      sid: subject.sid,
      client_id: 'rooms-svc',
      act: { sub: 'rooms-svc' },
      scope: 'billing:charge',
    });
    expect(payload['cnf']).toBeUndefined();
    expect(payload.exp).toBeLessThanOrEqual(subject.exp); // never outlives the subject card
  });

  it('nests act for a chain (guest → rooms → billing → ledger) and logout reaches every link', async () => {
    const rooms = await card('rooms');
    const billing = (await exchange('rooms-svc', rooms.access_token, { audience: 'billing' })).body
      .access_token;
    const ledger = await exchange('billing-svc', billing, { audience: 'ledger', scope: 'billing:charge' });
    expect(ledger.status).toBe(200);
    expect(claimsOf(ledger.body.access_token)).toMatchObject({
      aud: 'ledger',
      act: { sub: 'billing-svc', act: { sub: 'rooms-svc' } },
      sid: claimsOf(rooms.access_token).sid,
    });
    const loggedOut = await postJson(`${r.url}/api/logout`, {
      refresh_token: rooms.refresh_token,
      client_id: 'desk',
    });
    expect(loggedOut.status).toBe(204);
    const inspect = await postForm(`${r.url}/oauth/introspect`, {
      token: ledger.body.access_token,
      client_id: 'billing-svc',
      client_secret: secrets['billing-svc']!,
    });
    expect(inspect.body.active).toBe(false);
    const again = await exchange('rooms-svc', rooms.access_token, { audience: 'billing' });
    expect(again.body.error).toBe('invalid_grant'); // a revoked subject card
  });

  it('refuses without a rule, with a wider scope, or with a card for the wrong audience', async () => {
    const rooms = await card('rooms');
    const noRule = await exchange('rooms-svc', rooms.access_token, { audience: 'pool' });
    expect(noRule.body.error).toBe('unauthorized_client');
    const wider = await exchange('rooms-svc', rooms.access_token, {
      audience: 'billing',
      scope: 'billing:charge rooms',
    });
    expect(wider.body.error).toBe('invalid_scope');
    const notHeld = await exchange('rooms-svc', rooms.access_token, {
      audience: 'billing',
      scope: 'billing:refund',
    });
    expect(notHeld.body.error).toBe('invalid_scope');
    for (const aud of ['pool', 'keycard']) {
      const wrong = await card(aud);
      const res = await exchange('rooms-svc', wrong.access_token, { audience: 'billing' });
      expect(res.body.error, aud).toBe('unauthorized_client');
    }
    const noGrant = await exchange('idle-svc', rooms.access_token, { audience: 'billing' });
    expect(noGrant.body.error).toBe('unauthorized_client');
    const publicClient = await postForm(`${r.url}/oauth/token`, {
      grant_type: EXCHANGE,
      client_id: 'desk',
      subject_token: rooms.access_token,
      subject_token_type: ACCESS_TOKEN,
      audience: 'billing',
    });
    expect(publicClient.status).toBe(401);
    expect(publicClient.body.error).toBe('invalid_client');
    for (const form of [{}, { audience: 'billing pool' }, { audience: 'nowhere' }] as Array<
      Record<string, string>
    >) {
      expect((await exchange('rooms-svc', rooms.access_token, form)).body.error).toBe('invalid_target');
    }
    expect((await exchange('rooms-svc', 'a.b.c', { audience: 'billing' })).body.error).toBe('invalid_grant');
    const badType = await exchange('rooms-svc', rooms.access_token, {
      audience: 'billing',
      subject_token_type: 'urn:ietf:params:oauth:token-type:refresh_token',
    });
    expect(badType.body.error).toBe('invalid_request');
  });

  it('a client card is never a subject; a DPoP-bound user card is, and a proof binds the new card to the service key', async () => {
    const { secret } = await createClient(r.server.services, {
      id: 'rooms-robot',
      type: 'confidential',
      grants: ['client_credentials'],
      audiences: ['rooms'],
      scopes: ['billing:charge'],
    });
    const robot = await postForm(`${r.url}/oauth/token`, {
      grant_type: 'client_credentials',
      client_id: 'rooms-robot',
      client_secret: secret!,
    });
    expect((await exchange('rooms-svc', robot.body.access_token, { audience: 'billing' })).body.error).toBe(
      'invalid_grant',
    );

    const userKey = await generateKeyPair('ES256');
    const serviceKey = await generateKeyPair('ES256');
    const bound = await card(
      'rooms',
      createDpopProof(userKey, { method: 'POST', url: `${r.url}/api/login` }),
    );
    expect(bound.token_type).toBe('DPoP');
    const res = await exchange(
      'rooms-svc',
      bound.access_token,
      { audience: 'billing' },
      { dpop: createDpopProof(serviceKey, { method: 'POST', url: `${r.url}/oauth/token` }) },
    );
    expect(res.status).toBe(200);
    expect(res.body.token_type).toBe('DPoP');
    expect(claimsOf(res.body.access_token).cnf).toEqual({
      jkt: calculateThumbprint(serviceKey.publicKey.toJWK()),
    });
  });
});

describe('an exchanged card never outlives its subject card', () => {
  it('caps exp (and expires_in) at the subject card’s exp', async () => {
    const clock = testClock();
    const r = await startServer({ databaseUrl: 'memory' }, { clock });
    try {
      const ctx = r.server.services;
      await ctx.storage.audiences.upsert({
        id: 'rooms',
        name: 'rooms',
        scopes: ['x'],
        uri: null,
        createdAt: 0,
      });
      await ctx.storage.audiences.upsert({
        id: 'billing',
        name: 'billing',
        scopes: ['x'],
        uri: null,
        createdAt: 0,
      });
      await ctx.storage.roles.upsert({ name: 'guest', scopes: ['x'], createdAt: 0 });
      ctx.directory.invalidate();
      await createClient(ctx, {
        id: 'desk',
        type: 'public',
        firstParty: true,
        grants: ['password'],
        audiences: ['rooms'],
        scopes: ['x'],
      });
      const { secret } = await createClient(ctx, {
        id: 'rooms-svc',
        type: 'confidential',
        grants: [EXCHANGE],
        tokenExchange: [{ from: 'rooms', to: 'billing', scopes: ['x'] }],
      });
      await addUser(r, 'alice', PASSWORD, ['guest']);
      const subject = (
        await postJson(`${r.url}/api/login`, { username: 'alice', password: PASSWORD, client_id: 'desk' })
      ).body;
      const ttl = subject.expires_in as number;
      clock.advance((ttl - 100) * 1000);
      const res = await postForm(`${r.url}/oauth/token`, {
        grant_type: EXCHANGE,
        client_id: 'rooms-svc',
        client_secret: secret!,
        subject_token: subject.access_token,
        subject_token_type: ACCESS_TOKEN,
        audience: 'billing',
      });
      expect(res.status).toBe(200);
      expect(res.body.expires_in).toBe(100);
      expect(claimsOf(res.body.access_token).exp).toBe(claimsOf(subject.access_token).exp);
    } finally {
      await r.close();
    }
  });
});
