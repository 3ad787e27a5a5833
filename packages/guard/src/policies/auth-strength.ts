import { ACR_VALUES, type Acr, acrSatisfies } from '@keycard/protocol';
import { guardOf } from '../core/auth-owner.js';
import { DEFAULT_LEEWAY_SECONDS } from '../core/options.js';
import { GuardError } from '../errors.js';
import type { AuthContext } from '../types.js';
import type { Policy, PolicyResult } from './policy.js';

/** What a route needs of the sign-in behind a card (RFC 9470): a strength, a recency, or both. */
export interface StepUpNeed {
  /** One of `ACR_VALUES`: the card's `acr` must satisfy it. */
  acr?: Acr | undefined;
  /** Seconds: the card's `auth_time` must be at most this old. */
  maxAge?: number | undefined;
}

const USER_REQUIRED = new GuardError('ERR_GUARD_USER_REQUIRED');

/** Throws a TypeError naming `caller` unless `acr` is one of keycard's acr values. */
export function checkAcr(acr: unknown, caller: string): Acr {
  if (typeof acr !== 'string' || !ACR_VALUES.includes(acr as Acr)) {
    const shown = typeof acr === 'string' ? JSON.stringify(acr.slice(0, 100)) : typeof acr;
    throw new TypeError(`${caller}: ${shown} is not a keycard acr (one of ${ACR_VALUES.join(', ')})`);
  }
  return acr as Acr;
}

/** Throws a TypeError naming `caller` unless `seconds` is a non-negative integer. */
export function checkMaxAge(seconds: unknown, caller: string): number {
  if (typeof seconds !== 'number' || !Number.isSafeInteger(seconds) || seconds < 0)
    throw new TypeError(`${caller}: the maximum age must be a non-negative integer of seconds`);
  return seconds;
}

/**
 * Whether the card's sign-in is at most `maxAge` seconds old by the clock of the guard that verified
 * it. A card without `auth_time` never is; one from the future is, within the guard's clock leeway
 * only (the issuer's clock may run a little ahead), since a later time would pass every age.
 */
function isRecent(auth: AuthContext, maxAge: number): boolean {
  const authTime = auth.authTime;
  if (authTime === undefined) return false;
  const options = guardOf(auth)?.options;
  const now = Math.floor((options?.clock ?? Date.now)() / 1000);
  if (!Number.isFinite(now)) return false;
  if (authTime > now + (options?.leewaySeconds ?? DEFAULT_LEEWAY_SECONDS)) return false;
  return now - authTime <= maxAge;
}

/**
 * The step-up check of a route (a policy's body, and the gateway's per-route rules): undefined when
 * the card meets `need`; ERR_GUARD_USER_REQUIRED for a client card; else ERR_GUARD_STEP_UP_REQUIRED
 * asking for all of `need` at once (so one new sign-in meets both), in the card's own scheme.
 */
export function checkStepUp(auth: AuthContext, need: StepUpNeed): PolicyResult {
  if (auth.subjectType !== 'user') return USER_REQUIRED;
  const weak = need.acr !== undefined && !acrSatisfies(auth.acr, need.acr);
  const stale = need.maxAge !== undefined && !isRecent(auth, need.maxAge);
  if (!weak && !stale) return undefined;
  return new GuardError('ERR_GUARD_STEP_UP_REQUIRED', {
    reason: weak && stale ? 'acr and auth_time' : weak ? 'acr' : 'auth_time',
    scheme: auth.tokenType,
    ...(need.acr === undefined ? {} : { acrValues: [need.acr] }),
    ...(need.maxAge === undefined ? {} : { maxAge: need.maxAge }),
  });
}

/**
 * Step-up by strength (RFC 9470): allows user cards whose `acr` is `acr` or stronger (`ACR_VALUES`
 * order: password < mfa < phishing-resistant). A weaker or missing acr gets 401
 * ERR_GUARD_STEP_UP_REQUIRED with `error="insufficient_user_authentication", acr_values="…"` in the
 * challenge of the card's scheme; a client card 403 ERR_GUARD_USER_REQUIRED. An unknown `acr` throws a
 * TypeError here, when the route is built.
 * @example
 * import { ACR, requireAuthStrength } from '@keycard/guard';
 * app.post('/rooms/:id/unlock', authorize(requireAuthStrength(ACR.mfa)), handler);
 */
export function requireAuthStrength(acr: string): Policy {
  const need: StepUpNeed = { acr: checkAcr(acr, 'requireAuthStrength') };
  return (auth) => checkStepUp(auth, need);
}

/**
 * Step-up by recency (RFC 9470): allows user cards whose `auth_time` is at most `maxAgeSeconds` old
 * by the clock of the guard that verified the card (`clock`, whole seconds; a sign-in up to
 * `leewaySeconds` in the future is accepted as now; a context no guard made: `Date.now`, 5 s). A
 * card without `auth_time`, or an older one, gets 401 ERR_GUARD_STEP_UP_REQUIRED with
 * `max_age="…"` in the challenge; a client card 403 ERR_GUARD_USER_REQUIRED. `maxAgeSeconds` must be
 * a non-negative integer (TypeError otherwise, when the route is built).
 * @example
 * app.delete('/account', authorize(requireRecentAuth(300)), handler);
 */
export function requireRecentAuth(maxAgeSeconds: number): Policy {
  const need: StepUpNeed = { maxAge: checkMaxAge(maxAgeSeconds, 'requireRecentAuth') };
  return (auth) => checkStepUp(auth, need);
}
