import { acrSatisfies } from '@keycard/protocol';
import type { StepUpNeed } from '../errors.js';

/**
 * Recent authentication (RFC 9470): some calls — removing a factor, new recovery codes, a new
 * password, admin changes — want proof that the person signed in a short while ago, not only a
 * card that a refresh kept alive for hours. A card's `auth_time` is when its sign-in happened;
 * refreshing never moves it.
 */

/** What {@link stepUpNeed} compares a card with. */
export interface RecentAuthRule {
  /** Now, in milliseconds. */
  now: number;
  /** The oldest sign-in accepted, in seconds (`mfa.recentAuthMaxAge`). */
  maxAgeSeconds: number;
  /** A sign-in this many seconds in the future still counts as now (`tokens.leeway`: instances' clocks differ). */
  leewaySeconds: number;
  /** The acr the card must reach as well, if any (`ACR.mfa` for an admin whose role requires a factor). */
  acr?: string | undefined;
}

/**
 * What the card with these claims lacks for `rule`, or undefined when it is recent and strong
 * enough: `maxAge` when its `auth_time` is missing, older than `maxAgeSeconds` or further ahead
 * than the leeway; `acrValues` when its `acr` does not satisfy `rule.acr`.
 *
 * @example
 * ```ts
 * const need = stepUpNeed(caller.claims, { now: ctx.clock(), maxAgeSeconds: 600, leewaySeconds: 5 });
 * if (need !== undefined) throw new ServerError('ERR_STEP_UP_REQUIRED', { stepUp: need });
 * ```
 */
export function stepUpNeed(
  claims: Readonly<Record<string, unknown>>,
  rule: RecentAuthRule,
): StepUpNeed | undefined {
  const now = Math.floor(rule.now / 1000);
  const authTime = claims['auth_time'];
  const stale =
    typeof authTime !== 'number' ||
    !Number.isSafeInteger(authTime) ||
    now - authTime > rule.maxAgeSeconds ||
    authTime - now > rule.leewaySeconds;
  const acr = typeof claims['acr'] === 'string' ? claims['acr'] : undefined;
  const weak = rule.acr !== undefined && !acrSatisfies(acr, rule.acr);
  if (!stale && !weak) return undefined;
  return {
    ...(weak && rule.acr !== undefined ? { acrValues: [rule.acr] } : {}),
    ...(stale ? { maxAge: rule.maxAgeSeconds } : {}),
  };
}
