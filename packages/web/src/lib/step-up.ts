/**
 * "Confirm it's you": the server refuses a sensitive change (a factor added or removed, new
 * recovery codes, a password or address change, any admin change) from a card whose sign-in is too
 * old, with 401 `ERR_STEP_UP_REQUIRED` and an RFC 9470 challenge (`insufficient_user_authentication`,
 * `max_age`, maybe `acr_values`). The app then signs in again through the front desk (`max_age=0`)
 * and comes back to the page it left, where the person repeats the change themselves: nothing
 * destructive is ever replayed on their behalf after a round trip through the sign-in pages.
 */
import { parseStepUpChallenge, type StepUpChallenge } from '@keycard/protocol';
import { AppError } from './errors.js';

/**
 * The step-up a refused API call asks for, or undefined when `err` is something else. A 401 with
 * `ERR_STEP_UP_REQUIRED` counts even if its challenge cannot be read (then nothing more is asked
 * than a fresh sign-in).
 *
 * @example
 * const stepUp = stepUpFromError(err);
 * if (stepUp) showConfirmItsYou(stepUp);
 */
export function stepUpFromError(err: unknown): StepUpChallenge | undefined {
  if (!(err instanceof AppError) || err.status !== 401) return undefined;
  const challenge = parseStepUpChallenge(err.wwwAuthenticate ?? null);
  if (challenge !== undefined) return challenge;
  return err.code === 'ERR_STEP_UP_REQUIRED' ? { acrValues: [], maxAge: undefined } : undefined;
}
