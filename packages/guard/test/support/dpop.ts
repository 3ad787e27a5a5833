import type { JWTClaims, PrivateKey } from '@keycard/jwt';
import { calculateThumbprint, createDpopProof, generateKeyPair } from '@keycard/jwt';
import type { TestIssuer } from './test-issuer.js';

/** A DPoP holder: its key, its thumbprint, cards bound to it, and proofs. */
export interface DpopHolder {
  key: PrivateKey;
  jkt: string;
  card(claims?: JWTClaims): string;
  proof(method: string, url: string, card?: string, nonce?: string): string;
  /** `{ authorization: 'DPoP …', dpop: proof }` for a request. */
  headers(method: string, url: string, card: string, nonce?: string): Record<string, string>;
}

export async function dpopHolder(issuer: TestIssuer): Promise<DpopHolder> {
  const key = await generateKeyPair('ES256');
  const jkt = calculateThumbprint(key.publicKey.toJWK());
  const proof = (method: string, url: string, card?: string, nonce?: string) =>
    createDpopProof(key, {
      method,
      url,
      ...(card === undefined ? {} : { accessToken: card }),
      ...(nonce === undefined ? {} : { nonce }),
    });
  return {
    key,
    jkt,
    card: (claims = {}) => issuer.sign({ cnf: { jkt }, ...claims }),
    proof,
    headers: (method, url, card, nonce) => ({
      authorization: `DPoP ${card}`,
      dpop: proof(method, url, card, nonce),
    }),
  };
}
