import type { StepUpChallenge } from '@keycard/protocol';
import { createContext } from 'preact';
import { useCallback, useContext, useEffect, useRef, useState } from 'preact/hooks';
import { AppError, messageOf } from '../lib/errors.js';
import { stepUpFromError } from '../lib/step-up.js';
import { replaceRoute } from '../router.js';
import { leaveForSignIn } from '../session/leave-for-sign-in.js';
import type { SessionState } from '../session/session-manager.js';
import { useSession, useSessionManager } from '../session/use-session.js';
import { Status } from './status.js';

/** Reports a failed call; true when it was a step-up (the page now asks to confirm it's you). */
export type StepUpReporter = (err: unknown, action: string) => boolean;

const StepUpContext = createContext<StepUpReporter>(() => false);

/**
 * The reporter of the page around this component (the account page or the admin console): call it
 * with a failed call's error and what the person was doing.
 *
 * @example
 * const reportStepUp = useStepUp();
 * catch (err) { if (!reportStepUp(err, 'Remove the passkey Laptop')) show(err); }
 */
export function useStepUp(): StepUpReporter {
  return useContext(StepUpContext);
}

function minutes(seconds: number): string {
  const m = Math.max(1, Math.round(seconds / 60));
  return m === 1 ? '1 minute' : `${m} minutes`;
}

interface StepUpHostProps {
  /** The route to come back to after signing in again (e.g. `/account`). */
  route: string;
  children: preact.ComponentChildren;
}

/**
 * Provides {@link useStepUp} to a page and shows "Confirm it's you" when a change needed a recent
 * sign-in: why, and a button that signs in again at the front desk and comes back here.
 */
export function StepUpHost({ route, children }: StepUpHostProps) {
  const manager = useSessionManager();
  const { card } = useSession();
  const [pending, setPending] = useState<{ action: string; challenge: StepUpChallenge } | undefined>();
  const [error, setError] = useState<AppError | undefined>(undefined);
  const [leaving, setLeaving] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);

  const report = useCallback<StepUpReporter>((err, action) => {
    const challenge = stepUpFromError(err);
    if (challenge === undefined) return false;
    setError(undefined);
    setPending({ action, challenge });
    return true;
  }, []);

  useEffect(() => {
    if (pending) heading.current?.focus();
  }, [pending]);

  const go = async () => {
    if (!pending) return;
    setLeaving(true);
    try {
      // max_age=0 whatever the challenge's max_age: only a sign-in made now is recent enough for the
      // next minutes. A visit, not a redirect: Back from the sign-in pages returns here.
      await leaveForSignIn(manager, {
        replace: false,
        acrValues: pending.challenge.acrValues,
        maxAge: 0,
        resume: { page: { route, action: pending.action }, supersedes: card?.sessionId },
      });
    } catch (err) {
      setLeaving(false);
      setError(err instanceof AppError ? err : AppError.of('ERR_NETWORK', { cause: err }));
    }
  };

  const age = pending?.challenge.maxAge;
  return (
    <StepUpContext.Provider value={report}>
      {pending ? (
        <section class="panel step-up" aria-labelledby="step-up-title" data-testid="step-up">
          <h2 id="step-up-title" ref={heading} tabIndex={-1}>
            Confirm it's you
          </h2>
          <p data-testid="step-up-action">
            <strong>{pending.action}</strong> needs a recent sign-in
            {age !== undefined && age > 0 ? `: within the last ${minutes(age)}` : ''}
            {pending.challenge.acrValues.length > 0 ? ', with your second factor' : ''}.
          </p>
          <p class="muted">
            The front desk asks for your password (and your second factor, if you have one), then brings you
            back here to do it again. Nothing has been changed yet.
          </p>
          <div class="actions">
            <button
              type="button"
              class="button"
              disabled={leaving}
              onClick={() => void go()}
              data-testid="step-up-start"
            >
              {leaving ? 'Taking you to the front desk…' : "Confirm it's you"}
            </button>
            <button
              type="button"
              class="button button-secondary"
              onClick={() => setPending(undefined)}
              data-testid="step-up-dismiss"
            >
              Not now
            </button>
          </div>
          <Status tone="error" code={error?.code}>
            {error ? messageOf(error) : null}
          </Status>
        </section>
      ) : null}
      {children}
    </StepUpContext.Provider>
  );
}

/**
 * After a sign-in this tab started to confirm it's you, opens the page the person left and says
 * what to repeat (once: the session manager hands the page out a single time).
 *
 * @example
 * useReturnAfterSignIn(session); // in the app shell
 */
export function useReturnAfterSignIn(session: SessionState): void {
  const manager = useSessionManager();
  useEffect(() => {
    if (session.status !== 'signed-in') return;
    const back = manager.takeResumePage();
    if (back === undefined) return;
    replaceRoute(back.route);
    manager.notify(`You signed in again. You can now: ${back.action}.`);
  }, [session.status, manager]);
}
