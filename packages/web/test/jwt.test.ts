import { describe, expect, it } from 'vitest';
import { AppError } from '../src/lib/errors.js';
import {
  audiencesOf,
  base64UrlDecode,
  decodeJwt,
  numberClaim,
  rolesOf,
  scopesOf,
  stringClaim,
} from '../src/lib/jwt.js';

const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const header = { alg: 'ES256', typ: 'at+jwt', kid: 'k1' };
const payload = {
  iss: 'http://127.0.0.1:4000',
  sub: 'u1',
  aud: ['rooms', 'amenities'],
  exp: 1_700_000_600,
  iat: 1_700_000_000,
  scope: 'rooms:open pool',
  roles: ['guest'],
  username: 'alice',
  room: 101,
  name: 'Zoë',
};
const token = `${part(header)}.${part(payload)}.c2lnbmF0dXJl`;

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof AppError ? err.code : 'not an AppError';
  }
  return undefined;
}

describe('decodeJwt', () => {
  it('decodes header and claims (UTF-8 included)', () => {
    const decoded = decodeJwt(` ${token}\n`);
    expect(decoded.header).toEqual(header);
    expect(decoded.payload).toEqual(payload);
  });

  it.each([
    ['two parts', `${part(header)}.${part(payload)}`],
    ['four parts', `${token}.x`],
    ['empty part', `${part(header)}..sig`],
    ['standard base64', `${part(header)}.${part(payload).replace(/-|_/g, '+')}+/.sig`],
    ['padding', `${part(header)}=.${part(payload)}.sig`],
    ['not JSON', `${Buffer.from('hello').toString('base64url')}.${part(payload)}.sig`],
    ['JSON array', `${part([1])}.${part(payload)}.sig`],
    ['invalid UTF-8', `${Buffer.from([0xff, 0xfe]).toString('base64url')}.${part(payload)}.sig`],
    ['garbage', 'not a token'],
  ])('rejects %s with ERR_TOKEN_MALFORMED', (_name, bad) => {
    expect(codeOf(() => decodeJwt(bad))).toBe('ERR_TOKEN_MALFORMED');
  });
});

describe('base64UrlDecode', () => {
  it('decodes without padding', () => {
    expect(new TextDecoder().decode(base64UrlDecode('aGk'))).toBe('hi');
    expect(new TextDecoder().decode(base64UrlDecode(''))).toBe('');
  });

  it('rejects an impossible length', () => {
    expect(codeOf(() => base64UrlDecode('a'))).toBe('ERR_TOKEN_MALFORMED');
  });
});

describe('claim readers', () => {
  it('reads aud as a list whether string or array', () => {
    expect(audiencesOf({ aud: 'rooms' })).toEqual(['rooms']);
    expect(audiencesOf({ aud: ['rooms', 7, 'office'] })).toEqual(['rooms', 'office']);
    expect(audiencesOf({})).toEqual([]);
  });

  it('splits scope on spaces', () => {
    expect(scopesOf({ scope: 'rooms:open  pool ' })).toEqual(['rooms:open', 'pool']);
    expect(scopesOf({ scope: ['pool'] })).toEqual([]);
    expect(scopesOf({})).toEqual([]);
  });

  it('reads roles, numbers and strings defensively', () => {
    expect(rolesOf({ roles: ['guest', 1] })).toEqual(['guest']);
    expect(rolesOf({ roles: 'guest' })).toEqual([]);
    expect(numberClaim(payload, 'exp')).toBe(1_700_000_600);
    expect(numberClaim({ exp: '1' }, 'exp')).toBeUndefined();
    expect(stringClaim(payload, 'room')).toBe('101');
    expect(stringClaim(payload, 'username')).toBe('alice');
    expect(stringClaim(payload, 'aud')).toBeUndefined();
  });
});
