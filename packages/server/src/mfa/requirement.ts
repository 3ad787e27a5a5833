import { ACR, ACR_VALUES, type Acr, acrFromAmr, acrSatisfies } from '@keycard/protocol';
import type { ServerContext } from '../context.js';
import type { UserRecord } from '../storage/index.js';
import type { SecondFactor } from './amr.js';
import { mfaRequiredByRoles } from './factors.js';

/**
 * How strongly a person must sign in, and with what: the second-factor policy of issue 13. A
 * person who has set up a factor (a confirmed TOTP or a passkey) always proves it; so does
 * anyone holding a role with `requireMfa`; an authorization request may ask for more with
 * `acr_values` (a passkey for `urn:keycard:acr:phr`).
 */

/** The second factors a person has set up. */
export interface UserFactors {
  /** A confirmed TOTP authenticator. */
  totp: boolean;
  passkeys: number;
  /** Unused recovery codes. */
  recoveryCodes: number;
}

/** What a sign-in that must still prove a second factor can offer the person. */
export interface SecondFactorPlan {
  /** The factors the person has that meet the requirement, in the order the page should offer them. */
  methods: SecondFactor[];
  /**
   * True when the person has no second factor at all and must set one up now (the enrolment
   * counts as the factor). Never true for a person who has one: the password alone must not be
   * enough to add a factor to a protected account.
   */
  enrol: boolean;
}

/** What reading the policy reads. */
export type RequirementDeps = Pick<ServerContext, 'storage' | 'directory'>;

/**
 * The factors `userId` has set up.
 *
 * @example
 * ```ts
 * const factors = await userFactors(ctx, user.id); // { totp: true, passkeys: 0, recoveryCodes: 10 }
 * ```
 */
export async function userFactors(ctx: Pick<ServerContext, 'storage'>, userId: string): Promise<UserFactors> {
  const [totp, passkeys, recoveryCodes] = await Promise.all([
    ctx.storage.totp.get(userId),
    ctx.storage.passkeys.listByUser(userId),
    ctx.storage.recoveryCodes.countUnused(userId),
  ]);
  return { totp: totp !== undefined && totp.confirmedAt !== null, passkeys: passkeys.length, recoveryCodes };
}

/**
 * Whether the person has a factor of their own (recovery codes stand in for one, they are not one).
 *
 * @example
 * ```ts
 * hasSecondFactor({ totp: false, passkeys: 1, recoveryCodes: 0 }); // true
 * ```
 */
export function hasSecondFactor(factors: UserFactors): boolean {
  return factors.totp || factors.passkeys > 0;
}

/**
 * The weakest acr an authorization request's (known) `acr_values` accept: the person meets the
 * request with any of them (OpenID Connect Core §3.1.2.1 lists them in order of preference).
 * Password when it names none.
 *
 * @example
 * ```ts
 * requestedAcr([ACR.phishingResistant, ACR.mfa]); // ACR.mfa
 * ```
 */
export function requestedAcr(acrValues: readonly string[]): Acr {
  const known = ACR_VALUES.filter((v) => acrValues.includes(v));
  return known[0] ?? ACR.password;
}

/**
 * The acr `user` must reach to sign in: mfa when they have a factor or any of their roles has
 * `requireMfa`, at least what the request asks for (`acrValues`), else a password.
 *
 * @example
 * ```ts
 * const required = await requiredAcr(ctx, user, factors, interaction.request.acrValues);
 * if (!acrSatisfies(acrFromAmr(session.amr), required)) askForSecondFactor();
 * ```
 */
export async function requiredAcr(
  ctx: Pick<ServerContext, 'directory'>,
  user: Pick<UserRecord, 'roles'>,
  factors: UserFactors,
  acrValues: readonly string[] = [],
): Promise<Acr> {
  const asked = requestedAcr(acrValues);
  if (asked !== ACR.password || hasSecondFactor(factors)) return stronger(asked, ACR.mfa);
  return (await mfaRequiredByRoles(ctx, user.roles)) ? ACR.mfa : ACR.password;
}

/** The stronger of two known acr values. */
function stronger(a: Acr, b: Acr): Acr {
  return ACR_VALUES.indexOf(a) >= ACR_VALUES.indexOf(b) ? a : b;
}

/**
 * The factors that can bring a sign-in up to `required`: a passkey only for phishing resistance;
 * else every factor the person has (TOTP, recovery codes while any are left, passkeys). `enrol`
 * when they have none. No methods and no enrolment: the requirement cannot be met (a passkey is
 * asked of someone who has only TOTP).
 *
 * @example
 * ```ts
 * secondFactorPlan({ totp: true, passkeys: 0, recoveryCodes: 10 }, ACR.mfa);
 * // { methods: ['totp', 'recovery_code'], enrol: false }
 * ```
 */
export function secondFactorPlan(factors: UserFactors, required: Acr): SecondFactorPlan {
  if (!hasSecondFactor(factors)) return { methods: [], enrol: true };
  if (required === ACR.phishingResistant)
    return { methods: factors.passkeys > 0 ? ['passkey'] : [], enrol: false };
  const methods: SecondFactor[] = [];
  if (factors.totp) methods.push('totp');
  if (factors.recoveryCodes > 0) methods.push('recovery_code');
  if (factors.passkeys > 0) methods.push('passkey');
  return { methods, enrol: false };
}

/**
 * Whether a plan leaves the person no way to meet the requirement.
 *
 * @example
 * ```ts
 * planUnmet({ methods: [], enrol: false }); // true: answer unmet_authentication_requirements
 * ```
 */
export function planUnmet(plan: SecondFactorPlan): boolean {
  return plan.methods.length === 0 && !plan.enrol;
}

/** What a sign-in that has proven `amr` still needs: nothing, or a plan for the second factor. */
export interface SignInAssessment {
  required: Acr;
  /** Undefined when `amr` already meets `required`. */
  plan: SecondFactorPlan | undefined;
}

/**
 * Whether a person who has proven `amr` may sign in, and if not, how they can: the policy for
 * `user` and the request's `acrValues` against what the methods so far achieve.
 *
 * @example
 * ```ts
 * const { plan } = await assessSignIn(ctx, user, passwordOnly(), request.acrValues);
 * if (plan !== undefined) return { mfa: { token, ...plan } };
 * ```
 */
export async function assessSignIn(
  ctx: RequirementDeps,
  user: Pick<UserRecord, 'id' | 'roles'>,
  amr: readonly string[],
  acrValues: readonly string[] = [],
): Promise<SignInAssessment> {
  const factors = await userFactors(ctx, user.id);
  const required = await requiredAcr(ctx, user, factors, acrValues);
  if (acrSatisfies(acrFromAmr(amr), required)) return { required, plan: undefined };
  return { required, plan: secondFactorPlan(factors, required) };
}
