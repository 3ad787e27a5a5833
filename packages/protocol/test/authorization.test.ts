import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isWellFormedToken, parseAuthorization } from '../src/index.js';

const TOKEN68_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/';
const token68 = fc
  .tuple(
    fc.string({ unit: fc.constantFrom(...TOKEN68_CHARS), minLength: 1, maxLength: 80 }),
    fc.nat({ max: 3 }),
  )
  .map(([body, pad]) => body + '='.repeat(pad));
/** A scheme name in any mix of cases. */
const casedScheme = (name: string) =>
  fc
    .array(fc.boolean(), { minLength: name.length, maxLength: name.length })
    .map((upper) => [...name].map((c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase())).join(''));

describe('parseAuthorization', () => {
  it('reads Bearer and DPoP cards', () => {
    expect(parseAuthorization('Bearer abc.def-_~+/==')).toEqual({
      scheme: 'Bearer',
      token: 'abc.def-_~+/==',
    });
    expect(parseAuthorization('DPoP abc')).toEqual({ scheme: 'DPoP', token: 'abc' });
    expect(parseAuthorization('bEaReR x')).toEqual({ scheme: 'Bearer', token: 'x' });
    expect(parseAuthorization('dpop x')).toEqual({ scheme: 'DPoP', token: 'x' });
  });

  it('tells missing, repeated, foreign and malformed headers apart', () => {
    expect(parseAuthorization(undefined)).toEqual({ error: 'missing' });
    expect(parseAuthorization(null)).toEqual({ error: 'missing' });
    expect(parseAuthorization(['Bearer a', 'Bearer b'])).toEqual({ error: 'multiple' });
    expect(parseAuthorization('Basic dXNlcjpwYXNz')).toEqual({ error: 'unsupported_scheme' });
    expect(parseAuthorization('Bearerx')).toEqual({ error: 'unsupported_scheme' });
    expect(parseAuthorization('')).toEqual({ error: 'unsupported_scheme' });
    for (const bad of [
      'Bearer',
      'Bearer ',
      'Bearer  abc',
      'Bearer\tabc',
      'Bearer abc ',
      'Bearer a b',
      'Bearer =abc',
      'Bearer a=b',
      'Bearer ab\u00e9',
    ]) {
      expect(parseAuthorization(bad), bad).toEqual({ error: 'malformed', scheme: 'Bearer' });
    }
    expect(parseAuthorization('DPoP\tabc')).toEqual({ error: 'malformed', scheme: 'DPoP' });
    expect(parseAuthorization('DPoP')).toEqual({ error: 'malformed', scheme: 'DPoP' });
  });

  it('with tokenSyntax: false, leaves the token68 check to the caller but not the scheme, the space or emptiness', () => {
    const lax = (header: string) => parseAuthorization(header, { tokenSyntax: false });
    expect(lax('Bearer a b')).toEqual({ scheme: 'Bearer', token: 'a b' });
    expect(isWellFormedToken('a b')).toBe(false); // what the caller checks before verifying it
    for (const bad of ['Bearer', 'Bearer ', 'Bearer\tabc', 'DPoP'])
      expect(lax(bad).scheme, bad).toBeDefined();
    for (const bad of ['Bearer', 'Bearer ', 'Bearer\tabc', 'DPoP'])
      expect('error' in lax(bad), bad).toBe(true);
    expect(lax('Basic abc')).toEqual({ error: 'unsupported_scheme' });
    expect(lax('dpop eyJ.x.y')).toEqual({ scheme: 'DPoP', token: 'eyJ.x.y' });
  });

  it('accepts every token68 value under either scheme, in any case (property)', () => {
    fc.assert(
      fc.property(fc.oneof(casedScheme('Bearer'), casedScheme('DPoP')), token68, (scheme, token) => {
        const parsed = parseAuthorization(`${scheme} ${token}`);
        expect(parsed).toEqual({ scheme: scheme.length === 6 ? 'Bearer' : 'DPoP', token });
        expect(isWellFormedToken(token)).toBe(true);
      }),
    );
  });

  it('never returns a token that is not token68, nor one from another scheme (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (header) => {
        const parsed = parseAuthorization(header);
        if ('token' in parsed) {
          expect(isWellFormedToken(parsed.token)).toBe(true);
          expect(`${header.slice(0, header.length - parsed.token.length - 1).toLowerCase()}`).toMatch(
            /^(bearer|dpop)$/,
          );
          expect(header.endsWith(` ${parsed.token}`)).toBe(true);
        }
      }),
    );
  });

  it('refuses any extra whitespace around the token (property)', () => {
    const ws = fc.constantFrom(' ', '\t', '  ', ' \t');
    fc.assert(
      fc.property(token68, ws, fc.boolean(), (token, space, after) => {
        const header = after ? `Bearer ${token}${space}` : `Bearer${space === ' ' ? '  ' : space}${token}`;
        expect(parseAuthorization(header)).toEqual({ error: 'malformed', scheme: 'Bearer' });
      }),
    );
  });
});
