/**
 * DPoP proofs (RFC 9449 §4.2) signed in the browser with WebCrypto ES256. The private key is a
 * non-extractable CryptoKey: it signs here and never leaves WebCrypto.
 */
import { base64UrlEncode, encodeJsonSegment, sha256Base64Url } from './base64url.js';
import { normalizeHtu } from './htu.js';

/** The public half of the proof key as a JWK (public members only). */
export interface PublicEcJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
}

/** A proof key: the non-extractable private key and its public JWK and thumbprint. */
export interface DpopKey {
  privateKey: CryptoKey;
  jwk: PublicEcJwk;
  /** RFC 7638 SHA-256 thumbprint of `jwk` (base64url): what a bound card's `cnf.jkt` names. */
  jkt: string;
}

export interface ProofInput {
  method: string;
  /** Absolute URL of the request (query and fragment are dropped). */
  url: string;
  /** The card sent with the request: its hash goes into `ath`. */
  accessToken?: string | undefined;
  /** A nonce the server asked for (`DPoP-Nonce`). */
  nonce?: string | undefined;
  /** Milliseconds since the epoch (default Date.now()). */
  now?: number;
}

/**
 * The RFC 7638 thumbprint of a P-256 public key: SHA-256 of the required members in
 * lexicographic order, without whitespace.
 */
export function jwkThumbprint(jwk: PublicEcJwk): Promise<string> {
  return sha256Base64Url(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }));
}

/** Builds a {@link DpopKey} from a WebCrypto ECDSA P-256 key pair. */
export async function dpopKeyFrom(pair: CryptoKeyPair): Promise<DpopKey> {
  const exported = await crypto.subtle.exportKey('jwk', pair.publicKey);
  if (exported.kty !== 'EC' || exported.crv !== 'P-256' || !exported.x || !exported.y) {
    throw new Error('the DPoP key is not an EC P-256 key');
  }
  const jwk: PublicEcJwk = { kty: 'EC', crv: 'P-256', x: exported.x, y: exported.y };
  return { privateKey: pair.privateKey, jwk, jkt: await jwkThumbprint(jwk) };
}

/** A fresh key pair whose private key cannot be exported (only the public key can). */
export function generateDpopKeyPair(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
}

function randomJti(): string {
  return base64UrlEncode(crypto.getRandomValues(new Uint8Array(16)));
}

/**
 * Signs a DPoP proof JWT for one request.
 *
 * @example
 * const proof = await createDpopProof(key, { method: 'GET', url: 'http://127.0.0.1:4001/rooms/101/open', accessToken });
 * fetch(url, { headers: { Authorization: `DPoP ${accessToken}`, DPoP: proof } });
 */
export async function createDpopProof(key: DpopKey, input: ProofInput): Promise<string> {
  const header = { typ: 'dpop+jwt', alg: 'ES256', jwk: key.jwk };
  const claims: Record<string, unknown> = {
    jti: randomJti(),
    htm: input.method,
    htu: normalizeHtu(input.url),
    iat: Math.floor((input.now ?? Date.now()) / 1000),
  };
  if (input.accessToken !== undefined) claims.ath = await sha256Base64Url(input.accessToken);
  if (input.nonce !== undefined) claims.nonce = input.nonce;
  const signingInput = `${encodeJsonSegment(header)}.${encodeJsonSegment(claims)}`;
  // WebCrypto's ECDSA signature is already the raw r || s form JWS wants (RFC 7518 §3.4).
  const signature = await crypto.subtle.sign(
    { name: 'ECDSA', hash: 'SHA-256' },
    key.privateKey,
    new TextEncoder().encode(signingInput),
  );
  return `${signingInput}.${base64UrlEncode(signature)}`;
}
