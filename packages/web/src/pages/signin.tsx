import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { Page } from '../components/page.js';
import { Status } from '../components/status.js';
import { AppError, messageOf } from '../lib/errors.js';
import { leaveForSignIn } from '../session/leave-for-sign-in.js';
import type { SignInFailure } from '../session/session-manager.js';
import { useSession, useSessionManager } from '../session/use-session.js';

/**
 * `#/signin`: sends the browser to the front desk's sign-in pages (`/oauth/authorize`, the same
 * pages every app of the hotel uses), which send it back with a code the app exchanges. The
 * password goes to those pages only; the refresh token into the HttpOnly cookie. It leaves at once
 * unless there is something to say first: why the last sign-in failed (so a failure never loops),
 * or the app's notice (e.g. "You checked out in another tab."); then it waits for a click.
 */
export function SignIn() {
  const manager = useSessionManager();
  const { signInError, notice } = useSession();
  const [failure, setFailure] = useState<SignInFailure | undefined>(undefined);
  const [leaving, setLeaving] = useState(signInError === undefined && notice === undefined);
  const started = useRef(false);
  const shown = failure ?? signInError;

  const go = useCallback(async () => {
    setLeaving(true);
    setFailure(undefined);
    manager.clearSignInError();
    try {
      // Replace, not push: Back from the sign-in pages returns to the page before, not to a redirect.
      await leaveForSignIn(manager, { replace: true });
    } catch (err) {
      setLeaving(false);
      setFailure({ code: err instanceof AppError ? err.code : 'ERR_UNKNOWN', message: messageOf(err) });
    }
  }, [manager]);

  useEffect(() => {
    if (started.current) return;
    started.current = true;
    if (signInError === undefined && notice === undefined) void go();
  }, [go, signInError, notice]);

  return (
    <Page title="Sign in" testId="page-signin" intro="Check in at the front desk to get your key card.">
      <div class="signin">
        <div class="panel signin-panel">
          {leaving ? (
            <p class="loading" data-testid="signin-leaving">
              Taking you to the front desk's sign-in…
            </p>
          ) : (
            <button type="button" class="button" onClick={() => void go()} data-testid="signin-start">
              {shown === undefined ? 'Sign in' : 'Sign in again'}
            </button>
          )}
          <Status tone="error" testId="signin-error" code={shown?.code}>
            {shown?.message}
          </Status>
        </div>
        <aside class="signin-aside" aria-labelledby="signin-aside-title">
          <div class="signin-card" aria-hidden="true">
            <span class="signin-card-brand">Hotel Keycard</span>
            <span class="signin-card-stripe" />
            <span class="signin-card-chip" />
          </div>
          <h2 id="signin-aside-title">What your key card does</h2>
          <ul class="signin-points">
            <li>
              <strong>One card per door.</strong> Each door gets a card made for it alone, so a card left at
              one door opens no other.
            </li>
            <li>
              <strong>Bound to this browser.</strong> Cards are tied to a key that never leaves this browser;
              a copied card is useless elsewhere.
            </li>
            <li>
              <strong>Void at check-out.</strong> Check out, or have the desk revoke your session, and every
              door refuses the card within about a second.
            </li>
          </ul>
        </aside>
      </div>
    </Page>
  );
}
