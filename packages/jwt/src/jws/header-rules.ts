/** Rules every protected header must pass before a key is looked up. */
import { JoseNotSupported, JWSAlgNotAllowed, JWTClaimInvalid } from '../errors.js';
import { mismatch } from '../jwt/claims.js';
import type { JWSHeader } from '../types.js';

// Refused: key-by-reference and embedded keys (RFC 8725 §3.10: a token must not choose its own key),
// extensions we do not implement (any crit, RFC 7797 b64), JWE compression. x5c/x5t are ignored.
const REFUSED_MEMBERS = ['jku', 'x5u', 'jwk', 'crit', 'b64', 'zip'] as const;

/** RFC 7515 §4.1.9: media types are case-insensitive and `application/` may be left out. */
export function normalizeTyp(typ: string): string {
  const lower = typ.toLowerCase();
  return lower.startsWith('application/') ? lower.slice('application/'.length) : lower;
}

/**
 * alg must be in the allow-list (`none` in any spelling never is), no refused member, no nested JWT,
 * and when `typ` is given (normalized) the header typ must match it.
 */
export function checkProtectedHeader(header: JWSHeader, algorithms: ReadonlySet<string>, typ?: string): void {
  const alg = header.alg;
  if (alg.toLowerCase() === 'none') throw new JWSAlgNotAllowed('alg none is never accepted');
  if (!algorithms.has(alg)) throw new JWSAlgNotAllowed();
  for (const name of REFUSED_MEMBERS) {
    if (header[name] !== undefined) throw new JoseNotSupported(`header member ${name} is not supported`);
  }
  if (typeof header.cty === 'string' && normalizeTyp(header.cty) === 'jwt') {
    throw new JoseNotSupported('nested JWTs are not supported');
  }
  if (typ !== undefined && (header.typ === undefined || normalizeTyp(header.typ) !== typ)) {
    throw new JWTClaimInvalid(mismatch('typ', [typ], header.typ), { claim: 'typ' });
  }
}
