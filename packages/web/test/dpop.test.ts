// DPoP proofs made with WebCrypto (as the browser does), checked with an independent library (jose).
import { calculateJwkThumbprint, compactVerify, decodeProtectedHeader, importJWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { base64UrlEncode, sha256Base64Url } from '../src/dpop/base64url.js';
import { normalizeHtu } from '../src/dpop/htu.js';
import { dpopKeyLoader } from '../src/dpop/key-store.js';
import { createDpopProof, dpopKeyFrom, generateDpopKeyPair, jwkThumbprint } from '../src/dpop/proof.js';

const NOW = Date.UTC(2026, 0, 1);

async function verified(proof: string) {
  const header = decodeProtectedHeader(proof);
  const key = await importJWK(header.jwk as Parameters<typeof importJWK>[0], 'ES256');
  const { payload } = await compactVerify(proof, key, { algorithms: ['ES256'] });
  return { header, claims: JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown> };
}

describe('DPoP proofs from WebCrypto', () => {
  it('are dpop+jwt ES256 JWS with the public key only, verified by jose', async () => {
    const key = await dpopKeyFrom(await generateDpopKeyPair());
    const proof = await createDpopProof(key, {
      method: 'POST',
      url: 'http://127.0.0.1:4000/api/refresh',
      now: NOW,
    });
    const { header, claims } = await verified(proof);
    expect(header).toEqual({ typ: 'dpop+jwt', alg: 'ES256', jwk: key.jwk });
    expect(Object.keys(header.jwk ?? {}).sort()).toEqual(['crv', 'kty', 'x', 'y']);
    expect(claims).toMatchObject({ htm: 'POST', htu: 'http://127.0.0.1:4000/api/refresh', iat: NOW / 1000 });
    expect(typeof claims.jti).toBe('string');
    expect(claims).not.toHaveProperty('ath');
    expect(claims).not.toHaveProperty('nonce');
  });

  it('carry ath = base64url(SHA-256(card)) and the nonce when given, and a new jti each time', async () => {
    const key = await dpopKeyFrom(await generateDpopKeyPair());
    const input = {
      method: 'GET',
      url: 'http://127.0.0.1:4001/rooms/101/open',
      accessToken: 'a.b.c',
      nonce: 'n-1',
    };
    const a = (await verified(await createDpopProof(key, input))).claims;
    const b = (await verified(await createDpopProof(key, input))).claims;
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode('a.b.c')));
    expect(a.ath).toBe(base64UrlEncode(digest));
    expect(a.ath).toBe(await sha256Base64Url('a.b.c'));
    expect(a.nonce).toBe('n-1');
    expect(a.jti).not.toBe(b.jti);
  });

  it('name the key by its RFC 7638 thumbprint, the same as jose computes', async () => {
    const key = await dpopKeyFrom(await generateDpopKeyPair());
    expect(key.jkt).toBe(await calculateJwkThumbprint(key.jwk, 'sha256'));
    expect(await jwkThumbprint(key.jwk)).toBe(key.jkt);
  });

  it('are signed with a private key that cannot be exported', async () => {
    const pair = await generateDpopKeyPair();
    expect(pair.privateKey.extractable).toBe(false);
    await expect(crypto.subtle.exportKey('jwk', pair.privateKey)).rejects.toThrow();
  });

  it('without IndexedDB, the loader makes one key and keeps handing back the same one', async () => {
    const load = dpopKeyLoader(undefined);
    const [a, b] = await Promise.all([load(), load()]);
    expect(a.jkt).toBe(b.jkt);
    expect((await load()).privateKey).toBe(a.privateKey);
  });
});

describe('normalizeHtu (RFC 9449 §4.3)', () => {
  it.each([
    ['HTTP://Example.COM:80/api/me?x=1#frag', undefined, 'http://example.com/api/me'],
    ['https://example.com:443/a', undefined, 'https://example.com/a'],
    ['http://127.0.0.1:4001/rooms/101/open', undefined, 'http://127.0.0.1:4001/rooms/101/open'],
    ['/api/refresh?q', 'http://127.0.0.1:4000', 'http://127.0.0.1:4000/api/refresh'],
    ['/api/me', 'http://LOCALHOST:4000/', 'http://localhost:4000/api/me'],
  ])('%s (base %s) → %s', (url, base, want) => {
    expect(normalizeHtu(url, base)).toBe(want);
  });
});

describe('the browser proof meets the verifier the doors use (@keycard/jwt verifyDpopProof)', () => {
  it('verifies, with ath, htm/htu and the key thumbprint the card will name', async () => {
    const { verifyDpopProof, accessTokenHash } = await import('@keycard/jwt');
    const key = await dpopKeyFrom(await generateDpopKeyPair());
    const url = 'http://127.0.0.1:4001/rooms/101/minibar';
    const proof = await createDpopProof(key, { method: 'POST', url, accessToken: 'card' });
    const verified = verifyDpopProof(proof, {
      method: 'POST',
      url: `${url}?ignored=1`,
      accessToken: 'card',
      expectedJkt: key.jkt,
    });
    expect(verified.jkt).toBe(key.jkt);
    expect(verified.claims.ath).toBe(accessTokenHash('card'));
    expect(() =>
      verifyDpopProof(proof, { method: 'GET', url, accessToken: 'card', expectedJkt: key.jkt }),
    ).toThrow();
  });
});
