import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkRedirectUris, redirectUriMatches, redirectUriProblem } from '../src/clients/redirect-uri.js';

/** Redirect URIs a client may register (RFC 6749 §3.1.2, RFC 8252, RFC 9700) and exact matching. */
describe('redirect URIs at registration', () => {
  it.each([
    'https://app.example.com/callback',
    'https://app.example.com/callback?tenant=a',
    'https://app.example.com:8443/cb',
    'http://127.0.0.1/callback',
    'http://127.0.0.1:51004/callback',
    'http://[::1]:8080/cb',
    'com.example.app:/oauth2redirect',
  ])('accepts %s', (uri) => {
    expect(redirectUriProblem(uri)).toBeUndefined();
  });

  it.each([
    ['', /non-empty/],
    ['/callback', /absolute/],
    ['https://app.example.com/cb#frag', /fragment/],
    ['https://*.example.com/cb', /wildcard/],
    ['https://user:pw@app.example.com/cb', /user info/],
    ['http://app.example.com/cb', /use https/],
    ['http://localhost:3000/cb', /not localhost/],
    ['http://app.localhost/cb', /not localhost/],
    ['javascript:alert(1)', /private-use scheme/],
    ['data:text/html,hi', /private-use scheme/],
    ['file:///etc/passwd', /private-use scheme/],
    ['myapp:/cb', /private-use scheme/],
    ['com.example.app://host/cb', /path only/],
    ['HTTPS://App.Example.com/cb', /canonical form: https:\/\/app\.example\.com\/cb/],
    ['https://app.example.com', /canonical form: https:\/\/app\.example\.com\//],
    ['https://app.example.com/a/../b', /canonical form/],
    ['https://app.example.com:443/cb', /canonical form/],
    [`https://app.example.com/${'a'.repeat(2000)}`, /at most 2000/],
    ['https://app.example.com/cb?code=evil', /response parameter/],
    ['https://app.example.com/cb?x=1&iss=evil', /response parameter/],
  ])('refuses %s', (uri, why) => {
    expect(redirectUriProblem(uri)).toMatch(why);
  });

  it('names the field and position of the first bad URI, and refuses duplicates', () => {
    expect(() =>
      checkRedirectUris('redirectUris', ['https://a.example/cb', 'http://evil.example/cb']),
    ).toThrow(/redirectUris\[1\]: http is allowed only/);
    expect(() => checkRedirectUris('redirectUris', ['https://a.example/cb', 'https://a.example/cb'])).toThrow(
      /listed once/,
    );
    expect(() => checkRedirectUris('redirectUris', [])).not.toThrow();
  });
});

describe('matching a presented redirect URI', () => {
  const registered = ['https://app.example.com/cb', 'http://127.0.0.1/native', 'com.example.app:/done'];

  it.each([
    ['https://app.example.com/cb', true],
    ['com.example.app:/done', true],
    ['http://127.0.0.1/native', true],
    ['http://127.0.0.1:51004/native', true], // RFC 8252 §7.3: any port on loopback
    ['http://[::1]:51004/native', false], // another address is another URI
    ['http://127.0.0.1:51004/native/x', false],
    ['http://127.0.0.1:51004/native?x=1', false],
    ['http://localhost:51004/native', false],
    ['https://app.example.com/cb?x=1', false],
    ['https://app.example.com/cb/', false],
    ['https://app.example.com/CB', false],
    ['https://APP.example.com/cb', false],
    ['https://app.example.com.evil.example/cb', false],
    ['https://app.example.com:443/cb', false],
    ['https://app.example.com/cb#x', false],
    ['https://evil.example/?https://app.example.com/cb', false],
    ['http://127.0.0.1:51004@evil.example/native', false],
    ['', false],
  ])('%s → %s', (presented, expected) => {
    expect(redirectUriMatches(registered, presented)).toBe(expected);
  });

  it('a loopback registration with a port still takes any port; nothing else varies', () => {
    expect(redirectUriMatches(['http://127.0.0.1:8000/cb'], 'http://127.0.0.1:9000/cb')).toBe(true);
    expect(redirectUriMatches(['https://app.example.com:8443/cb'], 'https://app.example.com:9443/cb')).toBe(
      false,
    );
  });

  it('never matches a URI that differs from every registered one outside the loopback port', () => {
    fc.assert(
      fc.property(
        fc
          .webUrl({ withFragments: true, withQueryParameters: true })
          .filter((url) => !/^https?:\/\/(127\.|\[::1\])/.test(url)), // loopback: the case above
        (presented) => {
          const match = redirectUriMatches(registered, presented);
          expect(match).toBe(registered.includes(presented));
        },
      ),
    );
  });
});
