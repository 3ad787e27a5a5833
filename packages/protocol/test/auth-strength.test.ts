import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ACR,
  ACR_VALUES,
  acrFromAmr,
  acrSatisfies,
  parseStepUpChallenge,
  STEP_UP_ERROR,
} from '../src/index.js';
import { parseChallenges } from '../src/www-authenticate.js';

describe('acr values', () => {
  it('are ordered weakest to strongest and frozen', () => {
    expect(ACR_VALUES).toEqual(['urn:keycard:acr:password', 'urn:keycard:acr:mfa', 'urn:keycard:acr:phr']);
    expect(Object.isFrozen(ACR)).toBe(true);
    expect(Object.isFrozen(ACR_VALUES)).toBe(true);
    expect(STEP_UP_ERROR).toBe('insufficient_user_authentication');
  });

  it('acrFromAmr maps the amr sets the server produces (CONTRACT §1)', () => {
    expect(acrFromAmr(['pwd'])).toBe(ACR.password);
    expect(acrFromAmr(['pwd', 'otp', 'mfa'])).toBe(ACR.mfa);
    expect(acrFromAmr(['pwd', 'hwk', 'mfa'])).toBe(ACR.phishingResistant);
    expect(acrFromAmr(['hwk', 'mfa'])).toBe(ACR.phishingResistant);
    // Two factors are claimed by `mfa`, not inferred: a passkey alone without it is one factor.
    expect(acrFromAmr(['hwk'])).toBe(ACR.password);
    expect(acrFromAmr(['pwd', 'otp'])).toBe(ACR.password);
    expect(acrFromAmr([])).toBe(ACR.password);
    expect(acrFromAmr('mfa' as unknown as string[])).toBe(ACR.password);
    expect(acrFromAmr(null as unknown as string[])).toBe(ACR.password);
  });

  it('acrSatisfies: stronger or equal known values; unknown ones only exactly', () => {
    for (const [i, actual] of ACR_VALUES.entries()) {
      for (const [j, required] of ACR_VALUES.entries()) {
        expect(acrSatisfies(actual, required)).toBe(i >= j);
      }
    }
    expect(acrSatisfies(undefined, ACR.password)).toBe(false);
    expect(acrSatisfies('urn:other:gold', ACR.password)).toBe(false);
    expect(acrSatisfies('urn:other:gold', 'urn:other:gold')).toBe(true);
    expect(acrSatisfies(ACR.phishingResistant, 'urn:other:gold')).toBe(false);
    expect(acrSatisfies(undefined, 'urn:other:gold')).toBe(false);
    expect(acrSatisfies(42 as unknown as string, ACR.password)).toBe(false);
  });
});

describe('parseChallenges (RFC 7235 §4.1)', () => {
  const flat = (value: string | null) =>
    parseChallenges(value).map((c) => ({
      scheme: c.scheme,
      params: Object.fromEntries(c.params),
      ...(c.token68 === undefined ? {} : { token68: c.token68 }),
    }));

  it('reads several challenges in one field value', () => {
    expect(
      flat('Bearer realm="keycard", error="invalid_token", DPoP realm="keycard", algs="ES256 EdDSA"'),
    ).toEqual([
      { scheme: 'Bearer', params: { realm: 'keycard', error: 'invalid_token' } },
      { scheme: 'DPoP', params: { realm: 'keycard', algs: 'ES256 EdDSA' } },
    ]);
    expect(flat('Basic abc==, Bearer')).toEqual([
      { scheme: 'Basic', params: {}, token68: 'abc==' },
      { scheme: 'Bearer', params: {} },
    ]);
    expect(flat('Newauth realm="apps", type=1, title="Login to \\"apps\\"", Basic realm="simple"')).toEqual([
      { scheme: 'Newauth', params: { realm: 'apps', type: '1', title: 'Login to "apps"' } },
      { scheme: 'Basic', params: { realm: 'simple' } },
    ]);
  });

  it('allows what the grammar allows: empty elements, BWS, token values, case-insensitive names', () => {
    expect(flat(' , Bearer REALM = x ,, Error="a\\\\b",')).toEqual([
      { scheme: 'Bearer', params: { realm: 'x', error: 'a\\b' } },
    ]);
    expect(flat('Bearer realm=""')).toEqual([{ scheme: 'Bearer', params: { realm: '' } }]);
  });

  it('reads a token68 where an auth-param cannot be read', () => {
    expect(flat('Bearer realm=')).toEqual([{ scheme: 'Bearer', params: {}, token68: 'realm=' }]);
    expect(flat('Basic a/b+c==')).toEqual([{ scheme: 'Basic', params: {}, token68: 'a/b+c==' }]);
  });

  it('yields nothing for a value that breaks the grammar anywhere, never throws', () => {
    expect(flat('Bearer realm="x')).toEqual([]);
    expect(flat('Basic realm="a", Bearer error="x" acr_values="y"')).toEqual([]);
    expect(flat('Bearer error="x", acr_values="y')).toEqual([]);
    expect(flat('Bearer error="x", acr_values ="y')).toEqual([]);
    expect(flat('Bearer error="a", error="b"')).toEqual([]);
    expect(flat('Bearer realm="a\u0000b"')).toEqual([]);
    expect(flat('Basic abc== x')).toEqual([]);
    expect(flat('Bearer realm="a" ;')).toEqual([]);
    expect(flat('"Bearer"')).toEqual([]);
    expect(flat('')).toEqual([]);
    expect(flat(null)).toEqual([]);
    expect(flat(`Bearer realm="${'a'.repeat(20_000)}"`)).toEqual([]);
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...' \t,="\\=aB/+-.:\u0000\u00e9') }), (s) => {
        expect(Array.isArray(parseChallenges(s))).toBe(true);
        parseStepUpChallenge(s);
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.string(), (s) => {
        parseStepUpChallenge(s);
      }),
    );
  });
});

describe('parseStepUpChallenge (RFC 9470 §3)', () => {
  it('reads the examples of RFC 9470', () => {
    expect(
      parseStepUpChallenge(
        'Bearer error="insufficient_user_authentication", error_description="A different authentication level is required", acr_values="myACR"',
      ),
    ).toEqual({ acrValues: ['myACR'], maxAge: undefined });
    expect(
      parseStepUpChallenge(
        'Bearer error="insufficient_user_authentication", error_description="More recent authentication is required", max_age="5"',
      ),
    ).toEqual({ acrValues: [], maxAge: 5 });
  });

  it("finds the step-up challenge among others, in the guard's DPoP form too", () => {
    const dpop =
      'Bearer realm="keycard", DPoP realm="keycard", error="insufficient_user_authentication", ' +
      'error_description="A stronger authentication is required", acr_values="urn:keycard:acr:mfa urn:keycard:acr:phr", max_age="300", algs="ES256"';
    expect(parseStepUpChallenge(dpop)).toEqual({
      acrValues: [ACR.mfa, ACR.phishingResistant],
      maxAge: 300,
    });
    expect(
      parseStepUpChallenge('Basic realm="x", bearer error=insufficient_user_authentication, max_age=0'),
    ).toEqual({ acrValues: [], maxAge: 0 });
  });

  it('answers undefined for other errors, other schemes and malformed fields', () => {
    expect(parseStepUpChallenge(null)).toBeUndefined();
    expect(parseStepUpChallenge('Bearer realm="keycard", error="invalid_token"')).toBeUndefined();
    expect(
      parseStepUpChallenge('Basic error="insufficient_user_authentication", acr_values="x"'),
    ).toBeUndefined();
    expect(
      parseStepUpChallenge('Bearer error="insufficient_user_authentication", acr_values="x'),
    ).toBeUndefined();
    expect(
      parseStepUpChallenge('Bearer error="insufficient_user_authentication" acr_values="x"'),
    ).toBeUndefined();
  });

  it('keeps only a well-formed max_age', () => {
    const age = (v: string) =>
      parseStepUpChallenge(`Bearer error="insufficient_user_authentication", max_age="${v}"`)?.maxAge;
    expect(age('600')).toBe(600);
    for (const bad of ['-1', '1.5', '1e3', '', ' 5', '0x10', '9'.repeat(20)])
      expect(age(bad)).toBeUndefined();
  });
});
