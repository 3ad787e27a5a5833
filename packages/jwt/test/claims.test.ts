/** JWT claims validation (RFC 7519, RFC 8725) with a frozen clock. */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createVerifier,
  generateSecret,
  type SecretKey,
  signJWT,
  type VerifierOptions,
} from '../src/index.js';
import { codeOf } from './helpers.js';

const NOW = 1_800_000_000;
let key: SecretKey;
beforeAll(() => {
  key = generateSecret('HS256');
});

function check(claims: Record<string, unknown>, opts: Partial<VerifierOptions> = {}) {
  const verifier = createVerifier({ keys: [key], clock: () => NOW * 1000, ...opts });
  return codeOf(() => verifier.verify(signJWT(claims, key)));
}

function claimOf(claims: Record<string, unknown>, opts: Partial<VerifierOptions> = {}) {
  const verifier = createVerifier({ keys: [key], clock: () => NOW * 1000, ...opts });
  try {
    verifier.verify(signJWT(claims, key));
  } catch (err) {
    return (err as { claim?: string }).claim;
  }
}

describe('claims', () => {
  it('exp: required by default, expired at exp (not after), leeway applies', () => {
    expect(check({ sub: 'a' })).toBe('ERR_JWT_CLAIM_INVALID');
    expect(claimOf({ sub: 'a' })).toBe('exp');
    expect(check({ sub: 'a' }, { requireExp: false })).toBe('OK');
    expect(check({ exp: NOW + 1 })).toBe('OK');
    expect(check({ exp: NOW })).toBe('ERR_JWT_EXPIRED');
    expect(claimOf({ exp: NOW })).toBe('exp');
    expect(check({ exp: NOW - 30 }, { leewaySeconds: 30 })).toBe('ERR_JWT_EXPIRED');
    expect(check({ exp: NOW - 29 }, { leewaySeconds: 30 })).toBe('OK');
    expect(check({ exp: NOW + 0.5 })).toBe('OK'); // fractional NumericDate is allowed
  });

  it('nbf and iat in the future (beyond leeway) are not yet valid', () => {
    const exp = NOW + 600;
    expect(check({ exp, nbf: NOW })).toBe('OK');
    expect(check({ exp, nbf: NOW + 1 })).toBe('ERR_JWT_NOT_YET_VALID');
    expect(claimOf({ exp, nbf: NOW + 1 })).toBe('nbf');
    expect(check({ exp, nbf: NOW + 10 }, { leewaySeconds: 10 })).toBe('OK');
    expect(check({ exp, iat: NOW + 1 })).toBe('ERR_JWT_NOT_YET_VALID');
    expect(claimOf({ exp, iat: NOW + 1 })).toBe('iat');
    expect(check({ exp, iat: NOW + 5 }, { leewaySeconds: 5 })).toBe('OK');
  });

  it('maxTokenAgeSeconds needs iat and bounds its age', () => {
    const exp = NOW + 600;
    expect(check({ exp }, { maxTokenAgeSeconds: 60 })).toBe('ERR_JWT_CLAIM_INVALID');
    expect(check({ exp, iat: NOW - 60 }, { maxTokenAgeSeconds: 60 })).toBe('OK');
    expect(check({ exp, iat: NOW - 61 }, { maxTokenAgeSeconds: 60 })).toBe('ERR_JWT_CLAIM_INVALID');
    expect(claimOf({ exp, iat: NOW - 61 }, { maxTokenAgeSeconds: 60 })).toBe('iat');
  });

  it('iss, aud (string or array), sub, requiredClaims', () => {
    const exp = NOW + 600;
    expect(check({ exp, iss: 'a' }, { issuer: 'a' })).toBe('OK');
    expect(check({ exp, iss: 'b' }, { issuer: ['a', 'b'] })).toBe('OK');
    expect(check({ exp, iss: 'c' }, { issuer: 'a' })).toBe('ERR_JWT_CLAIM_INVALID');
    expect(claimOf({ exp }, { issuer: 'a' })).toBe('iss');
    expect(check({ exp, aud: 'rooms' }, { audience: 'rooms' })).toBe('OK');
    expect(check({ exp, aud: ['pool', 'rooms'] }, { audience: 'rooms' })).toBe('OK');
    expect(check({ exp, aud: ['pool'] }, { audience: ['garage', 'pool'] })).toBe('OK');
    expect(check({ exp, aud: ['pool'] }, { audience: 'rooms' })).toBe('ERR_JWT_CLAIM_INVALID');
    expect(check({ exp, aud: [] }, { audience: 'rooms' })).toBe('ERR_JWT_CLAIM_INVALID');
    expect(claimOf({ exp }, { audience: 'rooms' })).toBe('aud');
    expect(check({ exp, sub: 'alice' }, { subject: 'alice' })).toBe('OK');
    expect(check({ exp, sub: 'bob' }, { subject: 'alice' })).toBe('ERR_JWT_CLAIM_INVALID');
    expect(check({ exp, jti: 'x' }, { requiredClaims: ['jti'] })).toBe('OK');
    expect(claimOf({ exp }, { requiredClaims: ['jti'] })).toBe('jti');
  });

  it('registered claims of the wrong type are ERR_JWT_INVALID even without a policy', () => {
    const exp = NOW + 600;
    for (const bad of [
      { iss: 1 },
      { sub: {} },
      { jti: 2 },
      { aud: 3 },
      { aud: ['a', null] },
      { nbf: '1' },
      { iat: -1 },
    ]) {
      expect(check({ exp, ...bad })).toBe('ERR_JWT_INVALID');
    }
    expect(check({ exp: Number.MAX_SAFE_INTEGER })).toBe('OK');
  });

  it('uses the injected clock', () => {
    const exp = NOW + 600;
    let now = NOW * 1000;
    const verifier = createVerifier({ keys: [key], clock: () => now });
    const token = signJWT({ exp }, key);
    expect(codeOf(() => verifier.verify(token))).toBe('OK');
    now = (exp + 1) * 1000;
    expect(codeOf(() => verifier.verify(token))).toBe('ERR_JWT_EXPIRED');
  });

  it('checks options when the verifier is created', () => {
    const bad: Partial<VerifierOptions>[] = [
      { leewaySeconds: 301 },
      { leewaySeconds: -1 },
      { leewaySeconds: Number.NaN },
      { issuer: '' },
      { issuer: [] },
      { audience: [1 as never] },
      { typ: '' },
      { maxTokenSize: 0 },
      { algorithms: [] },
      { algorithms: ['none' as never] },
      { clock: 1 as never },
    ];
    for (const opts of bad) {
      expect(codeOf(() => createVerifier({ keys: [key], ...opts }))).toBe('ERR_JOSE_INVALID_OPTIONS');
    }
    // Names changed before 1.0 are refused with the new name, never silently ignored.
    for (const [old, now] of [
      ['leeway', 'leewaySeconds'],
      ['maxTokenAge', 'maxTokenAgeSeconds'],
    ]) {
      expect(() => createVerifier({ keys: [key], [old!]: 5 } as VerifierOptions)).toThrow(
        expect.objectContaining({ code: 'ERR_JOSE_INVALID_OPTIONS', message: expect.stringContaining(now!) }),
      );
    }
    expect(codeOf(() => createVerifier({}))).toBe('ERR_JOSE_INVALID_OPTIONS');
    expect(codeOf(() => createVerifier({ getKey: () => undefined }))).toBe('ERR_JOSE_INVALID_OPTIONS');
  });

  it('signJWT refuses non-finite NumericDates and reserved header members', () => {
    expect(codeOf(() => signJWT({ exp: Number.NaN }, key))).toBe('ERR_JWT_INVALID');
    expect(codeOf(() => signJWT({ exp: Number.POSITIVE_INFINITY }, key))).toBe('ERR_JWT_INVALID');
    expect(codeOf(() => signJWT({ exp: NOW }, key, { header: { jku: 'x' } }))).toBe(
      'ERR_JOSE_INVALID_OPTIONS',
    );
    expect(codeOf(() => signJWT({ exp: NOW }, key, { header: { alg: 'none' } }))).toBe(
      'ERR_JOSE_INVALID_OPTIONS',
    );
  });
});
