/**
 * Differential tests against `jose` (dev dependency only): a DPoP proof jose signs (header jwk, typ
 * dpop+jwt) verifies with verifyDpopProof, and a proof createDpopProof signs verifies with jose's
 * jwtVerify(proof, EmbeddedJWK). One loop over the algorithms; a frozen clock on our side.
 */
import * as jose from 'jose';
import { describe, expect, it } from 'vitest';
import {
  type AsymmetricAlgorithm,
  accessTokenHash,
  calculateThumbprint,
  createDpopProof,
  generateKeyPair,
  verifyDpopProof,
} from '../src/index.js';
import { INTERNALS } from '../src/keys/key.js';

const ALGS: AsymmetricAlgorithm[] = ['ES256', 'ES384', 'EdDSA', 'RS256', 'PS256'];
const NOW = Math.floor(Date.now() / 1000);
const clock = () => NOW * 1000;
const url = 'https://rooms.example/rooms/12';

describe.each(ALGS)('%s', (alg) => {
  it('a proof signed by jose verifies with ours, with the same thumbprint', async () => {
    const key = await generateKeyPair(alg);
    const privateObject = key[INTERNALS].keyObject;
    const jwk = await jose.exportJWK(key.publicKey[INTERNALS].keyObject);
    const proof = await new jose.SignJWT({ htm: 'GET', htu: url, ath: accessTokenHash('card') })
      .setProtectedHeader({ alg, typ: 'dpop+jwt', jwk })
      .setJti(`jose-${alg}`)
      .setIssuedAt(NOW)
      .sign(privateObject);
    const verified = verifyDpopProof(proof, { method: 'GET', url, accessToken: 'card', clock });
    expect(verified.jkt).toBe(await jose.calculateJwkThumbprint(jwk, 'sha256'));
    expect(verified.claims.jti).toBe(`jose-${alg}`);
  });

  it('a proof signed by ours verifies with jose jwtVerify(proof, EmbeddedJWK)', async () => {
    const key = await generateKeyPair(alg);
    const proof = createDpopProof(key, { method: 'POST', url, accessToken: 'card', nonce: 'n', clock });
    const { payload, protectedHeader } = await jose.jwtVerify(proof, jose.EmbeddedJWK, {
      typ: 'dpop+jwt',
      algorithms: [alg],
      currentDate: new Date(NOW * 1000),
    });
    expect(payload).toMatchObject({
      htm: 'POST',
      htu: url,
      iat: NOW,
      nonce: 'n',
      ath: accessTokenHash('card'),
    });
    expect(await jose.calculateJwkThumbprint(protectedHeader.jwk!, 'sha256')).toBe(
      calculateThumbprint(key.publicKey.toJWK()),
    );
  });

  it('a proof jose signs with a mismatched jwk is refused by both', async () => {
    const key = await generateKeyPair(alg);
    const other = await generateKeyPair(alg);
    const jwk = await jose.exportJWK(other.publicKey[INTERNALS].keyObject);
    const proof = await new jose.SignJWT({ htm: 'GET', htu: url })
      .setProtectedHeader({ alg, typ: 'dpop+jwt', jwk })
      .setJti('x')
      .setIssuedAt(NOW)
      .sign(key[INTERNALS].keyObject);
    expect(() => verifyDpopProof(proof, { method: 'GET', url, clock })).toThrow(
      expect.objectContaining({ code: 'ERR_DPOP_PROOF_INVALID' }),
    );
    await expect(
      jose.jwtVerify(proof, jose.EmbeddedJWK, { currentDate: new Date(NOW * 1000) }),
    ).rejects.toThrow();
  });
});
