import type { ServerContext } from '../context.js';
import { authorizationResponseUrl } from './response.js';

/** What {@link refusalRedirect} reads. */
export type RefusalDeps = Pick<ServerContext, 'metrics' | 'issuer'>;

/**
 * The redirect that tells the client its request failed (RFC 6749 §4.1.2.1): `error`,
 * `error_description` (always one of keycard's own fixed sentences, never request input), `state`
 * and `iss`. Counted in `keycard_authorizations_total` under the error's name.
 *
 * @example
 * ```ts
 * refusalRedirect(ctx, request, 'access_denied', 'the person declined the request');
 * ```
 */
export function refusalRedirect(
  ctx: RefusalDeps,
  target: { redirectUri: string; state: string | undefined },
  error: string,
  description: string,
): string {
  ctx.metrics.authorizations.inc({ result: error });
  return authorizationResponseUrl(
    target.redirectUri,
    { error, error_description: description },
    target.state,
    ctx.issuer,
  );
}
