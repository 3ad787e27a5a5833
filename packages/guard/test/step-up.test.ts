import type { JWTClaims } from '@keycard/jwt';
import { ACR as PROTOCOL_ACR, parseStepUpChallenge } from '@keycard/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAuthContext } from '../src/core/auth-context.js';
import { parseGatewayArgs } from '../src/gateway/index.js';
import { compileRoutes, parseRouteFlag } from '../src/gateway/routes.js';
import type { AuthContext, Guard } from '../src/index.js';
import {
  ACR,
  ACR_VALUES,
  createGuard,
  errorResponse,
  GuardError,
  requireAuthStrength,
  requireRecentAuth,
} from '../src/index.js';
import type { TestIssuer } from './support/test-issuer.js';
import { startTestIssuer } from './support/test-issuer.js';

const NOW_MS = Date.UTC(2030, 0, 1, 12);
const NOW = NOW_MS / 1000;
let issuer: TestIssuer;
let guard: Guard;

beforeAll(async () => {
  issuer = await startTestIssuer();
  guard = createGuard({
    tokenIssuer: issuer.url,
    keys: { keys: issuer.keys.map((k) => k.publicKey.toJWK()) },
    audience: issuer.audience,
    revocation: false,
    clock: () => NOW_MS,
    leewaySeconds: 10,
  });
});
afterAll(async () => {
  await guard.close();
  await issuer.close();
});

/** A card verified by the guard (so the policies read its clock), with times around NOW. */
async function verified(claims: JWTClaims): Promise<AuthContext> {
  const token = issuer.sign({ iat: NOW - 5, nbf: NOW - 5, exp: NOW + 600, ...claims });
  const result = await guard.verifyToken(token);
  if (!result.ok) throw result.error;
  return result.auth;
}

describe('the AuthContext reads acr, amr and auth_time defensively', () => {
  const context = (claims: JWTClaims) =>
    buildAuthContext('t', { sub: 'u', exp: NOW + 60, sid: 's', ...claims }) as AuthContext;

  it('takes well-formed claims as they are', () => {
    const auth = context({ acr: ACR.mfa, amr: ['pwd', 'otp', 'mfa'], auth_time: NOW - 30 });
    expect(auth).toMatchObject({ acr: ACR.mfa, amr: ['pwd', 'otp', 'mfa'], authTime: NOW - 30 });
    expect(Object.isFrozen(auth.amr)).toBe(true);
  });

  it('reads malformed ones as absent, and still accepts the card', () => {
    for (const [claims, expected] of [
      [
        { acr: 3, amr: 'pwd mfa', auth_time: '1700000000' },
        { acr: undefined, amr: [], authTime: undefined },
      ],
      [
        { acr: '', amr: { 0: 'mfa' }, auth_time: -1 },
        { acr: undefined, amr: [], authTime: undefined },
      ],
      [
        { acr: ['x'], amr: ['mfa', 7, null, ''], auth_time: Number.NaN },
        { acr: undefined, amr: ['mfa'] },
      ],
      [
        { acr: null, amr: null, auth_time: null },
        { acr: undefined, amr: [], authTime: undefined },
      ],
      [{}, { acr: undefined, amr: [], authTime: undefined }],
    ] as const) {
      const auth = context(claims as JWTClaims);
      expect(auth, JSON.stringify(claims)).toMatchObject(expected);
    }
  });
});

describe('requireAuthStrength / requireRecentAuth', () => {
  it('check their argument when the route is built', () => {
    expect(ACR).toBe(PROTOCOL_ACR);
    for (const bad of ['urn:keycard:acr:gold', 'mfa', '', undefined, 2, null])
      expect(() => requireAuthStrength(bad as string)).toThrow(TypeError);
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '60', undefined, 2 ** 60])
      expect(() => requireRecentAuth(bad as number)).toThrow(TypeError);
    for (const acr of ACR_VALUES) expect(typeof requireAuthStrength(acr)).toBe('function');
    expect(typeof requireRecentAuth(0)).toBe('function');
  });

  it('a stronger or equal acr passes; weaker, unknown or missing is a step-up in the card’s scheme', async () => {
    const mfa = requireAuthStrength(ACR.mfa);
    for (const acr of [ACR.mfa, ACR.phishingResistant])
      expect(await mfa(await verified({ acr }), undefined)).toBeUndefined();
    for (const acr of [ACR.password, 'urn:other:gold', undefined, 42]) {
      const denied = await mfa(await verified({ acr }), undefined);
      expect(denied).toMatchObject({
        code: 'ERR_GUARD_STEP_UP_REQUIRED',
        status: 401,
        bearer: 'insufficient_user_authentication',
        scheme: 'Bearer',
        acrValues: [ACR.mfa],
        maxAge: undefined,
        reason: 'acr',
      });
    }
    // acr is the issuer's statement; amr alone never raises it.
    const amrOnly = await verified({ acr: ACR.password, amr: ['pwd', 'otp', 'mfa'] });
    expect(await mfa(amrOnly, undefined)).toMatchObject({ code: 'ERR_GUARD_STEP_UP_REQUIRED' });
  });

  it('recency by the guard’s clock: exactly maxAge passes, older or missing does not', async () => {
    const fresh = requireRecentAuth(300);
    const at = async (auth_time: unknown) => fresh(await verified({ auth_time }), undefined);
    expect(await at(NOW)).toBeUndefined();
    expect(await at(NOW - 300)).toBeUndefined();
    expect(await at(NOW - 300.5)).toMatchObject({ code: 'ERR_GUARD_STEP_UP_REQUIRED' });
    expect(await at(NOW - 301)).toMatchObject({
      code: 'ERR_GUARD_STEP_UP_REQUIRED',
      maxAge: 300,
      acrValues: undefined,
      reason: 'auth_time',
    });
    for (const missing of [undefined, 'yesterday', -5, null])
      expect(await at(missing), String(missing)).toMatchObject({ code: 'ERR_GUARD_STEP_UP_REQUIRED' });
  });

  it('a sign-in in the future passes within the clock leeway only', async () => {
    const fresh = requireRecentAuth(0);
    const at = async (auth_time: number) => fresh(await verified({ auth_time }), undefined);
    expect(await at(NOW + 10)).toBeUndefined(); // leewaySeconds: 10
    expect(await at(NOW + 11)).toMatchObject({ code: 'ERR_GUARD_STEP_UP_REQUIRED', maxAge: 0 });
    expect(await at(NOW - 1)).toMatchObject({ code: 'ERR_GUARD_STEP_UP_REQUIRED', maxAge: 0 });
  });

  it('a client card is not a user: ERR_GUARD_USER_REQUIRED, whatever it claims', async () => {
    const client = await verified({ sid: undefined, acr: ACR.phishingResistant, auth_time: NOW });
    expect(client.subjectType).toBe('client');
    expect(await requireAuthStrength(ACR.password)(client, undefined)).toMatchObject({
      code: 'ERR_GUARD_USER_REQUIRED',
      status: 403,
    });
    expect(await requireRecentAuth(60)(client, undefined)).toMatchObject({ code: 'ERR_GUARD_USER_REQUIRED' });
  });
});

describe('the step-up challenge', () => {
  const algs = { dpopAlgorithms: ['ES256', 'EdDSA'] };
  const stepUp = (details: ConstructorParameters<typeof GuardError>[1]) =>
    new GuardError('ERR_GUARD_STEP_UP_REQUIRED', details);

  it('Bearer: error, error_description, acr_values and/or max_age, then the DPoP challenge', () => {
    const acr = errorResponse(stepUp({ acrValues: [ACR.mfa] }), 'rooms', algs);
    expect(acr.status).toBe(401);
    expect(acr.headers['www-authenticate']).toBe(
      'Bearer realm="rooms", error="insufficient_user_authentication", error_description="A different authentication level is required", acr_values="urn:keycard:acr:mfa", DPoP realm="rooms", algs="ES256 EdDSA"',
    );
    expect(JSON.parse(acr.body)).toEqual({
      error: {
        code: 'ERR_GUARD_STEP_UP_REQUIRED',
        message: 'A stronger or more recent sign-in is required.',
      },
    });
    const age = errorResponse(stepUp({ maxAge: 600 }), 'keycard');
    expect(age.headers['www-authenticate']).toBe(
      'Bearer realm="keycard", error="insufficient_user_authentication", error_description="More recent authentication is required", max_age="600"',
    );
    const both = errorResponse(stepUp({ acrValues: [ACR.phishingResistant], maxAge: 0 }), 'keycard');
    expect(parseStepUpChallenge(both.headers['www-authenticate']!)).toEqual({
      acrValues: [ACR.phishingResistant],
      maxAge: 0,
    });
  });

  it('DPoP: the error goes in the DPoP challenge, beside its algs', () => {
    const { headers } = errorResponse(stepUp({ acrValues: [ACR.mfa], scheme: 'DPoP' }), 'rooms', algs);
    expect(headers['www-authenticate']).toBe(
      'Bearer realm="rooms", DPoP realm="rooms", error="insufficient_user_authentication", error_description="A different authentication level is required", acr_values="urn:keycard:acr:mfa", algs="ES256 EdDSA"',
    );
    expect(parseStepUpChallenge(headers['www-authenticate']!)).toEqual({
      acrValues: [ACR.mfa],
      maxAge: undefined,
    });
  });

  it('nothing unquotable reaches the header, and other errors are unchanged', () => {
    const evil = stepUp({ acrValues: ['a"b', 'c\\d', 'e f', 'ok'], maxAge: -1 });
    expect(errorResponse(evil, 'keycard').headers['www-authenticate']).toBe(
      'Bearer realm="keycard", error="insufficient_user_authentication", error_description="A different authentication level is required", acr_values="ok"',
    );
    const invalid = new GuardError('ERR_GUARD_TOKEN_INVALID', { acrValues: ['x'], maxAge: 5 });
    expect(errorResponse(invalid, 'keycard').headers['www-authenticate']).toBe(
      'Bearer realm="keycard", error="invalid_token"',
    );
  });
});

describe('gateway routes', () => {
  it('are checked when compiled, naming the bad field', () => {
    const bad = (routes: unknown, option: string) =>
      expect(() => compileRoutes(routes as never), option).toThrow(
        expect.objectContaining({ code: 'ERR_GUARD_OPTIONS_INVALID', option }),
      );
    bad('x', 'routes');
    bad([null], 'routes[0]');
    bad([{ path: '/a' }], 'routes[0]');
    bad([{ path: 'a', acr: ACR.mfa }], 'routes[0].path');
    bad([{ path: '/a?x=1', acr: ACR.mfa }], 'routes[0].path');
    bad([{ path: '/a/../b', acr: ACR.mfa }], 'routes[0].path');
    bad([{ path: '/a b', acr: ACR.mfa }], 'routes[0].path');
    bad([{ path: '/a', acr: 'urn:keycard:acr:gold' }], 'routes[0].acr');
    bad([{ path: '/a', maxAge: -1 }], 'routes[0].maxAge');
    bad([{ path: '/a', maxAge: 1.5 }], 'routes[0].maxAge');
    bad(
      [
        { path: '/a', acr: ACR.mfa },
        { path: '/b', methods: [], acr: ACR.mfa },
      ],
      'routes[1].methods',
    );
    bad([{ path: '/a', methods: ['get'], acr: ACR.mfa }], 'routes[0].methods');
    expect(compileRoutes(undefined)).toBeUndefined();
    expect(compileRoutes([])).toBeUndefined();
  });

  it('cover a path prefix on segment boundaries, whatever the spelling; the strictest rule wins', () => {
    const rules = compileRoutes([
      { path: '/admin', acr: ACR.mfa },
      { path: '/admin/keys/', maxAge: 300, acr: ACR.password },
      { path: '/admin/keys/rotate', methods: ['POST'], maxAge: 60, acr: ACR.phishingResistant },
      { path: '/rooms', methods: ['GET'], maxAge: 900 },
    ])!;
    const mfa = { acr: ACR.mfa, maxAge: undefined };
    for (const uri of [
      '/admin',
      '/admin/',
      '/admin/users?x=1',
      '/ADMIN',
      '//admin',
      '/%61dmin',
      '/%2561dmin',
      '/admin;jsessionid=1/users',
      '/admin./users',
      '/admin%20/users',
      '/admin#frag',
      '/adm%69n%2e',
    ])
      expect(rules.need('GET', uri), uri).toEqual(mfa);
    for (const uri of ['/administrator', '/', '/public/admin', '/admin-old', '/%2fadmin'])
      expect(rules.need('GET', uri), uri).toBeUndefined();
    expect(rules.need('GET', '/admin/keys/1')).toEqual({ acr: ACR.mfa, maxAge: 300 });
    expect(rules.need('post', '/admin/keys/rotate')).toEqual({ acr: ACR.phishingResistant, maxAge: 60 });
    expect(rules.need('GET', '/admin/keys/rotate')).toEqual({ acr: ACR.mfa, maxAge: 300 });
    expect(rules.need('HEAD', '/rooms/1')).toEqual({ acr: undefined, maxAge: 900 });
    expect(rules.need('DELETE', '/rooms/1')).toBeUndefined();
  });

  it('--route flags: short acr names, methods, max-age; errors name --route', async () => {
    expect(parseRouteFlag('DELETE,post /rooms acr=mfa max-age=300')).toEqual({
      path: '/rooms',
      methods: ['DELETE', 'POST'],
      acr: ACR.mfa,
      maxAge: 300,
    });
    expect(parseRouteFlag(` /admin  acr=${ACR.phishingResistant} `)).toMatchObject({
      path: '/admin',
      acr: ACR.phishingResistant,
    });
    for (const spec of [
      'acr=mfa',
      '/a /b acr=mfa',
      '/a',
      '/a acr=gold',
      '/a max-age=-1',
      '/a max-age=1e3',
      '/a level=mfa',
      '/a acr=mfa acr=phr',
      'GET POST /a acr=mfa',
      '/a?x acr=mfa',
    ])
      expect(() => parseRouteFlag(spec), spec).toThrow(
        expect.objectContaining({ code: 'ERR_GUARD_OPTIONS_INVALID', option: '--route' }),
      );
    const args = await parseGatewayArgs([
      '--forward-auth',
      '--issuer',
      'http://127.0.0.1:1',
      '--audience',
      'rooms',
      '--route',
      '/admin acr=phr',
      '--route',
      'POST /rooms max-age=60',
    ]);
    expect(args.routes).toEqual([
      { path: '/admin', methods: undefined, acr: ACR.phishingResistant, maxAge: undefined },
      { path: '/rooms', methods: ['POST'], acr: undefined, maxAge: 60 },
    ]);
    await expect(
      parseGatewayArgs([
        '--forward-auth',
        '--issuer',
        'http://127.0.0.1:1',
        '--audience',
        'rooms',
        '--route',
        '/x',
      ]),
    ).rejects.toMatchObject({ code: 'ERR_GUARD_OPTIONS_INVALID', option: '--route' });
  });
});
