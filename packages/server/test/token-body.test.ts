// The token endpoint's own form and body checks (hand-written for speed): they read a form exactly
// as URLSearchParams does, and refuse what the schema they replaced refused.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ServerError } from '../src/errors.js';
import { parseForm } from '../src/http/input.js';
import { parseTokenBody } from '../src/http/token-body.js';

/** What URLSearchParams makes of a form, with the same repeat rule. */
function reference(body: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const seen = out[key];
    if (seen === undefined) out[key] = value;
    else if (key === 'resource' || key === 'audience') out[key] = [seen, value].flat();
    else throw new Error('repeated');
  }
  return out;
}

describe('parseForm', () => {
  it.each([
    '',
    '&&a=1&&',
    'a',
    '=b',
    'a=1=2',
    'a+b=c+d',
    'a%20b=%2B%26',
    'x=%ZZ&y=%',
    'x=%E2%82%AC',
    'x=%E2%82',
    'k%3D=v%26w',
    'é=ü&%C3%A9x=1',
    'grant_type=client_credentials&scope=api%3Aread&audience=bench-api',
    'resource=a&resource=b&audience=c&resource=d',
    'a&b=1&c&d=2=3&e',
    'resource&resource=x&audience&audience=y=z',
    '&=&a&b=1',
  ])('reads %j as URLSearchParams does', (body) => {
    expect(parseForm(body)).toEqual(reference(body));
  });

  it('reads any form as URLSearchParams does (names without values between pairs with them included)', () => {
    const part = fc.stringMatching(/^[ab=&%+2Ee0é]{0,12}$/);
    fc.assert(
      fc.property(fc.array(part, { maxLength: 6 }), (parts) => {
        const body = parts.join('');
        let expected: Record<string, string | string[]> | 'repeated';
        try {
          expected = reference(body);
        } catch {
          expected = 'repeated';
        }
        if (expected === 'repeated') expect(() => parseForm(body)).toThrow(ServerError);
        else expect(parseForm(body)).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses a repeated parameter, even after a malformed escape', () => {
    for (const body of ['a=1&a=2', 'x=%ZZ&a=1&a=2', 'a=%ZZ&a=2']) {
      expect(() => parseForm(body)).toThrow(ServerError);
    }
  });

  it('gives a plain object (no prototype tricks from a parameter name)', () => {
    const form = parseForm('__proto__=x&constructor=y');
    expect(Object.getPrototypeOf(form)).toBe(Object.prototype);
    expect(Object.keys(form)).toEqual(['__proto__', 'constructor']);
  });
});

describe('parseTokenBody', () => {
  const message = (value: unknown) => {
    try {
      parseTokenBody(value);
    } catch (error) {
      expect((error as ServerError).code).toBe('ERR_VALIDATION');
      return (error as ServerError).message;
    }
    throw new Error('accepted');
  };

  it('keeps the known parameters and drops the rest', () => {
    expect(
      parseTokenBody({ grant_type: 'client_credentials', scope: 'a b', audience: ['x', 'y'], other: 1 }),
    ).toEqual({
      grant_type: 'client_credentials',
      scope: 'a b',
      audience: ['x', 'y'],
    });
  });

  it('requires grant_type and strings within their limits, naming fields but never values', () => {
    expect(message(undefined)).toContain('grant_type: expected string');
    expect(message([])).toContain('body: expected object');
    expect(message({ grant_type: 'password', username: 42 })).toContain('username: expected string');
    const long = 'secret-value'.repeat(400);
    const refused = message({ grant_type: 'password', password: long });
    expect(refused).toContain('password: Too big');
    expect(refused).not.toContain('secret-value');
    expect(message({ grant_type: 'x', resource: Array(21).fill('r') })).toContain('resource: Invalid input');
    expect(message({ grant_type: 'x', audience: [1] })).toContain('audience: Invalid input');
    expect(message({ grant_type: 'x', audience: 'a'.repeat(2049) })).toContain('audience: Too big');
  });

  it('reads only own members', () => {
    const inherited = Object.create({ grant_type: 'client_credentials' }) as object;
    expect(message(inherited)).toContain('grant_type: expected string');
  });
});
