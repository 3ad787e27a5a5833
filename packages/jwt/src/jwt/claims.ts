/** JWT claims validation (RFC 7519 §4.1, RFC 8725 §3.8–3.10), prepared once per verifier. */
import { JWTClaimInvalid, JWTExpired, JWTInvalid, JWTNotYetValid } from '../errors.js';
import type { JWTClaims } from '../types.js';

/** The claims policy after option checks. */
export interface ClaimsPolicy {
  readonly issuers: readonly string[] | undefined;
  readonly audiences: readonly string[] | undefined;
  readonly subject: string | undefined;
  readonly leewaySeconds: number;
  readonly clock: () => number;
  readonly maxTokenAgeSeconds: number | undefined;
  readonly requireExp: boolean;
  readonly requiredClaims: readonly string[];
}

/**
 * NumericDate rule: a JSON number that is finite, >= 0 and <= Number.MAX_SAFE_INTEGER (fractions are
 * allowed, RFC 7519 §2). Strings, negative numbers, and overflowed literals such as 1e400 (Infinity)
 * are refused with ERR_JWT_INVALID.
 */
function numericDate(value: unknown, name: 'exp' | 'nbf' | 'iat'): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !(value >= 0 && value <= Number.MAX_SAFE_INTEGER)) {
    throw new JWTInvalid(`claim ${name} must be a NumericDate`, { claim: name });
  }
  return value;
}

function stringClaim(value: unknown, name: 'iss' | 'sub' | 'jti'): string | undefined {
  if (value !== undefined && typeof value !== 'string') {
    throw new JWTInvalid(`claim ${name} must be a string`, { claim: name });
  }
  return value;
}

/** Validates registered claim types and the policy. Throws the first failure. */
export function checkClaims(payload: JWTClaims, policy: ClaimsPolicy): void {
  // Named property reads (not payload[name]) keep these loads monomorphic in the hot path.
  const exp = numericDate(payload.exp, 'exp');
  const nbf = numericDate(payload.nbf, 'nbf');
  const iat = numericDate(payload.iat, 'iat');
  const iss = stringClaim(payload.iss, 'iss');
  const sub = stringClaim(payload.sub, 'sub');
  stringClaim(payload.jti, 'jti');
  const aud = payload.aud;
  if (aud !== undefined && typeof aud !== 'string' && !isStringArray(aud)) {
    throw new JWTInvalid('claim aud must be a string or an array of strings', { claim: 'aud' });
  }

  const now = policy.clock() / 1000;
  if (!Number.isFinite(now)) throw new JWTClaimInvalid('the clock returned a non-finite time');
  const leeway = policy.leewaySeconds;
  if (exp === undefined) {
    if (policy.requireExp) throw new JWTClaimInvalid('claim exp is required', { claim: 'exp' });
  } else if (now - leeway >= exp) {
    throw new JWTExpired(undefined, { claim: 'exp' });
  }
  if (nbf !== undefined && nbf > now + leeway) throw new JWTNotYetValid(undefined, { claim: 'nbf' });
  if (iat !== undefined && iat > now + leeway)
    throw new JWTNotYetValid('claim iat is in the future', { claim: 'iat' });
  if (policy.maxTokenAgeSeconds !== undefined) {
    if (iat === undefined)
      throw new JWTClaimInvalid('claim iat is required (maxTokenAgeSeconds)', { claim: 'iat' });
    if (now - iat > policy.maxTokenAgeSeconds + leeway) {
      throw new JWTClaimInvalid('token is older than maxTokenAgeSeconds', { claim: 'iat' });
    }
  }
  if (policy.issuers !== undefined && (iss === undefined || !policy.issuers.includes(iss))) {
    throw new JWTClaimInvalid(mismatch('iss', policy.issuers, iss), { claim: 'iss' });
  }
  if (policy.audiences !== undefined && !audienceMatches(aud, policy.audiences)) {
    throw new JWTClaimInvalid(mismatch('aud', policy.audiences, aud), { claim: 'aud' });
  }
  if (policy.subject !== undefined && sub !== policy.subject) {
    throw new JWTClaimInvalid('unexpected sub', { claim: 'sub' });
  }
  const required = policy.requiredClaims;
  for (let i = 0; i < required.length; i++) {
    const name = required[i]!;
    if (payload[name] === undefined) throw new JWTClaimInvalid(`claim ${name} is required`, { claim: name });
  }
}

/** Longest quoted value a message repeats (a token's claims are attacker-chosen text). */
const MAX_SHOWN = 120;

/** A claim value for a message: JSON-quoted (so control characters cannot forge log lines), shortened. */
export function shown(value: unknown): string {
  if (value === undefined) return 'none';
  const text = JSON.stringify(value);
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text;
}

/**
 * `unexpected aud: expected "office", got "rooms"`. The values of iss, aud and typ are public (they
 * name services, not people or secrets), and a person fixing a setup needs both sides.
 */
export function mismatch(name: string, expected: readonly string[], actual: unknown): string {
  const want = expected.length === 1 ? shown(expected[0]) : `one of ${shown(expected)}`;
  return `unexpected ${name}: expected ${want}, got ${shown(actual)}`;
}

function isStringArray(value: unknown): value is string[] {
  if (!Array.isArray(value)) return false;
  for (const item of value) if (typeof item !== 'string') return false;
  return true;
}

function audienceMatches(aud: string | string[] | undefined, expected: readonly string[]): boolean {
  if (aud === undefined) return false;
  if (typeof aud === 'string') return expected.includes(aud);
  for (const item of aud) if (expected.includes(item)) return true;
  return false;
}
