// Every rule a code-flow client's registration is checked against, through the admin API: each
// refusal is 400 ERR_VALIDATION whose message names the field (and the URI's or key's position).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, type Body, postJson, type Running, startServer } from './helpers.js';
import { ecKeyPair, ed25519PublicJwk, rsaPrivateJwk, rsaPublicJwk } from './support/client-keys.js';

const PASSWORD = 'correct horse battery';
const CODE_FLOW = { type: 'public', grants: ['authorization_code'] } as const;
const CB = 'https://app.example.com/cb';

describe('code-flow client registration rules', () => {
  let r: Running;
  let admin: string;
  let n = 0;
  /** POSTs a new client (a fresh id each time) and returns the answer. */
  const register = async (fields: Record<string, unknown>): Promise<{ status: number; body: Body }> => {
    const res = await fetch(`${r.url}/api/admin/clients`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: `rules-${++n}`, ...fields }),
    });
    return { status: res.status, body: await res.json() };
  };
  const refused = async (fields: Record<string, unknown>, message: RegExp) => {
    const res = await register(fields);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.code).toBe('ERR_VALIDATION');
    expect(res.body.error.message).toMatch(message);
  };
  const accepted = async (fields: Record<string, unknown>) => {
    const res = await register(fields);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  };

  beforeAll(async () => {
    r = await startServer();
    await addUser(r, 'boss', PASSWORD, ['manager']);
    admin = (await postJson(`${r.url}/api/login`, { username: 'boss', password: PASSWORD })).body
      .access_token;
  });
  afterAll(() => r.close());

  describe('redirect URIs and the authorization_code grant', () => {
    it('the grant needs at least one redirect URI', async () => {
      await refused(CODE_FLOW, /^redirectUris: the authorization_code grant needs at least one redirect URI/);
    });

    it('redirect URIs without the grant are refused, saying why', async () => {
      await refused(
        { type: 'public', grants: ['refresh_token'], redirectUris: [CB] },
        /^redirectUris: only a client with the authorization_code grant is redirected to/,
      );
      await refused(
        { type: 'public', grants: ['refresh_token'], postLogoutRedirectUris: [CB] },
        /^postLogoutRedirectUris: only a client with the authorization_code grant/,
      );
      await refused(
        { type: 'confidential', grants: ['client_credentials'], backchannelLogoutUri: CB },
        /^backchannelLogoutUri: only a client with the authorization_code grant/,
      );
    });

    it('accepts https, loopback http on any port, and private-use schemes', async () => {
      const body = await accepted({
        ...CODE_FLOW,
        redirectUris: [CB, 'http://127.0.0.1:51004/cb', 'http://[::1]:8080/cb', 'com.example.app:/oauth'],
      });
      expect(body.redirectUris).toHaveLength(4);
    });

    it.each([
      ['https://app.example.com/cb#top', /^redirectUris\[0\]: must not contain a fragment/],
      ['http://app.example.com/cb', /^redirectUris\[0\]: http is allowed only for the loopback/],
      ['http://localhost:3000/cb', /^redirectUris\[0\]: use http:\/\/127\.0\.0\.1/],
      ['https://*.example.com/cb', /^redirectUris\[0\]: must not contain a wildcard/],
      ['/cb', /^redirectUris\[0\]: must be an absolute URI/],
      ['javascript:alert(1)', /^redirectUris\[0\]: must use https/],
    ])('refuses the redirect URI %s', async (uri, message) => {
      await refused({ ...CODE_FLOW, redirectUris: [uri] }, message);
    });

    it('refuses a repeated redirect URI and more than 20', async () => {
      await refused({ ...CODE_FLOW, redirectUris: [CB, CB] }, /^redirectUris: each URI may be listed once/);
      const many = Array.from({ length: 21 }, (_, i) => `${CB}${i}`);
      await refused({ ...CODE_FLOW, redirectUris: many }, /redirectUris/);
    });

    it('checks post-logout redirect URIs by the same rules', async () => {
      const ok = await accepted({
        ...CODE_FLOW,
        redirectUris: [CB],
        postLogoutRedirectUris: ['http://127.0.0.1:9/bye'],
      });
      expect(ok.postLogoutRedirectUris).toEqual(['http://127.0.0.1:9/bye']);
      await refused(
        { ...CODE_FLOW, redirectUris: [CB], postLogoutRedirectUris: [CB, 'https://app.example.com/bye#x'] },
        /^postLogoutRedirectUris\[1\]: must not contain a fragment/,
      );
      await refused(
        { ...CODE_FLOW, redirectUris: [CB], postLogoutRedirectUris: ['http://app.example.com/bye'] },
        /^postLogoutRedirectUris\[0\]: http is allowed only for the loopback/,
      );
    });
  });

  describe('the back-channel logout URI', () => {
    it.each([
      'https://app.example.com/backchannel?tenant=a',
      'https://app.example.com:8443/bc',
      'http://127.0.0.1:4100/bc',
      'http://[::1]/bc',
      'http://localhost:3000/bc',
    ])('accepts %s', async (uri) => {
      expect(
        (await accepted({ ...CODE_FLOW, redirectUris: [CB], backchannelLogoutUri: uri }))
          .backchannelLogoutUri,
      ).toBe(uri);
    });

    it.each([
      [
        'http on another host',
        'http://app.example.com/bc',
        /must use https \(http only on the loopback hosts/,
      ],
      ['a fragment', 'https://app.example.com/bc#frag', /must not contain a fragment/],
      ['a relative URL', '/bc', /must be an absolute URL/],
      ['another scheme', 'ftp://app.example.com/bc', /must use https/],
      ['user info', 'https://user:pw@app.example.com/bc', /must not contain user info/],
      ['an empty string', '', /must be a non-empty string/],
      [
        '2049 characters',
        `https://app.example.com/${'a'.repeat(2049 - 24)}`,
        /must be at most 2048 characters/,
      ],
    ])('refuses %s', async (_name, uri, message) => {
      await refused(
        { ...CODE_FLOW, redirectUris: [CB], backchannelLogoutUri: uri },
        new RegExp(`^backchannelLogoutUri: ${message.source}`),
      );
    });

    it('refuses one longer than the API takes at all', async () => {
      await refused(
        { ...CODE_FLOW, redirectUris: [CB], backchannelLogoutUri: `https://a.example/${'a'.repeat(9000)}` },
        /backchannelLogoutUri/,
      );
    });
  });

  describe('jwks (private_key_jwt keys)', () => {
    const CONFIDENTIAL = { type: 'confidential', grants: ['client_credentials'], secret: false } as const;
    const withKeys = (...keys: unknown[]) => ({ ...CONFIDENTIAL, jwks: { keys } });

    it('accepts up to 10 public EC, RSA and Ed25519 keys with distinct kids', async () => {
      const keys = [
        ...Array.from({ length: 8 }, (_, i) => ecKeyPair(`ec-${i}`).publicJwk),
        rsaPublicJwk('rsa', 2048, 'PS256'),
        ed25519PublicJwk('ed'),
      ];
      const body = await accepted(withKeys(...keys));
      expect(body.jwks.keys.map((k: { kid: string }) => k.kid)).toEqual(keys.map((k) => k.kid));
    });

    it('refuses a private key, naming the member, and keeps nothing', async () => {
      await refused(withKeys(ecKeyPair('p').privateJwk), /^jwks\.keys\[0\]: has the private member "d"/);
      await refused(
        withKeys(ecKeyPair('ok').publicJwk, rsaPrivateJwk('p')),
        /^jwks\.keys\[1\]: has the private member "d"/,
      );
      const { d: _d, ...crt } = rsaPrivateJwk('crt');
      await refused(withKeys(crt), /^jwks\.keys\[0\]: has the private member "p"/);
    });

    it('refuses a symmetric key', async () => {
      await refused(
        withKeys({ kty: 'oct', k: Buffer.alloc(32, 1).toString('base64url'), kid: 's', alg: 'HS256' }),
        /^jwks\.keys\[0\]: a symmetric \(oct\) key cannot be registered/,
      );
    });

    it('requires a unique kid and an alg on each key', async () => {
      const { kid: _kid, ...noKid } = ecKeyPair('x').publicJwk;
      await refused(withKeys(noKid), /^jwks\.keys\[0\]: kid is required/);
      await refused(withKeys({ ...ecKeyPair('x').publicJwk, kid: '' }), /^jwks\.keys\[0\]: kid is required/);
      await refused(
        withKeys(ecKeyPair('same').publicJwk, ecKeyPair('same').publicJwk),
        /^jwks\.keys\[1\]: kid "same" is used by another key/,
      );
      const { alg: _alg, ...noAlg } = ecKeyPair('y').publicJwk;
      await refused(withKeys(noAlg), /^jwks\.keys\[0\]: alg is required/);
    });

    it.each([
      ['an alg the key does not fit', { alg: 'HS256' }, /kty EC does not fit HS256/],
      ['alg none', { alg: 'none' }, /unsupported JWK alg/],
      ['use enc', { use: 'enc' }, /use must be "sig"/],
      [
        'a point of the wrong size',
        { x: Buffer.alloc(40, 1).toString('base64url') },
        /longer than the curve/,
      ],
      ['a point off the curve', { x: Buffer.alloc(32, 7).toString('base64url') }, /could not be imported/],
    ])('refuses %s', async (_name, change, message) => {
      await refused(
        withKeys({ ...ecKeyPair('bad').publicJwk, ...change }),
        new RegExp(`^jwks\\.keys\\[0\\]: not an importable public key: .*${message.source}`),
      );
    });

    it('refuses an RSA key shorter than 2048 bits', async () => {
      await refused(withKeys(rsaPublicJwk('short', 1024)), /^jwks\.keys\[0\]: not an importable public key/);
    });

    it('refuses no keys, more than 10, and more than 16 KiB of JSON', async () => {
      await refused(withKeys(), /jwks\.keys/);
      await refused(
        withKeys(...Array.from({ length: 11 }, (_, i) => ecKeyPair(`k${i}`).publicJwk)),
        /jwks\.keys/,
      );
      const big = { ...ecKeyPair('big').publicJwk, x5c: ['A'.repeat(17 * 1024)] };
      await refused(withKeys(big), /^jwks: at most 16384 bytes of JSON/);
      await refused({ ...CONFIDENTIAL, jwks: [ecKeyPair('arr').publicJwk] }, /jwks/);
    });

    it('checks keys given in a change like keys given at creation', async () => {
      const created = await accepted(withKeys(ecKeyPair('first').publicJwk));
      const res = await fetch(`${r.url}/api/admin/clients/${created.id}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ jwks: { keys: [ecKeyPair('second').privateJwk] } }),
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as Body).error.message).toMatch(
        /^jwks\.keys\[0\]: has the private member "d"/,
      );
      const stored = await r.server.services.storage.clients.get(created.id);
      expect(stored?.jwks?.keys.map((k) => k['kid'])).toEqual(['first']);
    });
  });
});
