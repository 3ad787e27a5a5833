// private_key_jwt client authentication (RFC 7523 §2.2, OpenID Connect Core §9): clients that
// registered public keys sign a short-lived, single-use assertion instead of sending a secret.
import { createHash } from 'node:crypto';
import { exportJWK, exportSPKI, importJWK } from 'jose';
import * as openid from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticateClient } from '../src/index.js';
import { addAudience, type Body, postForm, type Running, startServer, testClock } from './helpers.js';
import {
  ASSERTION_TYPE,
  type AssertionOptions,
  addClient,
  type ClientKey,
  clientKey,
  segment,
  signAssertion,
} from './support/client-assertions.js';

const ISSUER = 'http://keycard.test';
const TOKEN_URL = `${ISSUER}/oauth/token`;
const SECRET = 'a-client-secret-for-tests';
const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

describe('private_key_jwt client authentication', () => {
  const clock = testClock();
  let r: Running;
  const keys: Record<string, ClientKey> = {};

  beforeAll(async () => {
    r = await startServer({ issuer: ISSUER }, { clock });
    const storage = r.server.services.storage;
    await addAudience(r, 'rooms', ['rooms:read']);
    keys['es'] = await clientKey('ES256', 'es-1');
    keys['ed'] = await clientKey('EdDSA', 'ed-1');
    // Registered without alg: an RSA key without alg is bound to RS256.
    keys['rs'] = await clientKey('RS256', 'rs-1', { withAlg: false });
    keys['ps'] = await clientKey('PS256', 'ps-1');
    keys['other'] = await clientKey('ES256', 'es-1');
    keys['two-a'] = await clientKey('ES256', 'two-a');
    keys['two-b'] = await clientKey('ES256', 'two-b');
    await addClient(storage, 'svc-es', { keys: [keys['es']!] });
    await addClient(storage, 'svc-ed', { keys: [keys['ed']!] });
    await addClient(storage, 'svc-rs', { keys: [keys['rs']!] });
    await addClient(storage, 'svc-ps', { keys: [keys['ps']!] });
    await addClient(storage, 'svc-two', { keys: [keys['two-a']!, keys['two-b']!] });
    await addClient(storage, 'svc-both', { keys: [keys['es']!], secretHash: sha256Hex(SECRET) });
    await addClient(storage, 'svc-secret', { secretHash: sha256Hex(SECRET) });
    await addClient(storage, 'app-public', {
      type: 'public',
      grants: ['refresh_token'],
      keys: [keys['es']!],
    });
  });
  afterAll(async () => {
    await r?.close();
  });

  const assertion = (
    name: string,
    clientId: string,
    opts: AssertionOptions & { aud?: string | string[] } = {},
  ) => signAssertion(keys[name]!, clientId, opts.aud ?? ISSUER, clock(), opts);
  const token = (form: Record<string, string>, headers: Record<string, string> = {}) =>
    postForm(`${r.url}/oauth/token`, { grant_type: 'client_credentials', ...form }, headers);
  const withAssertion = (clientAssertion: string, form: Record<string, string> = {}) =>
    token({ client_assertion_type: ASSERTION_TYPE, client_assertion: clientAssertion, ...form });
  const refused = (res: { status: number; headers: Headers; body: Body }) => {
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ error: 'invalid_client', code: 'ERR_INVALID_CLIENT' });
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic /);
  };
  /** Refused with the one generic description: which check failed is not told. */
  const refusedSilently = (res: { status: number; headers: Headers; body: Body }) => {
    refused(res);
    expect(res.body.error_description).toBe('Client authentication failed');
  };

  it.each([
    ['ES256', 'es', 'svc-es'],
    ['EdDSA', 'ed', 'svc-ed'],
    ['RS256 (a key registered without alg)', 'rs', 'svc-rs'],
    ['PS256', 'ps', 'svc-ps'],
  ])('a %s client gets a card by client_credentials', async (_, name, clientId) => {
    const res = await withAssertion(await assertion(name, clientId));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ token_type: 'Bearer', scope: 'rooms:read' });
    const claims = JSON.parse(Buffer.from(res.body.access_token.split('.')[1], 'base64url').toString());
    expect(claims).toMatchObject({ sub: clientId, client_id: clientId, aud: 'rooms' });
  });

  it('aud is the issuer (a string, or a one-element array for RFC 7523 clients); client_id may come along', async () => {
    expect((await withAssertion(await assertion('es', 'svc-es', { aud: ISSUER }))).status).toBe(200);
    expect((await withAssertion(await assertion('es', 'svc-es', { aud: [ISSUER] }))).status).toBe(200);
    const named = await withAssertion(await assertion('es', 'svc-es'), { client_id: 'svc-es' });
    expect(named.status).toBe(200);
  });

  it('refuses an endpoint URL as aud, even this server’s own (draft-ietf-oauth-rfc7523bis)', async () => {
    for (const path of ['/oauth/token', '/oauth/revoke', '/oauth/introspect'])
      refusedSilently(await withAssertion(await assertion('es', 'svc-es', { aud: `${ISSUER}${path}` })));
    // An array naming anything besides the issuer: an audience-injection vector, refused.
    for (const aud of [
      [ISSUER, TOKEN_URL],
      ['https://elsewhere.example', ISSUER],
      [TOKEN_URL],
      [],
      [ISSUER, ISSUER],
    ])
      refusedSilently(await withAssertion(await assertion('es', 'svc-es', { aud })));
  });

  it('an RSA key registered without alg is RS256 only: a PS256 assertion with it is refused', async () => {
    const rs = keys['rs']!;
    // The same RSA private key, for PSS (WebCrypto binds a key object to one algorithm).
    const pss = {
      ...rs,
      alg: 'PS256',
      privateKey: (await importJWK(await exportJWK(rs.privateKey), 'PS256')) as CryptoKey,
    };
    refusedSilently(await withAssertion(await signAssertion(pss, 'svc-rs', ISSUER, clock())));
    expect((await withAssertion(await signAssertion(rs, 'svc-rs', ISSUER, clock()))).status).toBe(200);
  });

  it('refuses an assertion signed by another key under the registered kid', async () => {
    refusedSilently(await withAssertion(await assertion('other', 'svc-es')));
  });

  it('refuses an unknown kid, and a kid of another client', async () => {
    refusedSilently(await withAssertion(await assertion('es', 'svc-es', { header: { kid: 'nope' } })));
    refusedSilently(await withAssertion(await assertion('ed', 'svc-es')));
  });

  it('picks the key by kid; without kid only the one key of its algorithm', async () => {
    expect((await withAssertion(await assertion('two-b', 'svc-two'))).status).toBe(200);
    expect((await withAssertion(await assertion('two-a', 'svc-two'))).status).toBe(200);
    const noKid = { header: { kid: undefined } };
    refusedSilently(await withAssertion(await assertion('two-a', 'svc-two', noKid)));
    expect((await withAssertion(await assertion('es', 'svc-es', noKid))).status).toBe(200);
  });

  it('refuses alg none in any spelling', async () => {
    const now = Math.floor(clock() / 1000);
    const claims = { iss: 'svc-es', sub: 'svc-es', aud: ISSUER, iat: now, exp: now + 60, jti: 'none-1' };
    for (const alg of ['none', 'None', 'NONE']) {
      const unsigned = `${segment({ alg, kid: 'es-1' })}.${segment(claims)}.`;
      refusedSilently(await withAssertion(unsigned));
    }
  });

  it('refuses HS256 signed with the public key as the secret (key confusion)', async () => {
    const publicKey = await importJWK(keys['rs']!.jwk, 'RS256');
    const pem = await exportSPKI(publicKey as CryptoKey);
    for (const secret of [pem, JSON.stringify(keys['rs']!.jwk)]) {
      const forged = await signAssertion(
        { ...keys['rs']!, alg: 'HS256', privateKey: new TextEncoder().encode(secret) as never },
        'svc-rs',
        ISSUER,
        clock(),
      );
      refusedSilently(await withAssertion(forged));
    }
  });

  it('refuses embedded or referenced keys and foreign token types in the header', async () => {
    const { jwk } = keys['es']!;
    refusedSilently(await withAssertion(await assertion('es', 'svc-es', { header: { jwk } })));
    const jku = { jku: 'https://attacker.example/jwks.json' };
    refusedSilently(await withAssertion(await assertion('es', 'svc-es', { header: jku })));
    const x5u = { x5u: 'https://attacker.example/cert.pem' };
    refusedSilently(await withAssertion(await assertion('es', 'svc-es', { header: x5u })));
    refusedSilently(await withAssertion(await assertion('es', 'svc-es', { header: { typ: 'at+jwt' } })));
    const typed = await assertion('es', 'svc-es', { header: { typ: 'client-authentication+jwt' } });
    expect((await withAssertion(typed)).status).toBe(200);
  });

  it('refuses iss or sub other than the client, and a client_id that names another client', async () => {
    refusedSilently(await withAssertion(await assertion('es', 'svc-es', { claims: { iss: 'svc-ed' } })));
    refusedSilently(await withAssertion(await assertion('es', 'svc-es', { claims: { iss: undefined } })));
    refusedSilently(await withAssertion(await assertion('es', 'svc-es', { claims: { sub: 'svc-ed' } })));
    refusedSilently(await withAssertion(await assertion('es', 'svc-es', { claims: { sub: undefined } })));
    refusedSilently(await withAssertion(await assertion('es', 'svc-es'), { client_id: 'svc-ed' }));
  });

  it('refuses an aud that is another server, another spelling of this one, or missing', async () => {
    for (const aud of ['https://other.example', 'https://other.example/oauth/token', `${ISSUER}/`])
      refusedSilently(await withAssertion(await assertion('es', 'svc-es', { aud })));
    refusedSilently(await withAssertion(await assertion('es', 'svc-es', { claims: { aud: undefined } })));
  });

  it('exp is required, checked with the leeway, and at most 5 minutes (plus the leeway) ahead', async () => {
    const now = Math.floor(clock() / 1000);
    const leeway = r.server.services.config.tokens.leeway;
    refusedSilently(await withAssertion(await assertion('es', 'svc-es', { claims: { exp: undefined } })));
    const stale = { exp: now - leeway, iat: now - 120 };
    refusedSilently(await withAssertion(await assertion('es', 'svc-es', { claims: stale })));
    const late = { exp: now - leeway + 1, iat: now - 120 };
    expect((await withAssertion(await assertion('es', 'svc-es', { claims: late }))).status).toBe(200);
    const far = { exp: now + 300 + leeway + 1 };
    refusedSilently(await withAssertion(await assertion('es', 'svc-es', { claims: far })));
    const edge = { exp: now + 300 + leeway };
    expect((await withAssertion(await assertion('es', 'svc-es', { claims: edge }))).status).toBe(200);
  });

  it('refuses iat or nbf in the future beyond the leeway', async () => {
    const now = Math.floor(clock() / 1000);
    const leeway = r.server.services.config.tokens.leeway;
    for (const name of ['iat', 'nbf']) {
      const ahead = { [name]: now + leeway + 5, exp: now + 120 };
      refusedSilently(await withAssertion(await assertion('es', 'svc-es', { claims: ahead })));
      const within = { [name]: now + leeway, exp: now + 120 };
      expect((await withAssertion(await assertion('es', 'svc-es', { claims: within }))).status).toBe(200);
    }
  });

  it('jti is required and single-use while the assertion could be valid', async () => {
    refusedSilently(await withAssertion(await assertion('es', 'svc-es', { claims: { jti: undefined } })));
    refusedSilently(await withAssertion(await assertion('es', 'svc-es', { claims: { jti: '' } })));
    const once = await assertion('es', 'svc-es', { claims: { jti: 'jti-once' } });
    expect((await withAssertion(once)).status).toBe(200);
    refusedSilently(await withAssertion(once));
    // A new assertion reusing the jti is a replay too; the same jti of another client is not.
    refusedSilently(await withAssertion(await assertion('es', 'svc-es', { claims: { jti: 'jti-once' } })));
    const otherClient = await assertion('ed', 'svc-ed', { claims: { jti: 'jti-once' } });
    expect((await withAssertion(otherClient)).status).toBe(200);
    // Concurrent duplicates: exactly one passes.
    const race = await assertion('es', 'svc-es', { claims: { jti: 'jti-race' } });
    const results = await Promise.all(Array.from({ length: 8 }, () => withAssertion(race)));
    expect(results.filter((res) => res.status === 200)).toHaveLength(1);
  });

  it('refuses a replay until the assertion has expired, whatever its exp', async () => {
    const now = Math.floor(clock() / 1000);
    const leeway = r.server.services.config.tokens.leeway;
    const longest = await assertion('es', 'svc-es', { claims: { exp: now + 300 + leeway } });
    expect((await withAssertion(longest)).status).toBe(200);
    clock.advance((300 + 2 * leeway - 1) * 1000);
    refusedSilently(await withAssertion(longest));
    clock.advance(1000);
    refusedSilently(await withAssertion(longest)); // expired now, and refused as such
  });

  it('one authentication method per request (RFC 6749 §2.3)', async () => {
    const basic = { authorization: `Basic ${Buffer.from(`svc-both:${SECRET}`).toString('base64')}` };
    refused(
      await token(
        { client_assertion_type: ASSERTION_TYPE, client_assertion: await assertion('es', 'svc-both') },
        basic,
      ),
    );
    refused(await withAssertion(await assertion('es', 'svc-both'), { client_secret: SECRET }));
    refused(
      await withAssertion(await assertion('es', 'svc-both'), {
        client_id: 'svc-both',
        client_secret: SECRET,
      }),
    );
    // Each alone works for a client with both a secret and keys.
    expect((await token({}, basic)).status).toBe(200);
    expect((await token({ client_id: 'svc-both', client_secret: SECRET })).status).toBe(200);
    expect((await withAssertion(await assertion('es', 'svc-both'))).status).toBe(200);
  });

  it('authenticateClient refuses a secret and an assertion together when called directly', async () => {
    const clientAssertion = await assertion('es', 'svc-both');
    const both = { clientId: 'svc-both', clientSecret: SECRET, clientAssertion };
    await expect(authenticateClient(r.server.services, both)).rejects.toMatchObject({
      code: 'ERR_INVALID_CLIENT',
    });
    const alone = { clientId: undefined, clientSecret: undefined, clientAssertion };
    await expect(authenticateClient(r.server.services, alone)).resolves.toMatchObject({ id: 'svc-both' });
  });

  it('refuses an assertion without its type, of another type, or a type without an assertion', async () => {
    const jwt = await assertion('es', 'svc-es');
    refused(await token({ client_assertion: jwt }));
    refused(
      await token({
        client_assertion: jwt,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:saml2-bearer',
      }),
    );
    refused(await token({ client_assertion_type: ASSERTION_TYPE }));
    refused(await token({ client_assertion_type: ASSERTION_TYPE, client_assertion: '' }));
  });

  it('refuses oversized and malformed assertions without a 500', async () => {
    const big = await assertion('es', 'svc-es', { claims: { pad: 'x'.repeat(9000) } });
    refusedSilently(await withAssertion(big));
    const huge = await withAssertion('a'.repeat(20_000));
    expect(huge.status).toBe(400);
    expect(huge.body.error).toBe('invalid_request');
    const [h, p, s] = (await assertion('es', 'svc-es')).split('.') as [string, string, string];
    const malformed = [
      'not-a-jwt',
      `${h}.${p}`,
      `${h}.${p}.${s}.x`,
      `${h}=.${p}.${s}`, // padding
      `${h.replace(/-/g, '+').replace(/_/g, '/')}+.${p}.${s}`, // standard base64 alphabet
      `${segment('{"alg":"ES256",')}.${p}.${s}`, // truncated JSON header
      `${h}.${segment('{"sub":"svc-es","sub":"svc-ed"}')}.${s}`, // duplicate member
      `${h}.${segment('[1,2]')}.${s}`, // payload not an object
      `${h}.${segment('\u00ff\u00fe')}.${s}`,
      `${h}.${p}.${s}!`,
    ];
    for (const bad of malformed) refusedSilently(await withAssertion(bad));
  });

  it('a client with only a secret cannot use an assertion; one with only keys cannot use a secret', async () => {
    refusedSilently(await withAssertion(await assertion('es', 'svc-secret')));
    refused(await token({ client_id: 'svc-es', client_secret: SECRET }));
    refused(await token({ client_id: 'svc-es' }));
  });

  it('a public client cannot authenticate with an assertion, even with registered keys', async () => {
    refusedSilently(await withAssertion(await assertion('es', 'app-public')));
    const revoke = await postForm(`${r.url}/oauth/revoke`, {
      token: 'anything',
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: await assertion('es', 'app-public', { aud: ISSUER }),
    });
    refusedSilently(revoke);
  });

  it('an unknown client is refused like a bad signature', async () => {
    refusedSilently(await withAssertion(await assertion('es', 'svc-nobody')));
  });

  it('introspection and revocation accept assertions whose aud is the issuer, never an endpoint', async () => {
    const issued = await withAssertion(await assertion('es', 'svc-es'));
    const card = issued.body.access_token as string;
    const call = async (path: string, aud: string) =>
      postForm(`${r.url}${path}`, {
        token: card,
        client_assertion_type: ASSERTION_TYPE,
        client_assertion: await assertion('es', 'svc-es', { aud }),
      });
    const res = await call('/oauth/introspect', ISSUER);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ active: true, client_id: 'svc-es', sub: 'svc-es' });
    for (const path of ['/oauth/introspect', '/oauth/revoke']) {
      refusedSilently(await call(path, `${ISSUER}${path}`));
      refusedSilently(await call(path, TOKEN_URL));
    }
    expect((await call('/oauth/revoke', ISSUER)).status).toBe(200);
    expect((await call('/oauth/introspect', ISSUER)).body).toEqual({ active: false });
  });

  it('openid-client (over oauth4webapi, aud = the issuer) authenticates at the token, introspection and revocation endpoints', async () => {
    const config = new openid.Configuration(
      {
        issuer: ISSUER,
        token_endpoint: `${r.url}/oauth/token`,
        introspection_endpoint: `${r.url}/oauth/introspect`,
        revocation_endpoint: `${r.url}/oauth/revoke`,
      },
      'svc-es',
      // The library signs with the real time; the server runs on the test clock.
      { [openid.clockSkew]: Math.round((clock() - Date.now()) / 1000) },
      openid.PrivateKeyJwt({ key: keys['es']!.privateKey, kid: 'es-1' }),
    );
    openid.allowInsecureRequests(config);
    const tokens = await openid.clientCredentialsGrant(config, { scope: 'rooms:read' });
    expect(tokens.scope).toBe('rooms:read');
    expect(await openid.tokenIntrospection(config, tokens.access_token)).toMatchObject({
      active: true,
      client_id: 'svc-es',
    });
    await openid.tokenRevocation(config, tokens.access_token);
    expect((await openid.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
  });
});
