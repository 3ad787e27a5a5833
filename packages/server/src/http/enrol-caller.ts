import type { FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';
import { ServerError } from '../errors.js';
import {
  factorsOf,
  hasFactor,
  openPending,
  type PendingSignIn,
  pendingPurpose,
  pendingUser,
  type SecondFactor,
  sealPending,
} from '../mfa/index.js';
import type { UserRecord } from '../storage/index.js';
import { authenticate, type Caller, requireRecentAuth } from './bearer.js';

/**
 * Who is setting up a factor at `/api/mfa/*`: a signed-in person with a card for the keycard API
 * (the account page), or a person halfway through a sign-in who has no factor yet and must set
 * one up to finish (an `mfa_token` sealed with `enrol`).
 */
export type Enroller =
  | { via: 'card'; user: UserRecord; caller: Caller }
  | { via: 'pending'; user: UserRecord; pending: PendingSignIn; purpose: string };

/** The body fields every enrolment call may carry. */
export interface EnrolmentAuth {
  mfa_token?: string | undefined;
  interaction?: string | undefined;
}

/**
 * The person behind an enrolment call. With `mfa_token` (and `interaction` on the sign-in pages,
 * else the token is `/api/login`'s): the pending sign-in must be this server's, unexpired, for
 * that purpose and sealed with `enrol`, its person's account enabled and password unchanged —
 * anything else is ERR_LOGIN_REQUIRED, and a person who has a factor by now (one set up with this
 * token already) gets ERR_MFA_ALREADY_ENROLLED: they finish with that factor. Otherwise a card of
 * the keycard API, issued to a first-party client (else ERR_FORBIDDEN), whose sign-in is recent
 * (`mfa.recentAuthMaxAge`, ERR_STEP_UP_REQUIRED): a card lifted from a browser must not be able
 * to plant its thief's passkey, which would sign in on its own. Both at once is ERR_VALIDATION.
 *
 * @example
 * ```ts
 * const who = await enroller(ctx, request, body);
 * ```
 */
export async function enroller(
  ctx: ServerContext,
  request: FastifyRequest,
  body: EnrolmentAuth,
): Promise<Enroller> {
  if (body.mfa_token === undefined) {
    const caller = await authenticate(ctx, request, { firstParty: true });
    requireRecentAuth(ctx, caller);
    const user = await ctx.storage.users.getById(caller.userId);
    if (user === undefined || user.disabled) throw new ServerError('ERR_INVALID_TOKEN');
    return { via: 'card', user, caller };
  }
  if (request.headers.authorization !== undefined) {
    throw new ServerError('ERR_VALIDATION', { message: 'Send a card or an mfa_token, not both' });
  }
  const purpose = pendingPurpose(body.interaction);
  const pending = openPending(ctx, body.mfa_token, purpose);
  const user = await pendingUser(ctx, pending);
  if (!pending.enrol || hasFactor(await factorsOf(ctx, user.id))) {
    throw new ServerError('ERR_MFA_ALREADY_ENROLLED', {
      message: 'This account has a second factor: sign in with it',
    });
  }
  return { via: 'pending', user, pending, purpose };
}

/**
 * After a factor was set up during a sign-in: a new `mfa_token` for the same sign-in and purpose
 * saying the factor is proven (the enrolment counts as the second factor) and no longer open for
 * enrolment. Undefined for the account page.
 *
 * @example
 * ```ts
 * const mfa_token = provenToken(ctx, who, 'totp');
 * ```
 */
export function provenToken(ctx: ServerContext, who: Enroller, factor: SecondFactor): string | undefined {
  if (who.via !== 'pending') return undefined;
  const { pending } = who;
  return sealPending(ctx, {
    userId: pending.userId,
    // The hash the pending sign-in was checked against (enroller() found it unchanged).
    passwordHash: who.user.passwordHash,
    amr: pending.amr,
    passwordAt: pending.passwordAt,
    purpose: who.purpose,
    proven: [...new Set([...pending.proven, factor])],
    enrol: false,
  });
}
