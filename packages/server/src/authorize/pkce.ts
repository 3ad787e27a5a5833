import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * PKCE (RFC 7636) for the authorization-code flow. keycard requires it of every client and accepts
 * only the S256 method: `plain` would hand the verifier to anyone who sees the authorization
 * request (RFC 9700 §2.1.1).
 */

/** RFC 7636 §4.1: 43 to 128 characters of [A-Z] [a-z] [0-9] - . _ ~ */
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;
/** A base64url SHA-256 digest without padding: exactly 43 characters. */
const CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/** Is `challenge` shaped like an S256 code challenge (the authorization request's `code_challenge`)? */
export function isS256Challenge(challenge: unknown): challenge is string {
  return typeof challenge === 'string' && CHALLENGE.test(challenge);
}

/** Is `verifier` a well-formed `code_verifier` (RFC 7636 §4.1)? Says nothing of whether it matches. */
export function isCodeVerifier(verifier: unknown): verifier is string {
  return typeof verifier === 'string' && VERIFIER.test(verifier);
}

/** The S256 challenge of a verifier: BASE64URL(SHA256(ASCII(verifier))). */
export function s256Challenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/**
 * Does the token request's `code_verifier` prove possession for the stored S256 challenge? False
 * for a verifier of the wrong syntax; the comparison takes the same time wherever they differ.
 *
 * @example
 * ```ts
 * verifyS256('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk', 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'); // true
 * ```
 */
export function verifyS256(verifier: unknown, challenge: string): boolean {
  if (typeof verifier !== 'string' || !VERIFIER.test(verifier) || !CHALLENGE.test(challenge)) return false;
  return timingSafeEqual(Buffer.from(s256Challenge(verifier)), Buffer.from(challenge));
}
