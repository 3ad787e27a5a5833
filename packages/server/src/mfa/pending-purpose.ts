/**
 * The purpose a pending sign-in's `mfa_token` is sealed for: the authorization request's
 * interaction on the sign-in pages, or `api-login` at `/api/login`. A token opens only for the
 * purpose it was sealed for, so one taken from another sign-in is refused.
 */

/** The purpose of a pending sign-in at `/api/login`. */
export const API_LOGIN_PURPOSE = 'api-login';

/**
 * The purpose of the pending sign-in of `interaction` (the sealed authorization request the
 * sign-in page carries), or of `/api/login` without one.
 *
 * @example
 * ```ts
 * const pending = openPending(ctx, body.mfa_token, pendingPurpose(body.interaction));
 * ```
 */
export function pendingPurpose(interaction: string | undefined): string {
  return interaction === undefined ? API_LOGIN_PURPOSE : `authorize:${interaction}`;
}
