/**
 * "Confirm it's you": the server refuses a sensitive change (removing a factor, new recovery codes,
 * a password change, any admin change) from a card whose sign-in is too old, with 401
 * `ERR_STEP_UP_REQUIRED` and an RFC 9470 challenge (`insufficient_user_authentication`, `max_age`,
 * maybe `acr_values`). The app then signs in again through the front desk (`max_age=0`) and comes
 * back to the page it left, where the person repeats the change themselves: nothing destructive is
 * ever replayed on their behalf after a round trip through the sign-in pages.
 */
import { parseStepUpChallenge, type StepUpChallenge } from '@keycard/protocol';
import { beginSignIn } from '../session/code-flow.js';
import { AppError } from './errors.js';

/** Where the page to come back to waits while the browser is at the sign-in pages (this tab only). */
export const RETURN_KEY = 'keycard.after-sign-in';
/** A return older than this is forgotten (the sign-in link itself lasts 15 minutes). */
const RETURN_TTL_MS = 15 * 60 * 1000;

/** The page to open after the next sign-in of this tab, and what the person was doing there. */
export interface ReturnTo {
  /** A route of the app, e.g. `/account`. */
  route: string;
  /** What they were doing, in words ("Remove the passkey Laptop"); never a secret. */
  action: string;
  /** When the tab left for the sign-in pages (ms since the epoch). */
  leftAt: number;
  /** Forgotten after this time (ms since the epoch). */
  until: number;
}

/** How far the server's clock may run behind this browser's when their times are compared. */
const CLOCK_SKEW_MS = 60_000;

/**
 * The step-up a refused call asks for, or undefined when `err` is something else. A 401 with
 * `ERR_STEP_UP_REQUIRED` counts even if its challenge cannot be read (then nothing more is asked
 * than a fresh sign-in).
 *
 * @example
 * const stepUp = stepUpOf(err);
 * if (stepUp) showConfirmItsYou(stepUp);
 */
export function stepUpOf(err: unknown): StepUpChallenge | undefined {
  if (!(err instanceof AppError) || err.status !== 401) return undefined;
  const challenge = parseStepUpChallenge(err.wwwAuthenticate ?? null);
  if (challenge !== undefined) return challenge;
  return err.code === 'ERR_STEP_UP_REQUIRED' ? { acrValues: [], maxAge: undefined } : undefined;
}

/**
 * Leaves for the front desk's sign-in pages to sign in again (`max_age=0`, and the challenge's
 * `acr_values`), remembering `route` to come back to. Throws ERR_SIGNIN_UNAVAILABLE when this tab
 * cannot keep the sign-in's state.
 *
 * @example
 * await reauthenticate({ issuer, jkt, storage: sessionStorage, challenge, route: '/account', action: 'Remove a passkey' });
 */
export async function reauthenticate(input: {
  issuer: string;
  jkt: string;
  storage: Storage | undefined;
  challenge: StepUpChallenge;
  route: string;
  action: string;
  now?: number;
  go?: (url: string) => void;
}): Promise<void> {
  const url = await beginSignIn({
    issuer: input.issuer,
    jkt: input.jkt,
    storage: input.storage,
    acrValues: input.challenge.acrValues,
    // Whatever the challenge's max_age, only a sign-in made now is recent enough for the next minutes.
    maxAge: 0,
  });
  const now = input.now ?? Date.now();
  const back: ReturnTo = {
    route: input.route,
    action: input.action,
    leftAt: now,
    until: now + RETURN_TTL_MS,
  };
  try {
    input.storage?.setItem(RETURN_KEY, JSON.stringify(back));
  } catch (cause) {
    throw AppError.of('ERR_SIGNIN_UNAVAILABLE', { cause });
  }
  // A visit, not a redirect: Back from the sign-in pages returns to the page the person left.
  (input.go ?? ((to: string) => window.location.assign(to)))(url);
}

/**
 * The page to return to after this tab's sign-in, removed as it is read (used once); undefined
 * when there is none, it expired, it names something that is not a route of the app, or the
 * card's `authTime` (seconds; the sign-in it comes from) is older than the tab's leaving: that
 * sign-in was given up.
 *
 * @example
 * const back = takeReturnTo(sessionStorage, Date.now(), card.payload.auth_time);
 * if (back) replaceRoute(back.route);
 */
export function takeReturnTo(
  storage: Storage | undefined,
  now: number,
  authTime: unknown,
): ReturnTo | undefined {
  try {
    const text = storage?.getItem(RETURN_KEY) ?? null;
    if (text === null) return undefined;
    storage?.removeItem(RETURN_KEY);
    const value = JSON.parse(text) as Partial<ReturnTo>;
    if (typeof value.route !== 'string' || !value.route.startsWith('/') || value.route.startsWith('//'))
      return undefined;
    const { action, leftAt, until } = value;
    if (typeof action !== 'string' || typeof leftAt !== 'number' || typeof until !== 'number')
      return undefined;
    if (until < now) return undefined;
    if (typeof authTime === 'number' && authTime * 1000 < leftAt - CLOCK_SKEW_MS) return undefined;
    return { route: value.route, action, leftAt, until };
  } catch {
    return undefined;
  }
}
