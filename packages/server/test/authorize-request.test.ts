import { describe, expect, it } from 'vitest';
import { s256Challenge } from '../src/authorize/pkce.js';
import { type AuthorizeClient, parseAuthorizationRequest } from '../src/authorize/request.js';

/**
 * The authorization request (RFC 6749 §4.1.1, RFC 7636, OIDC Core §3.1.2.1): which errors may go
 * back to the client and which must stay on an error page (never an open redirector).
 */
const CLIENT: AuthorizeClient = {
  id: 'spa',
  redirectUris: ['https://app.example.com/cb', 'http://127.0.0.1/native'],
  grants: ['authorization_code', 'refresh_token'],
};
const OTHER: AuthorizeClient = {
  id: 'scripts',
  redirectUris: ['https://other.example/cb'],
  grants: ['password'],
};
const find = async (id: string) => [CLIENT, OTHER].find((c) => c.id === id);
const CHALLENGE = s256Challenge('a'.repeat(43));
const GOOD = {
  response_type: 'code',
  client_id: 'spa',
  redirect_uri: 'https://app.example.com/cb',
  scope: 'openid rooms:open',
  state: 'xyz',
  code_challenge: CHALLENGE,
  code_challenge_method: 'S256',
  nonce: 'n-0S6_WzA2Mj',
};
const parse = (params: Record<string, string> | [string, string][]) =>
  parseAuthorizationRequest(new URLSearchParams(params), find);
const without = (name: keyof typeof GOOD) =>
  Object.fromEntries(Object.entries(GOOD).filter(([k]) => k !== name));

describe('an authorization request', () => {
  it('is read whole when it is well formed', async () => {
    const parsed = await parse({ ...GOOD, prompt: 'login consent', max_age: '300', login_hint: 'alice' });
    expect(parsed).toEqual({
      kind: 'ok',
      request: {
        clientId: 'spa',
        redirectUri: 'https://app.example.com/cb',
        scopes: ['openid', 'rooms:open'],
        state: 'xyz',
        codeChallenge: CHALLENGE,
        nonce: 'n-0S6_WzA2Mj',
        prompt: new Set(['login', 'consent']),
        maxAgeSeconds: 300,
        loginHint: 'alice',
        dpopJkt: undefined,
        resources: [],
        acrValues: [],
      },
    });
  });

  it('reads dpop_jkt (RFC 9449 §10) and repeated resource values (RFC 8707)', async () => {
    const jkt = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs';
    const parsed = await parse([
      ...Object.entries(GOOD),
      ['dpop_jkt', jkt],
      ['resource', 'https://rooms.example/'],
      ['resource', 'pool'],
      ['resource', 'pool'],
    ]);
    expect(parsed).toMatchObject({
      kind: 'ok',
      request: { dpopJkt: jkt, resources: ['https://rooms.example/', 'pool'] },
    });
  });

  it.each([
    ['a short dpop_jkt', [['dpop_jkt', 'abc']], 'invalid_request'],
    ['a padded dpop_jkt', [['dpop_jkt', `${'a'.repeat(42)}=`]], 'invalid_request'],
    [
      'a repeated dpop_jkt',
      [
        ['dpop_jkt', 'a'.repeat(43)],
        ['dpop_jkt', 'b'.repeat(43)],
      ],
      'invalid_request',
    ],
    ['an empty resource', [['resource', '']], 'invalid_target'],
    ['a resource with a fragment', [['resource', 'https://rooms.example/#x']], 'invalid_target'],
    ['too many resources', Array.from({ length: 11 }, (_, i) => ['resource', `r${i}`]), 'invalid_target'],
    ['an oversized resource', [['resource', `https://r.example/${'x'.repeat(2048)}`]], 'invalid_request'],
  ])('refuses %s at the client', async (_, extra, error) => {
    const parsed = await parse([...Object.entries(GOOD), ...(extra as [string, string][])]);
    expect(parsed).toMatchObject({ kind: 'redirect-error', error, state: 'xyz' });
  });

  it('keeps the acr_values keycard knows, in the request order, each once; drops the rest', async () => {
    const read = async (acr: string) => {
      const parsed = await parse({ ...GOOD, acr_values: acr });
      if (parsed.kind !== 'ok') throw new Error(`refused: ${JSON.stringify(parsed)}`);
      return parsed.request.acrValues;
    };
    expect(await read('urn:keycard:acr:phr urn:other:loa3 urn:keycard:acr:mfa')).toEqual([
      'urn:keycard:acr:phr',
      'urn:keycard:acr:mfa',
    ]);
    expect(await read('urn:keycard:acr:mfa  urn:keycard:acr:mfa')).toEqual(['urn:keycard:acr:mfa']);
    expect(await read('urn:other:loa3')).toEqual([]);
    expect(await read('')).toEqual([]);
  });

  it.each([
    ['an acr value with a quote', { acr_values: 'urn:keycard:acr:mfa "x"' }],
    ['an acr value with a backslash', { acr_values: 'a\\b' }],
    ['a control character in acr_values', { acr_values: 'urn:keycard:acr:mfa\turn:x' }],
    ['acr_values over 1024 characters', { acr_values: `urn:keycard:acr:mfa ${'x'.repeat(1010)}` }],
  ])('refuses %s at the client (invalid_request)', async (_, extra) => {
    const parsed = await parse({ ...GOOD, ...extra });
    expect(parsed).toMatchObject({ kind: 'redirect-error', error: 'invalid_request', state: 'xyz' });
  });

  it('refuses a repeated acr_values at the client', async () => {
    const parsed = await parse([
      ...Object.entries(GOOD),
      ['acr_values', 'urn:keycard:acr:mfa'],
      ['acr_values', 'urn:keycard:acr:phr'],
    ]);
    expect(parsed).toMatchObject({ kind: 'redirect-error', error: 'invalid_request' });
  });

  it('takes a loopback redirect on any port (RFC 8252 §7.3)', async () => {
    const parsed = await parse({ ...GOOD, redirect_uri: 'http://127.0.0.1:50321/native' });
    expect(parsed.kind).toBe('ok');
  });

  describe('never redirects while the client or redirect URI is in doubt', () => {
    it.each([
      ['no client_id', without('client_id'), /client_id is missing/],
      ['an unknown client', { ...GOOD, client_id: 'nobody' }, /unknown client_id/],
      ['no redirect_uri', without('redirect_uri'), /redirect_uri is missing/],
      [
        'an unregistered redirect_uri',
        { ...GOOD, redirect_uri: 'https://evil.example/cb' },
        /not registered/,
      ],
      [
        'a redirect_uri of another client',
        { ...GOOD, redirect_uri: 'https://other.example/cb' },
        /not registered/,
      ],
      [
        'a prefix trick',
        { ...GOOD, redirect_uri: 'https://app.example.com/cb/../../evil' },
        /not registered/,
      ],
      [
        'a lookalike host',
        { ...GOOD, redirect_uri: 'https://app.example.com.evil.example/cb' },
        /not registered/,
      ],
      [
        'a redirect with a fragment',
        { ...GOOD, redirect_uri: 'https://app.example.com/cb#x' },
        /not registered/,
      ],
    ])('%s', async (_, params, why) => {
      const parsed = await parse(params as Record<string, string>);
      expect(parsed.kind).toBe('page-error');
      if (parsed.kind === 'page-error') expect(parsed.description).toMatch(why);
    });

    it('a repeated client_id or redirect_uri', async () => {
      for (const name of ['client_id', 'redirect_uri'] as const) {
        const params = [...Object.entries(GOOD), [name, GOOD[name]]] as [string, string][];
        const parsed = await parse(params);
        expect(parsed).toMatchObject({ kind: 'page-error', description: `${name} is repeated` });
      }
    });
  });

  describe('answers other errors at the client, with its state', () => {
    it.each([
      ['no response_type', without('response_type'), 'invalid_request'],
      ['the implicit flow', { ...GOOD, response_type: 'token' }, 'unsupported_response_type'],
      ['the hybrid flow', { ...GOOD, response_type: 'code id_token' }, 'unsupported_response_type'],
      ['no PKCE challenge', without('code_challenge'), 'invalid_request'],
      ['the plain PKCE method', { ...GOOD, code_challenge_method: 'plain' }, 'invalid_request'],
      ['no PKCE method', without('code_challenge_method'), 'invalid_request'],
      ['a malformed challenge', { ...GOOD, code_challenge: 'short' }, 'invalid_request'],
      ['a scope with a quote', { ...GOOD, scope: 'openid "x"' }, 'invalid_scope'],
      [
        'more than 100 scopes',
        { ...GOOD, scope: Array.from({ length: 101 }, (_, i) => `s${i}`).join(' ') },
        'invalid_scope',
      ],
      ['a scope longer than 200 characters', { ...GOOD, scope: 's'.repeat(201) }, 'invalid_scope'],
      ['prompt=none with login', { ...GOOD, prompt: 'none login' }, 'invalid_request'],
      ['an unknown prompt', { ...GOOD, prompt: 'select_account' }, 'invalid_request'],
      ['a negative max_age', { ...GOOD, max_age: '-1' }, 'invalid_request'],
      ['a fractional max_age', { ...GOOD, max_age: '1.5' }, 'invalid_request'],
      ['a request object', { ...GOOD, request: 'eyJ...' }, 'request_not_supported'],
      ['a request_uri', { ...GOOD, request_uri: 'urn:x' }, 'request_uri_not_supported'],
      ['a fragment response mode', { ...GOOD, response_mode: 'fragment' }, 'invalid_request'],
      ['an oversized nonce', { ...GOOD, nonce: 'n'.repeat(513) }, 'invalid_request'],
      ['a repeated scope parameter', [...Object.entries(GOOD), ['scope', 'x']], 'invalid_request'],
    ])('%s', async (_, params, error) => {
      const parsed = await parse(params as Record<string, string>);
      expect(parsed).toMatchObject({ kind: 'redirect-error', redirectUri: GOOD.redirect_uri, error });
      if (parsed.kind === 'redirect-error')
        expect(parsed.state).toBe(Array.isArray(params) ? 'xyz' : (params as Record<string, string>).state);
    });

    it('a client not registered for the code flow', async () => {
      const parsed = await parse({ ...GOOD, client_id: 'scripts', redirect_uri: 'https://other.example/cb' });
      expect(parsed).toMatchObject({ kind: 'redirect-error', error: 'unauthorized_client', state: 'xyz' });
    });

    it('never reflects request input into error_description (RFC 6749 §4.1.2.1 characters)', async () => {
      // A crafted link must not make the client's error page show the attacker's words.
      const bait = 'Your account is locked: call +1 555 0100';
      const cases: [string, string][][] = [
        [...Object.entries(GOOD), ['prompt', `"${bait}"`]],
        [...Object.entries(GOOD), [bait, 'a'], [bait, 'b']],
        [...Object.entries(GOOD), ['é\u0000<script>', 'a'], ['é\u0000<script>', 'b']],
        [...Object.entries(GOOD), ['x'.repeat(5000), 'a'], ['x'.repeat(5000), 'b']],
      ];
      for (const params of cases) {
        const parsed = await parse(params);
        expect(parsed.kind).toBe('redirect-error');
        if (parsed.kind !== 'redirect-error') continue;
        expect(parsed.description).toMatch(/^[\x20\x21\x23-\x5b\x5d-\x7e]{1,200}$/);
        expect(parsed.description).not.toContain('call +1');
        expect(parsed.description).not.toContain('<script>');
      }
    });

    it('drops a state it will not echo (too long or repeated)', async () => {
      const long = await parse({ ...GOOD, state: 's'.repeat(1025) });
      expect(long).toMatchObject({ kind: 'redirect-error', state: undefined, error: 'invalid_request' });
      const twice = await parse([...Object.entries(GOOD), ['state', 'other']]);
      expect(twice).toMatchObject({ kind: 'redirect-error', state: undefined, error: 'invalid_request' });
    });
  });
});
