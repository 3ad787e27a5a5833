import { BEARER_SCHEME, DPOP_SCHEME } from './constants.js';
import { parseChallenges } from './www-authenticate.js';

/**
 * keycard's authentication context classes (the `acr` claim of cards and ID tokens, and the values of
 * `acr_values`), weakest first: a password; two factors; two factors one of which is a passkey, which
 * no phishing site can replay.
 *
 * @example
 * ```ts
 * app.post('/rooms/:id/unlock', authorize(requireAuthStrength(ACR.mfa)), handler);
 * ```
 */
export const ACR = Object.freeze({
  password: 'urn:keycard:acr:password',
  mfa: 'urn:keycard:acr:mfa',
  phishingResistant: 'urn:keycard:acr:phr',
} as const);

/** One of the {@link ACR} values. */
export type Acr = (typeof ACR)[keyof typeof ACR];

/**
 * Every {@link ACR} value, weakest → strongest: a card satisfies a requirement when its acr comes at
 * or after the required one here.
 *
 * @example
 * ```ts
 * ACR_VALUES.includes(value as Acr); // a known acr?
 * ```
 */
export const ACR_VALUES: readonly Acr[] = Object.freeze([ACR.password, ACR.mfa, ACR.phishingResistant]);

/**
 * RFC 9470 §3: the `error` attribute of a challenge asking the client to have the user authenticate
 * again (more strongly, or more recently) and retry with the new card.
 */
export const STEP_UP_ERROR = 'insufficient_user_authentication';

/**
 * The acr that an RFC 8176 amr list achieves: `mfa` with `hwk` (a passkey among two factors) →
 * phishing-resistant; `mfa` → mfa; anything else → password. Not an array → password.
 *
 * @example
 * ```ts
 * acrFromAmr(['pwd']); // 'urn:keycard:acr:password'
 * acrFromAmr(['pwd', 'otp', 'mfa']); // 'urn:keycard:acr:mfa'
 * acrFromAmr(['hwk', 'mfa']); // 'urn:keycard:acr:phr'
 * ```
 */
export function acrFromAmr(amr: readonly string[]): Acr {
  if (!Array.isArray(amr) || !amr.includes('mfa')) return ACR.password;
  return amr.includes('hwk') ? ACR.phishingResistant : ACR.mfa;
}

/**
 * Whether a card whose acr is `actual` meets the requirement `required`: a known acr meets every
 * weaker or equal known one; an unknown required value is met only by the same value; an unknown or
 * missing actual value meets no known requirement.
 *
 * @example
 * ```ts
 * acrSatisfies(ACR.phishingResistant, ACR.mfa); // true
 * acrSatisfies(ACR.password, ACR.mfa); // false
 * acrSatisfies(undefined, ACR.password); // false
 * ```
 */
export function acrSatisfies(actual: string | undefined, required: string): boolean {
  if (typeof actual !== 'string') return false;
  const want = ACR_VALUES.indexOf(required as Acr);
  if (want === -1) return actual === required;
  return ACR_VALUES.indexOf(actual as Acr) >= want;
}

/** What a step-up challenge asks for (RFC 9470 §3). */
export interface StepUpChallenge {
  /** `acr_values`, in the server's order of preference; empty when it names none. */
  acrValues: string[];
  /** `max_age` in seconds, when given (a well-formed non-negative integer). */
  maxAge: number | undefined;
}

const DIGITS = /^\d{1,15}$/;

/**
 * Reads the RFC 9470 step-up challenge out of a `WWW-Authenticate` value: the first `Bearer` or
 * `DPoP` challenge whose `error` is `insufficient_user_authentication`, among any others in the
 * field. Undefined when there is none, or the field is malformed there; never throws.
 *
 * @example
 * ```ts
 * const res = await fetch(url, { headers: { authorization: `Bearer ${card}` } });
 * const stepUp = parseStepUpChallenge(res.headers.get('www-authenticate'));
 * if (stepUp) signInAgain({ acrValues: stepUp.acrValues, maxAge: stepUp.maxAge });
 * ```
 */
export function parseStepUpChallenge(wwwAuthenticate: string | null): StepUpChallenge | undefined {
  for (const challenge of parseChallenges(wwwAuthenticate)) {
    const scheme = challenge.scheme.toLowerCase();
    if (scheme !== BEARER_SCHEME.toLowerCase() && scheme !== DPOP_SCHEME.toLowerCase()) continue;
    if (challenge.params.get('error') !== STEP_UP_ERROR) continue;
    const acr = challenge.params.get('acr_values');
    const age = challenge.params.get('max_age');
    return {
      acrValues: acr === undefined ? [] : acr.split(/[ \t]+/).filter((v) => v !== ''),
      maxAge: age !== undefined && DIGITS.test(age) ? Number(age) : undefined,
    };
  }
  return undefined;
}
