import { describe, expect, it } from 'vitest';
import { auditQuery, secretFrom } from '../src/api/admin.js';
import { readAllPages } from '../src/api/pages.js';
import { parseJwks, splitUris } from '../src/lib/client-form.js';
import { readCookie } from '../src/lib/cookies.js';
import { AppError, messageOf } from '../src/lib/errors.js';
import { splitList } from '../src/lib/lists.js';
import { describeUserAgent } from '../src/lib/user-agent.js';

describe('readCookie', () => {
  it('finds one cookie among many', () => {
    expect(readCookie('a=1; keycard_csrf=xyz; b=2', 'keycard_csrf')).toBe('xyz');
    expect(readCookie('keycard_csrf=a%20b', 'keycard_csrf')).toBe('a b');
    expect(readCookie('keycard_csrf=%E0%A4%A', 'keycard_csrf')).toBe('%E0%A4%A');
    expect(readCookie('xkeycard_csrf=1; other', 'keycard_csrf')).toBeUndefined();
    expect(readCookie('', 'keycard_csrf')).toBeUndefined();
  });
});

describe('splitList', () => {
  it('splits on commas and spaces and drops duplicates', () => {
    expect(splitList('guest, manager  guest')).toEqual(['guest', 'manager']);
    expect(splitList('  ')).toEqual([]);
  });
});

describe('auditQuery', () => {
  it('leaves out empty filters', () => {
    expect(auditQuery({})).toBe('');
    expect(auditQuery({ type: 'login.', actor: '', since: 1_700_000_000_000, limit: 50 })).toBe(
      '?type=login.&since=1700000000000&limit=50',
    );
  });
});

describe('secretFrom', () => {
  it('reads the one-time client secret from `secret`, the one field the server sends', () => {
    const client = {
      id: 'c',
      name: 'c',
      type: 'confidential' as const,
      firstParty: false,
      grants: [],
      audiences: [],
      scopes: [],
      multiAudience: false,
      requireDpop: false,
      tokenExchange: [],
      hasSecret: true,
      redirectUris: [],
      postLogoutRedirectUris: [],
      backchannelLogoutUri: null,
      jwks: null,
      createdAt: 1_700_000_000,
    };
    expect(secretFrom({ ...client, secret: 's1' })).toBe('s1');
    expect(secretFrom(client)).toBeUndefined();
  });
});

describe('describeUserAgent', () => {
  it('names browser and OS', () => {
    const chrome =
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
    expect(describeUserAgent(chrome)).toBe('Chrome on Linux');
    expect(describeUserAgent(chrome.replace('Chrome/', 'HeadlessChrome/'))).toBe('Headless Chrome on Linux');
    expect(
      describeUserAgent(
        'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 Version/17.0 Safari/605.1.15',
      ),
    ).toBe('Safari on macOS');
    expect(
      describeUserAgent('Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0'),
    ).toBe('Firefox on Windows');
    expect(describeUserAgent('curl/8.5.0')).toBe('curl');
    expect(describeUserAgent(null)).toBe('Unknown device');
  });
});

describe('AppError', () => {
  it('carries code, status and retryAfter; messageOf hides non-app errors', () => {
    const err = new AppError('ERR_RATE_LIMITED', 'Too many', { status: 429, retryAfter: 30 });
    expect([err.code, err.status, err.retryAfter]).toEqual(['ERR_RATE_LIMITED', 429, 30]);
    expect(AppError.of('ERR_NETWORK').status).toBe(0);
    expect(messageOf(err)).toBe('Too many');
    expect(messageOf(new Error('internal detail'))).toBe('Something went wrong.');
  });
});

describe('keyset pages', () => {
  it('reads every page, following next until it is null', async () => {
    const pages: Record<string, { users: Array<{ id: number }>; next: string | null }> = {
      '?limit=1000': { users: [{ id: 1 }, { id: 2 }], next: 'b2s/' },
      '?limit=1000&after=b2s%2F': { users: [{ id: 3 }], next: null },
    };
    const asked: string[] = [];
    const users = await readAllPages(async (q) => {
      asked.push(q);
      return pages[q]!;
    }, 'users');
    expect(users.map((u) => u.id)).toEqual([1, 2, 3]);
    expect(asked).toEqual(['?limit=1000', '?limit=1000&after=b2s%2F']);
  });
});

describe('the client form', () => {
  it('splits URIs on lines and spaces, never on commas (a query may hold them)', () => {
    expect(
      splitUris(' https://a.example/cb?x=1,2\n\nhttp://127.0.0.1/cb  https://a.example/cb?x=1,2 '),
    ).toEqual(['https://a.example/cb?x=1,2', 'http://127.0.0.1/cb']);
    expect(splitUris('  \n')).toEqual([]);
  });

  it('reads pasted keys: a JWK Set, one JWK as a set of one, nothing, or says what is wrong', () => {
    const jwk = { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', kid: 'k1', alg: 'ES256' };
    expect(parseJwks(JSON.stringify({ keys: [jwk] }))).toEqual({ ok: true, jwks: { keys: [jwk] } });
    expect(parseJwks(JSON.stringify(jwk))).toEqual({ ok: true, jwks: { keys: [jwk] } });
    expect(parseJwks('  ')).toEqual({ ok: true, jwks: undefined });
    expect(parseJwks('{"keys": [')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/not valid JSON/),
    });
    expect(parseJwks('[1]')).toMatchObject({ ok: false, message: expect.stringMatching(/JWK Set/) });
  });
});
