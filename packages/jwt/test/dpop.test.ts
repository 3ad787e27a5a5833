/** DPoP primitives: the RFC 9449 examples, normalizeHtu, accessTokenHash, createDpopProof round trips, options. */
import { describe, expect, it } from 'vitest';
import {
  accessTokenHash,
  calculateThumbprint,
  createDpopProof,
  generateKeyPair,
  isJoseError,
  type JWK,
  normalizeHtu,
  verifyDpopProof,
} from '../src/index.js';
import { codeOf, loadVector } from './helpers.js';

interface Vector {
  jwk: JWK;
  jkt: string;
  entries: {
    id: string;
    proof: string;
    method: string;
    url: string;
    access_token?: string;
    ath?: string;
    jti: string;
    iat: number;
  }[];
}
const rfc = loadVector<Vector>('rfc/dpop-rfc9449.json');

describe('RFC 9449 examples', () => {
  it('the example key has the example thumbprint', () => {
    expect(calculateThumbprint(rfc.jwk)).toBe(rfc.jkt);
  });

  it.each(rfc.entries)('$id verifies at a clock frozen at its iat', (entry) => {
    const verified = verifyDpopProof(entry.proof, {
      method: entry.method,
      url: entry.url,
      clock: () => entry.iat * 1000,
      expectedJkt: rfc.jkt,
      ...(entry.access_token === undefined ? {} : { accessToken: entry.access_token }),
    });
    expect(verified.jkt).toBe(rfc.jkt);
    expect(verified.jwk).toEqual(rfc.jwk);
    expect(verified.claims).toMatchObject({
      jti: entry.jti,
      htm: entry.method,
      htu: entry.url,
      iat: entry.iat,
    });
    expect(verified.header).toMatchObject({ typ: 'dpop+jwt', alg: 'ES256' });
  });

  it('the 7.1 access token hashes to its ath', () => {
    const entry = rfc.entries[1]!;
    expect(accessTokenHash(entry.access_token!)).toBe(entry.ath);
  });

  it('the 4.1 proof is refused a minute after the default max age', () => {
    const entry = rfc.entries[0]!;
    const code = codeOf(() =>
      verifyDpopProof(entry.proof, { method: 'POST', url: entry.url, clock: () => (entry.iat + 360) * 1000 }),
    );
    expect(code).toBe('ERR_DPOP_PROOF_INVALID');
  });
});

describe('normalizeHtu', () => {
  it.each([
    ['HTTPS://Server.Example.COM/token', 'https://server.example.com/token'],
    ['https://server.example.com:443/token', 'https://server.example.com/token'],
    ['http://server.example.com:80/token', 'http://server.example.com/token'],
    ['https://server.example.com:8443/token', 'https://server.example.com:8443/token'],
    ['https://server.example.com/token?a=1&b=2', 'https://server.example.com/token'],
    ['https://server.example.com/token#frag', 'https://server.example.com/token'],
    ['https://server.example.com', 'https://server.example.com/'],
    ['https://server.example.com/a/../token', 'https://server.example.com/token'],
    ['https://server.example.com/%7euser/%2f', 'https://server.example.com/~user/%2F'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeHtu(input)).toBe(expected);
  });

  it('keeps the path case (paths are case-sensitive)', () => {
    expect(normalizeHtu('https://a.example/Token')).not.toBe(normalizeHtu('https://a.example/token'));
  });

  it('accepts a URL object', () => {
    expect(normalizeHtu(new URL('https://A.example:443/x?y'))).toBe('https://a.example/x');
  });

  it.each(['/token', 'ftp://a.example/x', 'https://user:pw@a.example/x', 'not a url'])(
    'refuses %s',
    (input) => {
      expect(() => normalizeHtu(input)).toThrow(TypeError);
    },
  );
});

describe('accessTokenHash', () => {
  it('refuses a non-ASCII token', () => {
    expect(() => accessTokenHash('tökén')).toThrow(TypeError);
  });
});

describe('createDpopProof', () => {
  const NOW = 1_800_000_000;
  const clock = () => NOW * 1000;

  it.each(['ES256', 'ES384', 'ES512', 'EdDSA', 'RS256', 'PS256'] as const)(
    '%s: a proof verifies, binds the key, carries ath and nonce',
    async (alg) => {
      const key = await generateKeyPair(alg);
      const proof = createDpopProof(key, {
        method: 'GET',
        url: 'https://Rooms.Example:443/rooms/12?view=full',
        accessToken: 'card',
        nonce: 'n-1',
        clock,
      });
      const verified = verifyDpopProof(proof, {
        method: 'GET',
        url: 'https://rooms.example/rooms/12',
        accessToken: 'card',
        nonce: 'n-1',
        clock,
      });
      expect(verified.jkt).toBe(calculateThumbprint(key.publicKey.toJWK()));
      expect(verified.claims).toMatchObject({
        htu: 'https://rooms.example/rooms/12',
        iat: NOW,
        nonce: 'n-1',
      });
      expect(verified.claims.ath).toBe(accessTokenHash('card'));
      expect(Object.keys(verified.jwk).sort()).toEqual(
        alg.startsWith('ES')
          ? ['crv', 'kty', 'x', 'y']
          : alg === 'EdDSA'
            ? ['crv', 'kty', 'x']
            : ['e', 'kty', 'n'],
      );
    },
  );

  it('uses a fresh jti each time unless one is given', async () => {
    const key = await generateKeyPair('ES256');
    const a = verifyDpopProof(createDpopProof(key, { method: 'POST', url: 'https://a.example/t', clock }), {
      method: 'POST',
      url: 'https://a.example/t',
      clock,
    });
    const b = verifyDpopProof(createDpopProof(key, { method: 'POST', url: 'https://a.example/t', clock }), {
      method: 'POST',
      url: 'https://a.example/t',
      clock,
    });
    expect(a.claims.jti).not.toBe(b.claims.jti);
    const c = createDpopProof(key, { method: 'POST', url: 'https://a.example/t', clock, jti: 'fixed' });
    expect(verifyDpopProof(c, { method: 'POST', url: 'https://a.example/t', clock }).claims.jti).toBe(
      'fixed',
    );
  });

  it('refuses a public key, a relative url and a non-ASCII access token', async () => {
    const key = await generateKeyPair('ES256');
    const url = 'https://a.example/t';
    // biome-ignore lint/suspicious/noExplicitAny: a wrong key type on purpose
    expect(codeOf(() => createDpopProof(key.publicKey as any, { method: 'GET', url }))).toBe(
      'ERR_JOSE_INVALID_OPTIONS',
    );
    expect(codeOf(() => createDpopProof(key, { method: 'GET', url: '/t' }))).toBe('ERR_JOSE_INVALID_OPTIONS');
    expect(codeOf(() => createDpopProof(key, { method: 'GET', url, accessToken: 'ö' }))).toBe(
      'ERR_JOSE_INVALID_OPTIONS',
    );
  });
});

describe('verifyDpopProof options and nonces', () => {
  const NOW = 1_800_000_000;
  const clock = () => NOW * 1000;
  const url = 'https://auth.example/oauth/token';

  it('checks its options', async () => {
    const key = await generateKeyPair('ES256');
    const proof = createDpopProof(key, { method: 'POST', url, clock });
    for (const bad of [
      { method: '', url },
      // biome-ignore lint/suspicious/noExplicitAny: HS256 is not an AsymmetricAlgorithm on purpose
      { method: 'POST', url, algorithms: ['HS256'] as any },
      { method: 'POST', url, maxAgeSeconds: -1 },
      { method: 'POST', url, leewaySeconds: 301 },
      { method: 'POST', url, maxProofBytes: 1.5 },
    ]) {
      expect(codeOf(() => verifyDpopProof(proof, { clock, ...bad }))).toBe('ERR_JOSE_INVALID_OPTIONS');
    }
  });

  it('an allow-list without the proof alg refuses it', async () => {
    const key = await generateKeyPair('ES256');
    const proof = createDpopProof(key, { method: 'POST', url, clock });
    expect(codeOf(() => verifyDpopProof(proof, { method: 'POST', url, clock, algorithms: ['EdDSA'] }))).toBe(
      'ERR_DPOP_PROOF_INVALID',
    );
  });

  it('a required nonce: missing or unknown → ERR_DPOP_NONCE_REQUIRED; a list or a function accepts', async () => {
    const key = await generateKeyPair('ES256');
    const without = createDpopProof(key, { method: 'POST', url, clock });
    const withOld = createDpopProof(key, { method: 'POST', url, clock, nonce: 'old' });
    const withNew = createDpopProof(key, { method: 'POST', url, clock, nonce: 'new' });
    const opts = { method: 'POST', url, clock };
    expect(codeOf(() => verifyDpopProof(without, { ...opts, nonce: 'new' }))).toBe('ERR_DPOP_NONCE_REQUIRED');
    expect(codeOf(() => verifyDpopProof(withOld, { ...opts, nonce: 'new' }))).toBe('ERR_DPOP_NONCE_REQUIRED');
    expect(codeOf(() => verifyDpopProof(withNew, { ...opts, nonce: 'new' }))).toBe('OK');
    expect(codeOf(() => verifyDpopProof(withOld, { ...opts, nonce: ['new', 'old'] }))).toBe('OK');
    expect(codeOf(() => verifyDpopProof(withOld, { ...opts, nonce: (n) => n === 'old' }))).toBe('OK');
    expect(codeOf(() => verifyDpopProof(without, { ...opts, nonce: (n) => n === 'old' }))).toBe(
      'ERR_DPOP_NONCE_REQUIRED',
    );
    // Without the option a nonce in the proof is allowed and returned.
    expect(verifyDpopProof(withNew, opts).claims.nonce).toBe('new');
  });

  it('an unparseable request URL is a refused proof, not a crash', async () => {
    const key = await generateKeyPair('ES256');
    const proof = createDpopProof(key, { method: 'POST', url, clock });
    expect(codeOf(() => verifyDpopProof(proof, { method: 'POST', url: 'http://[bad', clock }))).toBe(
      'ERR_DPOP_PROOF_INVALID',
    );
  });

  it('errors carry the reason in cause, never the proof', async () => {
    const key = await generateKeyPair('ES256');
    const proof = createDpopProof(key, { method: 'POST', url, clock });
    try {
      verifyDpopProof(proof, { method: 'GET', url, clock });
      expect.unreachable();
    } catch (err) {
      expect(isJoseError(err) && err.code).toBe('ERR_DPOP_PROOF_INVALID');
      expect((err as Error).message).toBe('The DPoP proof is invalid.');
      expect(String((err as Error).cause)).toContain('htm');
      expect(JSON.stringify(err) + String((err as Error).cause)).not.toContain(proof.split('.')[2]);
    }
  });
});
