/**
 * The session's decisions as pure functions (DOM-free, clock passed in), so the cross-tab
 * rules are unit-tested apart from fetch, timers and BroadcastChannel.
 */
import { needsRefresh } from '../lib/countdown.js';
import { AppError } from '../lib/errors.js';

/** The parts of a card the rules look at. */
export interface CardFacts {
  token: string;
  exp: number;
  iat: number | undefined;
  sessionId: string | undefined;
}

/** Wait before retrying a refresh that got no answer (and no Retry-After). */
export const RETRY_AFTER_NETWORK_ERROR_MS = 10_000;

/**
 * Whether a refresh can be skipped after waiting for the lock: the card is no longer the one
 * that failed (`staleToken`) and is not due yet, because another tab refreshed meanwhile.
 *
 * @example
 * canSkipRefresh(card, undefined, Date.now()); // true while the card is outside its refresh window
 */
export function canSkipRefresh(
  current: CardFacts | undefined,
  staleToken: string | undefined,
  nowMs: number,
): boolean {
  return (
    current !== undefined && current.token !== staleToken && !needsRefresh(current.exp, current.iat, nowMs)
  );
}

export type RefreshFailureAction =
  | { action: 'retry'; delayMs: number } // keep the card, try again later
  | { action: 'end'; notice: string | undefined }; // the session is over here

/**
 * What a failed refresh means. No answer, 429 or 5xx while a card is held: retry later (the
 * session may well be alive). Anything else (401, 400 invalid_grant, 403 CSRF): it has ended.
 */
export function refreshFailureAction(
  err: unknown,
  hasCard: boolean,
  wasLoading: boolean,
): RefreshFailureAction {
  const transient = err instanceof AppError && (err.status === 0 || err.status === 429 || err.status >= 500);
  if (transient && hasCard) {
    const retryAfter = err instanceof AppError ? err.retryAfter : undefined;
    return { action: 'retry', delayMs: retryAfter ? retryAfter * 1000 : RETRY_AFTER_NETWORK_ERROR_MS };
  }
  if (wasLoading) {
    // No session to restore is the normal first visit: nothing to say unless the server was unreachable.
    return {
      action: 'end',
      notice: transient ? 'Cannot reach the server to restore your session.' : undefined,
    };
  }
  return { action: 'end', notice: 'Your session has ended. Please sign in again.' };
}

/**
 * Whether a card another tab shared should replace ours: not from a session that was checked
 * out, not the same card, not older than ours.
 */
export function shouldAdoptShared(
  current: CardFacts | undefined,
  incoming: CardFacts,
  endedSessions: ReadonlySet<string>,
): boolean {
  if (incoming.sessionId !== undefined && endedSessions.has(incoming.sessionId)) return false;
  if (current === undefined) return true;
  return incoming.token !== current.token && incoming.exp >= current.exp;
}

/** Whether another tab's check-out (of `loggedOutSessionId`) ends the session held here. */
export function logoutEndsSession(
  heldSessionId: string | undefined,
  loggedOutSessionId: string | undefined,
): boolean {
  // Without ids on either side, be safe: the cookie is shared, so assume it is the same session.
  return (
    heldSessionId === undefined || loggedOutSessionId === undefined || heldSessionId === loggedOutSessionId
  );
}

/**
 * Whether a refused refresh or mint means the server no longer knows the session (revoked by an
 * admin, signed out on another device): 401, or `invalid_grant` for the refresh token. Anything
 * else (no answer, 429, 5xx, an audience this client may not have) leaves the session alone.
 */
export function sessionRefused(err: unknown): boolean {
  return err instanceof AppError && (err.status === 401 || err.code === 'ERR_INVALID_GRANT');
}
