import { calculateThumbprint, createDpopProof, generateKeyPair, type PrivateKey } from '@keycard/jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../src/index.js';
import { addUser, type Body, postForm, type Running, startServer } from './helpers.js';

const PASSWORD = 'correct horse battery';
const claimsOf = (token: string): Body =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());

async function send(
  url: string,
  init: { method?: string; json?: unknown; headers?: Record<string, string> },
): Promise<{ status: number; headers: Headers; body: Body }> {
  const res = await fetch(url, {
    method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
    headers: { ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
    ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text === '' ? undefined : JSON.parse(text) };
}

describe('DPoP (RFC 9449) at the token endpoint, /api/login, /api/refresh and /api/*', () => {
  let r: Running;
  let key: PrivateKey;
  let other: PrivateKey;
  let jkt: string;
  const proof = (path: string, opts: { key?: PrivateKey; method?: string; accessToken?: string } = {}) =>
    createDpopProof(opts.key ?? key, {
      method: opts.method ?? 'POST',
      url: `${r.url}${path}`,
      ...(opts.accessToken !== undefined ? { accessToken: opts.accessToken } : {}),
    });
  const login = (headers: Record<string, string> = {}, extra: Record<string, unknown> = {}) =>
    send(`${r.url}/api/login`, { json: { username: 'alice', password: PASSWORD, ...extra }, headers });

  beforeAll(async () => {
    r = await startServer({ databaseUrl: 'memory' }, { webClientDpop: 'as-seeded' });
    key = await generateKeyPair('ES256');
    other = await generateKeyPair('EdDSA');
    jkt = calculateThumbprint(key.publicKey.toJWK());
    await addUser(r, 'alice', PASSWORD, ['manager']);
  });
  afterAll(() => r.close());

  it('the seeded web client requires a proof; keycard-cli (the README walk-through) keeps Bearer cards', async () => {
    const refused = await login();
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('ERR_INVALID_DPOP_PROOF');
    const bearer = await login({}, { client_id: 'keycard-cli' });
    expect(bearer.status).toBe(200);
    expect(bearer.body.token_type).toBe('Bearer');
    expect(claimsOf(bearer.body.access_token).cnf).toBeUndefined();
    const me = await send(`${r.url}/api/me`, {
      headers: { authorization: `Bearer ${bearer.body.access_token}` },
    });
    expect(me.status).toBe(200);
  });

  it('a proof at /api/login gives a DPoP card bound to the key and binds the session', async () => {
    const res = await login({ dpop: proof('/api/login') });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ token_type: 'DPoP', audience: 'keycard' });
    expect(claimsOf(res.body.access_token).cnf).toEqual({ jkt });
    const session = await r.server.services.storage.sessions.get(res.body.session_id);
    expect(session?.dpopJkt).toBe(jkt);
  });

  it('/api/*: a bound card needs the DPoP scheme and a fresh proof of its key for this request', async () => {
    const card = (await login({ dpop: proof('/api/login') })).body.access_token as string;
    const me = (headers: Record<string, string>) => send(`${r.url}/api/me`, { headers });
    const good = proof('/api/me', { method: 'GET', accessToken: card });
    expect((await me({ authorization: `DPoP ${card}`, dpop: good })).status).toBe(200);
    const refusals: Array<[string, Record<string, string>]> = [
      [
        'as Bearer, even with a proof',
        { authorization: `Bearer ${card}`, dpop: proof('/api/me', { method: 'GET', accessToken: card }) },
      ],
      ['without a proof', { authorization: `DPoP ${card}` }],
      ['a replayed proof', { authorization: `DPoP ${card}`, dpop: good }],
      [
        'a proof from another key',
        {
          authorization: `DPoP ${card}`,
          dpop: proof('/api/me', { key: other, method: 'GET', accessToken: card }),
        },
      ],
      [
        'a proof for another URL',
        { authorization: `DPoP ${card}`, dpop: proof('/api/sessions', { method: 'GET', accessToken: card }) },
      ],
      [
        'a proof for another method',
        { authorization: `DPoP ${card}`, dpop: proof('/api/me', { accessToken: card }) },
      ],
      ['a proof without ath', { authorization: `DPoP ${card}`, dpop: proof('/api/me', { method: 'GET' }) }],
    ];
    for (const [why, headers] of refusals) {
      const res = await me(headers);
      expect(res.status, why).toBe(401);
      expect(res.body.error.code, why).toBe('ERR_INVALID_TOKEN');
      // RFC 9449 §7.1: the DPoP scheme is answered with a DPoP challenge naming the proof.
      if (headers.authorization?.startsWith('DPoP'))
        expect(res.headers.get('www-authenticate'), why).toBe('DPoP error="invalid_dpop_proof"');
      else expect(res.headers.get('www-authenticate'), why).toBe('Bearer error="invalid_token"');
    }
    // And an unbound card is refused under the DPoP scheme.
    const bearer = (await login({}, { client_id: 'keycard-cli' })).body.access_token as string;
    const res = await me({
      authorization: `DPoP ${bearer}`,
      dpop: proof('/api/me', { method: 'GET', accessToken: bearer }),
    });
    expect(res.status).toBe(401);
  });

  it('every refresh of a bound session needs a proof of that key (invalid_dpop_proof otherwise)', async () => {
    const signedIn = await login({ dpop: proof('/api/login') });
    const rt = signedIn.body.refresh_token as string;
    const refresh = (headers: Record<string, string>) =>
      send(`${r.url}/api/refresh`, { json: { refresh_token: rt }, headers });
    for (const headers of [
      {} as Record<string, string>,
      { dpop: proof('/api/refresh', { key: other }) },
      { dpop: proof('/api/login') },
    ]) {
      const res = await refresh(headers);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('ERR_INVALID_DPOP_PROOF');
    }
    const good = proof('/api/refresh');
    const ok = await refresh({ dpop: good });
    expect(ok.status).toBe(200); // the refused attempts did not consume the token
    expect(ok.body.token_type).toBe('DPoP');
    expect(claimsOf(ok.body.access_token).cnf).toEqual({ jkt });
    const replayed = await send(`${r.url}/api/refresh`, {
      json: { refresh_token: ok.body.refresh_token },
      headers: { dpop: good },
    });
    expect(replayed.body.error.code).toBe('ERR_INVALID_DPOP_PROOF');
    // Through the OAuth endpoint the same rule answers RFC 9449's invalid_dpop_proof.
    const oauth = await postForm(`${r.url}/oauth/token`, {
      grant_type: 'refresh_token',
      client_id: 'keycard-cli',
      refresh_token: ok.body.refresh_token,
    });
    expect(oauth.body.error).toBe('invalid_grant'); // another client's session
    const unbound = await postForm(`${r.url}/oauth/token`, {
      grant_type: 'refresh_token',
      client_id: 'keycard-web',
      refresh_token: ok.body.refresh_token,
    });
    expect(unbound.status).toBe(400);
    expect(unbound.body.error).toBe('invalid_dpop_proof');
  });

  it('/oauth/token: every grant takes a proof (htu = issuer + /oauth/token); requireDpop clients need one', async () => {
    const pw = await postForm(
      `${r.url}/oauth/token`,
      { grant_type: 'password', client_id: 'keycard-web', username: 'alice', password: PASSWORD },
      { dpop: proof('/oauth/token') },
    );
    expect(pw.status).toBe(200);
    expect(pw.body.token_type).toBe('DPoP');
    const wrongUrl = await postForm(
      `${r.url}/oauth/token`,
      { grant_type: 'password', client_id: 'keycard-web', username: 'alice', password: PASSWORD },
      { dpop: proof('/api/login') },
    );
    expect(wrongUrl.body.error).toBe('invalid_dpop_proof');

    const { secret } = await createClient(r.server.services, {
      id: 'bound-svc',
      type: 'confidential',
      grants: ['client_credentials'],
      audiences: ['keycard'],
      requireDpop: true,
    });
    const form = { grant_type: 'client_credentials', client_id: 'bound-svc', client_secret: secret! };
    expect((await postForm(`${r.url}/oauth/token`, form)).body.error).toBe('invalid_dpop_proof');
    const cc = await postForm(`${r.url}/oauth/token`, form, { dpop: proof('/oauth/token') });
    expect(cc.body.token_type).toBe('DPoP');
    expect(claimsOf(cc.body.access_token).cnf).toEqual({ jkt });

    const introspected = await postForm(`${r.url}/oauth/introspect`, {
      token: cc.body.access_token,
      client_id: 'bound-svc',
      client_secret: secret!,
    });
    expect(introspected.body).toMatchObject({ active: true, token_type: 'DPoP', cnf: { jkt } });
  });
});
