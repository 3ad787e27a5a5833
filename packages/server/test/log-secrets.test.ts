import { Writable } from 'node:stream';
import { createDpopProof, generateKeyPair } from '@keycard/jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../src/index.js';
import { createLogger } from '../src/logger.js';
import { addUser, type Body, postForm, postJson, type Running, startServer } from './helpers.js';
import {
  addCodeClient,
  Browser,
  fakeWebApp,
  interactionOf,
  pkce,
  REDIRECT,
} from './support/authorize-flow.js';
import { ASSERTION_TYPE, addClient, clientKey, signAssertion } from './support/client-assertions.js';

const PASSWORD = 'correct horse battery';
const METRICS_TOKEN = 'scrape-Token_0123456789abcdefghijklmnopqrstuvwxyz';
const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';

/**
 * DESIGN.md: "no secret, password or full token ever in a log line or error message", for the
 * paths issue 8 and 9 added: DPoP proofs, the token exchange's subject_token, the metrics token
 * and the feed readers' cards; and issue 12's: the authorization request's query (login_hint,
 * state, nonce), the code and its verifier, private_key_jwt assertions, and the ID token sent back
 * as `id_token_hint` in a logout URL. The server logs at trace into a sink the test reads; every
 * value sent (good or bad) is then looked for in the log and in every answer body.
 */
describe('no secret, password or full token in a log line or an error message (new paths)', () => {
  let r: Running;
  const lines: string[] = [];
  const bodies: string[] = [];
  const secrets = new Set<string>();
  let serviceSecret = '';
  const web = fakeWebApp();

  const keep = (value: string | undefined) => {
    if (value === undefined || value.length < 16) return;
    secrets.add(value);
    // A JWS's signature segment alone is enough to tell a logged token.
    const parts = value.split('.');
    if (parts.length === 3 && parts[2]!.length >= 16) secrets.add(parts[2]!);
  };
  const seen = <T extends { body: Body }>(res: T): T => {
    bodies.push(JSON.stringify(res.body ?? null));
    return res;
  };
  const fetchText = async (url: string, headers: Record<string, string>) => {
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(5000) });
    const text = res.headers.get('content-type')?.includes('event-stream') ? '' : await res.text();
    if (text === '') await res.body?.cancel();
    bodies.push(text);
    return res.status;
  };

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    r = await startServer(
      {
        databaseUrl: 'memory',
        metrics: { token: METRICS_TOKEN },
        revocations: { requireAuth: true },
        ui: { staticDir: web.dir },
      },
      { logger: createLogger('trace', sink), webClientDpop: 'as-seeded' },
    );
    const ctx = r.server.services;
    for (const id of ['rooms', 'billing'])
      await ctx.storage.audiences.upsert({
        id,
        name: id,
        scopes: ['billing:charge'],
        uri: null,
        createdAt: 0,
      });
    await ctx.storage.roles.upsert({ name: 'guest', scopes: ['billing:charge'], createdAt: 0 });
    ctx.directory.invalidate();
    await createClient(ctx, {
      id: 'desk',
      type: 'public',
      firstParty: true,
      grants: ['password', 'refresh_token'],
      audiences: ['keycard', 'rooms'],
      scopes: ['billing:charge'],
    });
    const { secret } = await createClient(ctx, {
      id: 'rooms-svc',
      type: 'confidential',
      grants: [EXCHANGE, 'client_credentials'] as never,
      audiences: ['keycard'],
      scopes: ['revocations:read'],
      tokenExchange: [{ from: 'rooms', to: 'billing', scopes: ['billing:charge'] }],
    });
    serviceSecret = secret!;
    keep(serviceSecret);
    keep(PASSWORD);
    keep(METRICS_TOKEN);
    await addUser(r, 'alice', PASSWORD, ['guest']);
  });
  afterAll(async () => {
    await r?.close();
    web.remove();
  });

  it('DPoP proofs (good, for another URL, replayed) at /api/login, /oauth/token and /api/me', async () => {
    const key = await generateKeyPair('ES256');
    const proof = (path: string, method = 'POST', accessToken?: string) =>
      createDpopProof(key, {
        method,
        url: `${r.url}${path}`,
        ...(accessToken !== undefined ? { accessToken } : {}),
      });
    const good = await proof('/api/login');
    keep(good);
    const login = seen(
      await postJson(`${r.url}/api/login`, { username: 'alice', password: PASSWORD }, { dpop: good }),
    );
    expect(login.status).toBe(200);
    keep(login.body.access_token);
    keep(login.body.refresh_token);
    const replayed = seen(
      await postJson(`${r.url}/api/login`, { username: 'alice', password: PASSWORD }, { dpop: good }),
    );
    expect(replayed.status).toBe(400);
    const elsewhere = await proof('/somewhere-else');
    keep(elsewhere);
    expect(
      seen(
        await postJson(`${r.url}/api/login`, { username: 'alice', password: PASSWORD }, { dpop: elsewhere }),
      ).status,
    ).toBe(400);

    const tokenProof = await proof('/oauth/token');
    keep(tokenProof);
    const oauth = seen(
      await postForm(
        `${r.url}/oauth/token`,
        {
          grant_type: 'password',
          client_id: 'desk',
          username: 'alice',
          password: PASSWORD,
          audience: 'rooms',
        },
        { dpop: tokenProof },
      ),
    );
    expect(oauth.status).toBe(200);
    keep(oauth.body.access_token);
    keep(oauth.body.refresh_token);
    const refresh = seen(
      await postForm(`${r.url}/oauth/token`, {
        grant_type: 'refresh_token',
        client_id: 'desk',
        refresh_token: oauth.body.refresh_token,
      }),
    );
    expect(refresh.status).toBe(400); // a bound refresh token needs a proof

    const meProof = await proof('/api/me', 'GET', login.body.access_token);
    keep(meProof);
    const me = await fetchText(`${r.url}/api/me`, {
      authorization: `DPoP ${login.body.access_token}`,
      dpop: meProof,
    });
    expect(me).toBe(200);
    expect(
      await fetchText(`${r.url}/api/me`, { authorization: `DPoP ${login.body.access_token}`, dpop: meProof }),
    ).toBe(401);
    expect(await fetchText(`${r.url}/api/me`, { authorization: `Bearer ${login.body.access_token}` })).toBe(
      401,
    );
  });

  it('token exchange: the subject_token, accepted or refused, and the client secret', async () => {
    const rooms = seen(
      await postJson(`${r.url}/api/login`, {
        username: 'alice',
        password: PASSWORD,
        client_id: 'desk',
        audience: 'rooms',
      }),
    );
    expect(rooms.status).toBe(200);
    keep(rooms.body.access_token);
    keep(rooms.body.refresh_token);
    const exchange = (subject: string, extra: Record<string, string> = {}) =>
      postForm(`${r.url}/oauth/token`, {
        grant_type: EXCHANGE,
        client_id: 'rooms-svc',
        client_secret: serviceSecret,
        subject_token: subject,
        subject_token_type: ACCESS_TOKEN,
        audience: 'billing',
        ...extra,
      });
    const ok = seen(await exchange(rooms.body.access_token));
    expect(ok.status).toBe(200);
    keep(ok.body.access_token);
    const keycardCard = seen(
      await postJson(`${r.url}/api/login`, { username: 'alice', password: PASSWORD, client_id: 'desk' }),
    );
    keep(keycardCard.body.access_token);
    keep(keycardCard.body.refresh_token);
    // Refused: a card for the wrong audience, a forged card, a wider scope, a wrong secret.
    expect(seen(await exchange(keycardCard.body.access_token)).status).toBe(400);
    const forged = `${rooms.body.access_token.slice(0, -8)}AAAAAAAA`;
    keep(forged);
    expect(seen(await exchange(forged)).status).toBe(400);
    expect(seen(await exchange(rooms.body.access_token, { scope: 'billing:refund' })).status).toBe(400);
    const wrongSecret = 'not-the-secret-0123456789abcdefghijklmnop';
    keep(wrongSecret);
    const refused = seen(
      await postForm(`${r.url}/oauth/token`, {
        grant_type: EXCHANGE,
        client_id: 'rooms-svc',
        client_secret: wrongSecret,
        subject_token: rooms.body.access_token,
        subject_token_type: ACCESS_TOKEN,
        audience: 'billing',
      }),
    );
    expect(refused.status).toBe(401);
  });

  it('the metrics token and the feed readers’ cards, right and wrong', async () => {
    expect(await fetchText(`${r.url}/metrics`, { authorization: `Bearer ${METRICS_TOKEN}` })).toBe(200);
    const guess = 'guessed-metrics-token-0123456789abcdefghij';
    keep(guess);
    expect(await fetchText(`${r.url}/metrics`, { authorization: `Bearer ${guess}` })).toBe(401);

    const card = seen(
      await postForm(`${r.url}/oauth/token`, {
        grant_type: 'client_credentials',
        client_id: 'rooms-svc',
        client_secret: serviceSecret,
        scope: 'revocations:read',
      }),
    );
    expect(card.status).toBe(200);
    keep(card.body.access_token);
    const authorization = `Bearer ${card.body.access_token}`;
    expect(await fetchText(`${r.url}/revocations`, { authorization })).toBe(200);
    expect(await fetchText(`${r.url}/revocations/stream`, { authorization })).toBe(200);
    const bad = `${card.body.access_token.slice(0, -8)}AAAAAAAA`;
    keep(bad);
    expect(await fetchText(`${r.url}/revocations`, { authorization: `Bearer ${bad}` })).toBe(401);
    expect(await fetchText(`${r.url}/revocations/stream`, { authorization: `Bearer ${bad}` })).toBe(401);
  });

  it('the code flow: the authorization URL, the code and its verifier, the ID token as a logout hint', async () => {
    const username = 'hortense.longname@hotel.example';
    await addUser(r, username, PASSWORD, ['guest']);
    keep(username);
    await addCodeClient(r, {
      id: 'code-app',
      firstParty: true,
      scopes: ['openid', 'profile', 'billing:charge'],
      audiences: ['rooms'],
      postLogoutRedirectUris: ['https://app.example.com/bye'],
    });
    const { verifier, challenge } = pkce();
    const query = {
      response_type: 'code',
      client_id: 'code-app',
      redirect_uri: REDIRECT,
      scope: 'openid profile',
      state: 'state-value-0123456789abcdef',
      nonce: 'nonce-value-0123456789abcdef',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      login_hint: username,
    };
    for (const value of [verifier, challenge, query.state, query.nonce]) keep(value);
    const browser = new Browser();
    const start = await browser.authorize(r.url, query);
    const interaction = interactionOf(start.location);
    keep(interaction);
    const login = await browser.call(r.url, 'login', { interaction, username, password: PASSWORD });
    expect(login.status).toBe(200);
    const code = new URL(login.body.redirect).searchParams.get('code') ?? '';
    keep(code);
    const tokens = seen(
      await postForm(`${r.url}/oauth/token`, {
        grant_type: 'authorization_code',
        client_id: 'code-app',
        code,
        redirect_uri: REDIRECT,
        code_verifier: verifier,
      }),
    );
    expect(tokens.status).toBe(200);
    for (const value of [tokens.body.access_token, tokens.body.refresh_token, tokens.body.id_token])
      keep(value);
    // The code again (refused), then the ID token back as a logout hint in a URL.
    expect(
      seen(
        await postForm(`${r.url}/oauth/token`, {
          grant_type: 'authorization_code',
          client_id: 'code-app',
          code,
          redirect_uri: REDIRECT,
          code_verifier: verifier,
        }),
      ).status,
    ).toBe(400);
    const logout = new URLSearchParams({
      id_token_hint: tokens.body.id_token,
      client_id: 'code-app',
      post_logout_redirect_uri: 'https://app.example.com/bye',
      state: query.state,
    });
    const res = await fetch(`${r.url}/oauth/logout?${logout}`, { redirect: 'manual' });
    await res.text();
    expect(res.status).toBe(303);
    // And an authorization request as a form.
    const form = await fetch(`${r.url}/oauth/authorize`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(query),
    });
    await form.text();
    expect(form.status).toBe(303);
  });

  it('private_key_jwt assertions, accepted and replayed', async () => {
    const key = await clientKey('ES256', 'log-key-1');
    await addClient(r.server.services.storage, 'keyed-svc', {
      keys: [key],
      audiences: ['billing'],
      scopes: ['billing:charge'],
    });
    r.server.services.directory.invalidate();
    const assertion = await signAssertion(key, 'keyed-svc', r.url, r.server.services.clock());
    keep(assertion);
    const call = () =>
      postForm(`${r.url}/oauth/token`, {
        grant_type: 'client_credentials',
        client_assertion_type: ASSERTION_TYPE,
        client_assertion: assertion,
      });
    const ok = seen(await call());
    expect(ok.status).toBe(200);
    keep(ok.body.access_token);
    expect(seen(await call()).status).toBe(401);
  });

  it('request fields holding secrets are redacted wherever a line logs them; error codes are not', () => {
    const probe = {
      code: 'probe-authorization-code-0123456789',
      code_verifier: 'probe-code-verifier-0123456789abcdef',
      client_assertion: 'probe-client-assertion-0123456789',
      logout_token: 'probe-logout-token-0123456789abcdef',
      interaction: 'probe-sealed-interaction-0123456789',
      id_token_hint: 'probe-id-token-hint-0123456789abcdef',
      login_hint: 'probe-login-hint-0123456789abcdef',
    };
    for (const value of Object.values(probe)) keep(value);
    const { code: _code, ...fields } = probe;
    r.server.services.logger.info({ body: probe, query: { code: probe.code }, ...fields }, 'probe');
    r.server.services.logger.info({ code: 'ERR_PROBE_CODE' }, 'probe rejected');
    const log = lines.join('');
    expect(log).toContain('ERR_PROBE_CODE');
    expect(log).toContain('probe rejected');
  });

  it('none of those values is in the log or in any answer', () => {
    const log = lines.join('');
    // The server did log these requests (so an empty log cannot pass the test).
    expect(log).toMatch(/\/oauth\/token/);
    expect(log).toMatch(/\/revocations/);
    expect(secrets.size).toBeGreaterThan(20);
    for (const secret of secrets) {
      expect(log.includes(secret), `log contains ${secret.slice(0, 12)}…`).toBe(false);
      for (const body of bodies) {
        // The server's answers hand out cards and refresh tokens on purpose; error answers do not.
        if (body.includes('"error"') || !body.startsWith('{"access_token"'))
          expect(body.includes(secret), `answer ${body.slice(0, 80)} contains ${secret.slice(0, 12)}…`).toBe(
            false,
          );
      }
    }
    // Their paths and parameter names, with the values of the few harmless ones only.
    expect(log).toContain('/oauth/logout?id_token_hint&client_id=code-app&post_logout_redirect_uri&state');
    expect(log).toMatch(
      /\/oauth\/authorize\?response_type=code&client_id=code-app&redirect_uri&scope&state&nonce/,
    );
  });
});
