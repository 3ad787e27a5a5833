/** One named test per known attack on DPoP proofs (RFC 9449 §4.3, §11). Every refusal is asserted by code. */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  accessTokenHash,
  createDpopProof,
  DpopReplayCache,
  generateKeyPair,
  type PrivateKey,
  type VerifyDpopProofOptions,
  verifyDpopProof,
} from '../src/index.js';
import { hmac } from '../src/internal/crypto.js';
import { b64, codeOf, forge } from './helpers.js';

const NOW = 1_800_000_000;
const clock = () => NOW * 1000;
const URL_ = 'https://rooms.example/rooms/12';
const TOKEN = 'the-access-token';
const base: VerifyDpopProofOptions = { method: 'GET', url: URL_, accessToken: TOKEN, clock };

let key: PrivateKey;
let jwk: Record<string, unknown>;
const claims = () => ({ jti: 'j-1', htm: 'GET', htu: URL_, iat: NOW, ath: accessTokenHash(TOKEN) });
const header = () => ({ typ: 'dpop+jwt', alg: 'ES256', jwk });

/** A proof signed by the holder's key over exactly these header and claims. */
function proofOf(h: Record<string, unknown>, c: Record<string, unknown>): string {
  return forge(JSON.stringify(h), JSON.stringify(c), key);
}
const refused = (proof: string, opts: VerifyDpopProofOptions = base) =>
  codeOf(() => verifyDpopProof(proof, opts));

beforeAll(async () => {
  key = await generateKeyPair('ES256');
  const full = key.publicKey.toJWK();
  jwk = { kty: full.kty, crv: full.crv, x: full.x, y: full.y };
});

describe('DPoP proof attacks', () => {
  it('control: the honest proof verifies', () => {
    expect(refused(proofOf(header(), claims()))).toBe('OK');
  });

  it('alg none (any case, with or without a signature)', () => {
    for (const alg of ['none', 'None', 'NONE']) {
      const unsigned = `${b64(JSON.stringify({ ...header(), alg }))}.${b64(JSON.stringify(claims()))}.`;
      expect(refused(unsigned)).toBe('ERR_DPOP_PROOF_INVALID');
      expect(refused(proofOf({ ...header(), alg }, claims()))).toBe('ERR_DPOP_PROOF_INVALID');
    }
  });

  it('HS256 keyed with the public jwk (algorithm confusion)', () => {
    const h = b64(JSON.stringify({ ...header(), alg: 'HS256' }));
    const p = b64(JSON.stringify(claims()));
    for (const secret of [
      JSON.stringify(jwk),
      Buffer.from(jwk.x as string, 'base64url').toString('latin1'),
    ]) {
      const mac = hmac('sha256', Buffer.from(secret, 'latin1'), `${h}.${p}`).toString('base64url');
      expect(refused(`${h}.${p}.${mac}`)).toBe('ERR_DPOP_PROOF_INVALID');
    }
  });

  it('HS256 with an oct jwk', () => {
    const secret = Buffer.alloc(32, 7);
    const h = b64(
      JSON.stringify({ typ: 'dpop+jwt', alg: 'HS256', jwk: { kty: 'oct', k: secret.toString('base64url') } }),
    );
    const p = b64(JSON.stringify(claims()));
    const mac = hmac('sha256', secret, `${h}.${p}`).toString('base64url');
    expect(refused(`${h}.${p}.${mac}`)).toBe('ERR_DPOP_PROOF_INVALID');
  });

  it('private key members in the header jwk', () => {
    const priv = key.toJWK();
    expect(refused(proofOf({ ...header(), jwk: { ...jwk, d: priv.d } }, claims()))).toBe(
      'ERR_DPOP_PROOF_INVALID',
    );
  });

  it('alg that does not fit the jwk (ES384 or EdDSA header with a P-256 key, RS256 with an EC key)', () => {
    for (const alg of ['ES384', 'EdDSA', 'RS256', 'PS256']) {
      expect(refused(proofOf({ ...header(), alg }, claims()))).toBe('ERR_DPOP_PROOF_INVALID');
    }
  });

  it('jwk alg member disagreeing with the header alg', () => {
    expect(refused(proofOf({ ...header(), jwk: { ...jwk, alg: 'ES384' } }, claims()))).toBe(
      'ERR_DPOP_PROOF_INVALID',
    );
  });

  it('a signature by another key than the header jwk', async () => {
    const other = await generateKeyPair('ES256');
    const forged = forge(JSON.stringify(header()), JSON.stringify(claims()), other);
    expect(refused(forged)).toBe('ERR_DPOP_PROOF_INVALID');
  });

  it('missing or wrong typ', () => {
    const { typ: _typ, ...noTyp } = header();
    expect(refused(proofOf(noTyp, claims()))).toBe('ERR_DPOP_PROOF_INVALID');
    for (const typ of ['JWT', 'at+jwt', 'dpop']) {
      expect(refused(proofOf({ ...header(), typ }, claims()))).toBe('ERR_DPOP_PROOF_INVALID');
    }
  });

  it('missing jwk, and kid / jku / x5u / x5c instead of a jwk', () => {
    const { jwk: _jwk, ...noJwk } = header();
    expect(refused(proofOf(noJwk, claims()))).toBe('ERR_DPOP_PROOF_INVALID');
    expect(refused(proofOf({ ...noJwk, kid: 'k1' }, claims()))).toBe('ERR_DPOP_PROOF_INVALID');
    expect(refused(proofOf({ ...header(), jku: 'https://evil.example/jwks' }, claims()))).toBe(
      'ERR_DPOP_PROOF_INVALID',
    );
    expect(refused(proofOf({ ...header(), x5u: 'https://evil.example/cert' }, claims()))).toBe(
      'ERR_DPOP_PROOF_INVALID',
    );
    expect(refused(proofOf({ ...header(), x5c: ['MIIB'] }, claims()))).toBe('ERR_DPOP_PROOF_INVALID');
  });

  it('crit (any value)', () => {
    expect(refused(proofOf({ ...header(), crit: ['exp'], exp: 1 }, claims()))).toBe('ERR_DPOP_PROOF_INVALID');
    expect(refused(proofOf({ ...header(), crit: [] }, claims()))).toBe('ERR_DPOP_PROOF_INVALID');
  });

  it('missing claims', () => {
    for (const name of ['jti', 'htm', 'htu', 'iat']) {
      const c: Record<string, unknown> = claims();
      delete c[name];
      expect(refused(proofOf(header(), c)), name).toBe('ERR_DPOP_PROOF_INVALID');
    }
  });

  it('claims of the wrong type, and an oversize jti', () => {
    expect(refused(proofOf(header(), { ...claims(), iat: String(NOW) }))).toBe('ERR_DPOP_PROOF_INVALID');
    expect(refused(proofOf(header(), { ...claims(), jti: 42 }))).toBe('ERR_DPOP_PROOF_INVALID');
    expect(refused(proofOf(header(), { ...claims(), jti: 'x'.repeat(257) }))).toBe('ERR_DPOP_PROOF_INVALID');
    expect(refused(proofOf(header(), { ...claims(), nonce: 7 }))).toBe('ERR_DPOP_PROOF_INVALID');
  });

  it('wrong htm (another method, or another case)', () => {
    expect(refused(proofOf(header(), { ...claims(), htm: 'POST' }))).toBe('ERR_DPOP_PROOF_INVALID');
    expect(refused(proofOf(header(), { ...claims(), htm: 'get' }))).toBe('ERR_DPOP_PROOF_INVALID');
  });

  it('htu with a query or fragment', () => {
    expect(refused(proofOf(header(), { ...claims(), htu: `${URL_}?id=13` }))).toBe('ERR_DPOP_PROOF_INVALID');
    expect(refused(proofOf(header(), { ...claims(), htu: `${URL_}#x` }))).toBe('ERR_DPOP_PROOF_INVALID');
  });

  it('htu for another host', () => {
    expect(refused(proofOf(header(), { ...claims(), htu: 'https://evil.example/rooms/12' }))).toBe(
      'ERR_DPOP_PROOF_INVALID',
    );
    expect(refused(proofOf(header(), { ...claims(), htu: 'https://rooms.example:8443/rooms/12' }))).toBe(
      'ERR_DPOP_PROOF_INVALID',
    );
    expect(refused(proofOf(header(), { ...claims(), htu: 'http://rooms.example/rooms/12' }))).toBe(
      'ERR_DPOP_PROOF_INVALID',
    );
  });

  it('htu for another path', () => {
    expect(refused(proofOf(header(), { ...claims(), htu: 'https://rooms.example/rooms/13' }))).toBe(
      'ERR_DPOP_PROOF_INVALID',
    );
    expect(refused(proofOf(header(), { ...claims(), htu: 'https://rooms.example/rooms/12/' }))).toBe(
      'ERR_DPOP_PROOF_INVALID',
    );
  });

  it('ath mismatch, and ath missing when a token is presented', () => {
    expect(refused(proofOf(header(), { ...claims(), ath: accessTokenHash('another-token') }))).toBe(
      'ERR_DPOP_PROOF_INVALID',
    );
    const { ath: _ath, ...noAth } = claims();
    expect(refused(proofOf(header(), noAth))).toBe('ERR_DPOP_PROOF_INVALID');
  });

  it('jkt mismatch (a proof by another key than the card is bound to)', async () => {
    const other = await generateKeyPair('ES256');
    const proof = createDpopProof(other, { method: 'GET', url: URL_, accessToken: TOKEN, clock });
    const expectedJkt = verifyDpopProof(proofOf(header(), claims()), base).jkt;
    expect(refused(proof, { ...base, expectedJkt })).toBe('ERR_DPOP_PROOF_INVALID');
  });

  it('non-canonical jwk members (a leading zero byte) cannot give one key a second jkt', () => {
    const padded = `AA${jwk.x as string}`; // 33 bytes: not the curve's size
    expect(refused(proofOf({ ...header(), jwk: { ...jwk, x: padded } }, claims()))).toBe(
      'ERR_DPOP_PROOF_INVALID',
    );
  });

  it('expired iat (older than maxAgeSeconds)', () => {
    expect(refused(proofOf(header(), { ...claims(), iat: NOW - 301 }))).toBe('ERR_DPOP_PROOF_INVALID');
    expect(refused(proofOf(header(), { ...claims(), iat: NOW - 300 }))).toBe('OK');
    expect(refused(proofOf(header(), { ...claims(), iat: NOW - 61 }), { ...base, maxAgeSeconds: 60 })).toBe(
      'ERR_DPOP_PROOF_INVALID',
    );
  });

  it('future iat (beyond leewaySeconds)', () => {
    expect(refused(proofOf(header(), { ...claims(), iat: NOW + 6 }))).toBe('ERR_DPOP_PROOF_INVALID');
    expect(refused(proofOf(header(), { ...claims(), iat: NOW + 5 }))).toBe('OK');
  });

  it('replay through the cache', () => {
    const replayCache = new DpopReplayCache({ clock });
    const proof = proofOf(header(), { ...claims(), jti: 'once' });
    expect(refused(proof, { ...base, replayCache })).toBe('OK');
    expect(refused(proof, { ...base, replayCache })).toBe('ERR_DPOP_PROOF_REPLAYED');
    // Same jti, fresh signature: still a replay (keyed by jkt + jti, not by the bytes).
    expect(
      refused(proofOf(header(), { ...claims(), jti: 'once', iat: NOW - 1 }), { ...base, replayCache }),
    ).toBe('ERR_DPOP_PROOF_REPLAYED');
  });

  it('duplicate JSON members in the header or claims', () => {
    const h = JSON.stringify(header());
    const dupHeader = `${h.slice(0, -1)},"typ":"dpop+jwt"}`;
    expect(refused(forge(dupHeader, JSON.stringify(claims()), key))).toBe('ERR_DPOP_PROOF_INVALID');
    const c = JSON.stringify(claims());
    const dupHtu = `${c.slice(0, -1)},"htu":"https://evil.example/x"}`;
    expect(refused(forge(JSON.stringify(header()), dupHtu, key))).toBe('ERR_DPOP_PROOF_INVALID');
    const dupJwk = h.replace('"kty":"EC"', '"kty":"EC","kty":"EC"');
    expect(refused(forge(dupJwk, c, key))).toBe('ERR_DPOP_PROOF_INVALID');
  });

  it('oversize proof, refused before parsing', () => {
    const big = proofOf(header(), { ...claims(), pad: 'x'.repeat(9000) });
    expect(refused(big)).toBe('ERR_DPOP_PROOF_INVALID');
    expect(refused(big, { ...base, maxProofBytes: 20_000 })).toBe('OK');
    expect(refused(`${'a'.repeat(9000)}.b.c`)).toBe('ERR_DPOP_PROOF_INVALID');
  });

  it('non-canonical base64url and non-ASCII proofs', () => {
    const proof = proofOf(header(), claims());
    expect(refused(`${proof}=`)).toBe('ERR_DPOP_PROOF_INVALID');
    expect(refused(proof.replace('.', 'ő.'))).toBe('ERR_DPOP_PROOF_INVALID');
    // biome-ignore lint/suspicious/noExplicitAny: not a string on purpose
    expect(refused(undefined as any)).toBe('ERR_DPOP_PROOF_INVALID');
  });
});
