import { ACR } from '@keycard/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../src/index.js';
import { addAudience, postForm, postJson, startServer, testClock } from './helpers.js';
import { type CodeFlowHotel, claimsOf, codeFlowHotel, PASSWORD } from './support/code-flow.js';

const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';
const seconds = (ms: number) => Math.floor(ms / 1000);

/**
 * RFC 9470 §6.1 at the issuer: every user card states how strongly (`acr`, `amr`) and when
 * (`auth_time`) its user authenticated — the session's sign-in, never the refresh or the exchange —
 * and a client card states none of it.
 */
describe('cards carry acr, amr and auth_time (RFC 9470)', () => {
  let h: CodeFlowHotel;
  const ctx = () => h.r.server.services;
  beforeAll(async () => {
    h = await codeFlowHotel('memory');
    await addAudience(h.r, 'billing', ['rooms:read']);
    ctx().directory.invalidate();
  });
  afterAll(async () => h.close());

  it('the password grant: a password, at the sign-in; a refresh keeps both', async () => {
    const signedInAt = h.clock();
    const login = await postForm(`${h.r.url}/oauth/token`, {
      grant_type: 'password',
      client_id: 'keycard-cli',
      username: 'alice',
      password: PASSWORD,
    });
    expect(login.status).toBe(200);
    expect(claimsOf(login.body.access_token)).toMatchObject({
      acr: ACR.password,
      amr: ['pwd'],
      auth_time: seconds(signedInAt),
    });
    h.clock.advance(125_000);
    const refreshed = await postForm(`${h.r.url}/oauth/token`, {
      grant_type: 'refresh_token',
      client_id: 'keycard-cli',
      refresh_token: login.body.refresh_token,
    });
    expect(refreshed.status).toBe(200);
    const card = claimsOf(refreshed.body.access_token);
    expect(card).toMatchObject({ acr: ACR.password, amr: ['pwd'], auth_time: seconds(signedInAt) });
    expect(card.iat).toBe(seconds(h.clock()));
  });

  it('/api/login cards too', async () => {
    const login = await postJson(`${h.r.url}/api/login`, { username: 'alice', password: PASSWORD });
    expect(login.status).toBe(200);
    expect(claimsOf(login.body.access_token)).toMatchObject({
      acr: ACR.password,
      amr: ['pwd'],
      auth_time: seconds(h.clock()),
    });
  });

  it.each([
    [['pwd', 'otp', 'mfa'], ACR.mfa],
    [['pwd', 'hwk', 'mfa'], ACR.phishingResistant],
    [['hwk', 'mfa'], ACR.phishingResistant],
    [['pwd'], ACR.password],
  ])(
    'the code grant: the code’s amr %j → %s, in the card, the ID token and refreshed cards',
    async (amr, acr) => {
      const authTime = h.clock() - 42_000;
      const res = await h.exchange(h.spaForm(await h.issueCode({ amr, authTime })));
      expect(res.status).toBe(200);
      const expected = { acr, amr, auth_time: seconds(authTime) };
      expect(claimsOf(res.body.access_token)).toMatchObject(expected);
      expect(claimsOf(res.body.id_token)).toMatchObject(expected);
      h.clock.advance(60_000);
      const refreshed = await h.exchange({
        grant_type: 'refresh_token',
        client_id: 'spa',
        refresh_token: res.body.refresh_token,
      });
      expect(refreshed.status).toBe(200);
      expect(claimsOf(refreshed.body.access_token)).toMatchObject(expected);
      expect(claimsOf(refreshed.body.id_token)).toMatchObject(expected);
    },
  );

  it('token exchange keeps the subject card’s three claims; a client card carries none', async () => {
    const { secret } = await createClient(ctx(), {
      id: 'rooms-svc',
      type: 'confidential',
      grants: [EXCHANGE, 'client_credentials'] as never,
      audiences: ['rooms'],
      scopes: ['rooms:read'],
      tokenExchange: [{ from: 'rooms', to: 'billing', scopes: ['rooms:read'] }],
    });
    const authTime = h.clock() - 7_000;
    const issued = await h.issueCode({ amr: ['pwd', 'otp', 'mfa'], authTime });
    const subject = await h.exchange({ ...h.spaForm(issued), resource: 'rooms' });
    expect(subject.status).toBe(200);
    h.clock.advance(30_000);
    const exchanged = await postForm(`${h.r.url}/oauth/token`, {
      grant_type: EXCHANGE,
      client_id: 'rooms-svc',
      client_secret: secret!,
      subject_token: subject.body.access_token,
      subject_token_type: ACCESS_TOKEN,
      audience: 'billing',
    });
    expect(exchanged.status).toBe(200);
    const card = claimsOf(exchanged.body.access_token);
    expect(card).toMatchObject({
      aud: 'billing',
      act: { sub: 'rooms-svc' },
      acr: ACR.mfa,
      amr: ['pwd', 'otp', 'mfa'],
      auth_time: seconds(authTime),
    });

    const service = await postForm(`${h.r.url}/oauth/token`, {
      grant_type: 'client_credentials',
      client_id: 'rooms-svc',
      client_secret: secret!,
    });
    expect(service.status).toBe(200);
    const clientCard = claimsOf(service.body.access_token);
    expect(clientCard.sub).toBe('rooms-svc');
    for (const claim of ['acr', 'amr', 'auth_time']) expect(clientCard).not.toHaveProperty(claim);
  });
});

describe('how a card’s user authenticated is the sign-in’s to say', () => {
  it('neither user claims nor the custom-claims hook can set acr, amr or auth_time', async () => {
    const clock = testClock();
    const r = await startServer(
      { databaseUrl: 'memory' },
      {
        clock,
        customClaims: () => ({ acr: ACR.phishingResistant, amr: ['hwk', 'mfa'], auth_time: 9_999_999_999 }),
      },
    );
    try {
      const { createUser } = await import('../src/index.js');
      await createUser(r.server.services, {
        username: 'mallory',
        password: PASSWORD,
        roles: ['guest'],
        claims: { acr: ACR.mfa, amr: ['otp', 'mfa'], auth_time: 1 },
      });
      const login = await postJson(`${r.url}/api/login`, { username: 'mallory', password: PASSWORD });
      expect(login.status).toBe(200);
      expect(claimsOf(login.body.access_token)).toMatchObject({
        acr: ACR.password,
        amr: ['pwd'],
        auth_time: seconds(clock()),
      });
    } finally {
      await r.close();
    }
  });
});
