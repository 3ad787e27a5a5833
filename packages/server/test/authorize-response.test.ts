import { describe, expect, it } from 'vitest';
import { authorizationResponseUrl } from '../src/authorize/response.js';

describe('the authorization response redirect', () => {
  const iss = 'https://auth.example.com';

  it('adds code, state and iss (RFC 9207) and keeps the registered query', () => {
    const url = new URL(
      authorizationResponseUrl('https://app.example.com/cb?tenant=a', { code: 'c0de' }, 'xyz', iss),
    );
    expect(url.origin + url.pathname).toBe('https://app.example.com/cb');
    expect([...url.searchParams]).toEqual([
      ['tenant', 'a'],
      ['code', 'c0de'],
      ['state', 'xyz'],
      ['iss', iss],
    ]);
  });

  it('sends an error with its description, and no state when the request had none', () => {
    const url = new URL(
      authorizationResponseUrl(
        'com.example.app:/done',
        { error: 'access_denied', error_description: 'no' },
        undefined,
        iss,
      ),
    );
    expect(url.protocol).toBe('com.example.app:');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      error: 'access_denied',
      error_description: 'no',
      iss,
    });
  });

  it('keeps the registered query byte for byte, and joins an empty one cleanly', () => {
    expect(authorizationResponseUrl('https://app.example.com/cb?a=%20b', { code: 'c' }, undefined, iss)).toBe(
      `https://app.example.com/cb?a=%20b&code=c&iss=${encodeURIComponent(iss)}`,
    );
    expect(authorizationResponseUrl('https://app.example.com/cb?', { code: 'c' }, undefined, iss)).toBe(
      `https://app.example.com/cb?code=c&iss=${encodeURIComponent(iss)}`,
    );
  });

  it('encodes a state with reserved characters so it comes back unchanged', () => {
    const state = 'a b&c=d/e?f#g%';
    const url = new URL(authorizationResponseUrl('https://app.example.com/cb', { code: 'c' }, state, iss));
    expect(url.searchParams.get('state')).toBe(state);
    expect(url.hash).toBe('');
  });
});
