import { type AuthorizeMfaChallenge, acrFromAmr, acrSatisfies, toEpochSeconds } from '@keycard/protocol';
import type { RequestInfo, ServerContext } from '../context.js';
import { sha256Hex } from '../crypto/index.js';
import { ServerError } from '../errors.js';
import { AMR_VALUES, type AmrValue, passkeyAlone, passwordOnly, type SecondFactor } from '../mfa/amr.js';
import { authenticateWithPasskey, type PasskeySignInDeps } from '../mfa/passkey-sign-in.js';
import { openPending, PENDING_TTL_SECONDS, pendingUser, sealPending } from '../mfa/pending.js';
import { pendingPurpose } from '../mfa/pending-purpose.js';
import { assessSignIn, planUnmet } from '../mfa/requirement.js';
import {
  type SecondFactorProof,
  type VerifySecondFactorDeps,
  verifySecondFactor,
  withSecondFactor,
} from '../mfa/second-factor.js';
import type { UserRecord } from '../storage/index.js';
import { loginNeeded, type SignedIn } from './decide.js';
import { type LoadedInteraction, type PagesDeps, proceed, type StepResult, unmetRedirect } from './pages.js';
import {
  type CheckPasswordDeps,
  checkPasswordAtDesk,
  type SignInBrowserDeps,
  signInBrowser,
} from './sign-in.js';

/**
 * The sign-in pages' second factor: the password step that stops short of a session when a factor
 * is due (handing the page a sealed `mfa_token` instead), the factor that completes it or steps up
 * a live browser session in place, and the passkey sign-in. No browser session is created or
 * changed before every factor the request needs is proven.
 */

/** What the steps here read. */
export type DeskSecondFactorDeps = PagesDeps &
  Pick<ServerContext, 'coordinator'> &
  CheckPasswordDeps &
  SignInBrowserDeps &
  VerifySecondFactorDeps &
  PasskeySignInDeps &
  Pick<ServerContext, 'sealer'>;

/** Where a page step ended: signed in (set the cookie) with the next step, or a factor is due. */
export type DeskOutcome =
  | { kind: 'signed-in'; signedIn: SignedIn; result: StepResult }
  | { kind: 'mfa'; mfa: AuthorizeMfaChallenge }
  | { kind: 'refused'; result: StepResult };

/**
 * `POST /api/authorize/login`: the password, then either the person is signed in (nothing more
 * needed: as before) or the page gets an `mfa_token` with the factors that can meet the request
 * (`enrol` when the person has none and must set one up). A request the person cannot meet (a
 * passkey asked of someone without one) goes back to the client as
 * `unmet_authentication_requirements`, signing no one in.
 *
 * @example
 * ```ts
 * const outcome = await loginAtDesk(ctx, loaded, { interaction, username, password, previousSessionId, request });
 * ```
 */
export async function loginAtDesk(
  ctx: DeskSecondFactorDeps,
  loaded: LoadedInteraction,
  input: {
    interaction: string;
    username: string;
    password: string;
    previousSessionId: string | undefined;
    request: RequestInfo;
  },
): Promise<DeskOutcome> {
  const user = await checkPasswordAtDesk(ctx, input);
  const passwordAt = ctx.clock();
  const amr = passwordOnly();
  const { required, plan } = await assessSignIn(ctx, user, amr, loaded.interaction.request.acrValues);
  if (plan === undefined) return signedInWith(ctx, loaded, { user, amr, authTime: passwordAt, ...input });
  if (planUnmet(plan)) return { kind: 'refused', result: { redirect: unmetRedirect(ctx, loaded) } };
  const purpose = pendingPurpose(input.interaction);
  const token = sealPending(ctx, {
    userId: user.id,
    passwordHash: user.passwordHash,
    amr,
    passwordAt,
    purpose,
    enrol: plan.enrol,
  });
  const expiresAt = openPending(ctx, token, purpose).expiresAt;
  return {
    kind: 'mfa',
    mfa: {
      token,
      methods: [...plan.methods],
      enrol: plan.enrol,
      acr: required,
      expiresAt: toEpochSeconds(expiresAt),
    },
  };
}

/**
 * `POST /api/authorize/mfa`: the second factor. With an `mfa_token` it completes the pending
 * sign-in of that token's person (the factor in `proof`, or the one they proved by enrolling
 * during this sign-in); without one it steps up `live`, the browser's signed-in session, in place
 * (same `sid`, same `auth_time`: the first factor was proven then). Then proceeds as after a
 * password.
 *
 * An `mfa_token` completes one sign-in only. ERR_LOGIN_REQUIRED for a bad, expired, foreign or
 * used `mfa_token`, or one whose person's password changed since (start again), ERR_MFA_REQUIRED
 * without a factor, ERR_MFA_INVALID for a wrong one or one that cannot meet this request,
 * ERR_PASSKEY_INVALID for a passkey that does not verify.
 *
 * @example
 * ```ts
 * const outcome = await completeSecondFactor(ctx, loaded, { interaction, mfaToken, proof, live, previousSessionId, request });
 * ```
 */
export async function completeSecondFactor(
  ctx: DeskSecondFactorDeps,
  loaded: LoadedInteraction,
  input: {
    interaction: string;
    mfaToken: string | undefined;
    proof: SecondFactorProof | undefined;
    /** The live browser session, required without `mfaToken` (the caller checked its CSRF token). */
    live: SignedIn | undefined;
    previousSessionId: string | undefined;
    request: RequestInfo;
  },
): Promise<DeskOutcome> {
  const { acrValues } = loaded.interaction.request;
  let user: UserRecord;
  let amr: AmrValue[];
  let authTime: number;
  let proven: readonly SecondFactor[] = [];
  if (input.mfaToken !== undefined) {
    const pending = openPending(ctx, input.mfaToken, pendingPurpose(input.interaction));
    user = await pendingUser(ctx, pending);
    ({ amr, proven } = pending);
    authTime = pending.passwordAt;
  } else {
    // A step-up adds to a sign-in the request still accepts; one it finds too old needs the password.
    if (input.live === undefined || loginNeeded(loaded.interaction, input.live, ctx.clock()))
      throw new ServerError('ERR_LOGIN_REQUIRED');
    user = input.live.user;
    amr = AMR_VALUES.filter((v) => input.live?.session.amr.includes(v));
    authTime = input.live.session.authTime;
  }
  const { required } = await assessSignIn(ctx, user, amr, acrValues);
  let factor: SecondFactor;
  if (input.proof !== undefined) {
    // A factor that could not meet the request is refused before it is checked (and used up).
    if (!acrSatisfies(acrFromAmr(withSecondFactor(amr, input.proof.kind)), required))
      throw new ServerError('ERR_MFA_INVALID', { cause: new Error('this factor cannot meet the request') });
    factor = (await verifySecondFactor(ctx, user, input.proof, input.request)).factor;
  } else {
    // Enrolled during this sign-in: the new factor is the proof (a passkey is the stronger one).
    const enrolled = proven.includes('passkey') ? 'passkey' : proven[0];
    if (enrolled === undefined) throw new ServerError('ERR_MFA_REQUIRED');
    factor = enrolled;
  }
  const achieved = withSecondFactor(amr, factor);
  if (!acrSatisfies(acrFromAmr(achieved), required))
    return { kind: 'refused', result: { redirect: unmetRedirect(ctx, loaded) } };
  // A pending sign-in completes once: a copy of the token (a proven one needs no further factor)
  // cannot start a second session.
  if (input.mfaToken !== undefined && !(await completeOnce(ctx, input.mfaToken)))
    throw new ServerError('ERR_LOGIN_REQUIRED', { cause: new Error('mfa_token already used') });
  return signedInWith(ctx, loaded, {
    user,
    amr: achieved,
    authTime,
    previousSessionId: input.live?.session.id ?? input.previousSessionId,
    request: input.request,
  });
}

/**
 * `POST /api/authorize/passkey`: a sign-in with a passkey alone (`amr` `['hwk', 'mfa']`, the
 * strongest acr), then proceeds as after a password.
 *
 * @example
 * ```ts
 * const outcome = await passkeyAtDesk(ctx, loaded, { challenge, response, previousSessionId, request });
 * ```
 */
export async function passkeyAtDesk(
  ctx: DeskSecondFactorDeps,
  loaded: LoadedInteraction,
  input: {
    challenge: string;
    response: unknown;
    previousSessionId: string | undefined;
    request: RequestInfo;
  },
): Promise<DeskOutcome> {
  const user = await authenticateWithPasskey(ctx, input);
  return signedInWith(ctx, loaded, { ...input, user, amr: passkeyAlone(), authTime: ctx.clock() });
}

/** Claims an `mfa_token` for one completion across the cluster (its life and a minute of clock skew). */
async function completeOnce(ctx: Pick<ServerContext, 'coordinator'>, token: string): Promise<boolean> {
  const key = `mfa-pending:${sha256Hex(token)}`;
  return (await ctx.coordinator.rateLimit(key, 1, (PENDING_TTL_SECONDS + 60) * 1000)).allowed;
}

async function signedInWith(
  ctx: DeskSecondFactorDeps,
  loaded: LoadedInteraction,
  input: {
    user: UserRecord;
    amr: readonly string[];
    authTime: number;
    previousSessionId: string | undefined;
    request: RequestInfo;
  },
): Promise<DeskOutcome> {
  const signedIn = await signInBrowser(ctx, { ...input, clientId: loaded.client.id });
  return { kind: 'signed-in', signedIn, result: await proceed(ctx, loaded, signedIn, input.request) };
}
