import type { LogoutDetails } from '@keycard/protocol';
import { useEffect, useState } from 'preact/hooks';
import { confirmLogout, logoutDetails } from '../../api/logout.js';
import { Page } from '../../components/page.js';
import { Status } from '../../components/status.js';
import { AppError, messageOf } from '../../lib/errors.js';
import { href } from '../../router.js';

type State =
  | { kind: 'loading' }
  | { kind: 'ready'; details: LogoutDetails }
  | { kind: 'expired' }
  | { kind: 'failed'; message: string; code: string | undefined };

const codeOf = (err: unknown) => (err instanceof AppError ? err.code : undefined);

/**
 * `#/logout?l=…`: an app asked to sign the user out (RP-initiated logout) and the server wants the
 * user to say so. "Sign out" ends this browser's session at the front desk — the apps signed in
 * through it are signed out too, except those allowed offline access — and goes back to the app
 * (or to "signed out"); "Stay signed in" changes nothing.
 */
export function Logout({ logout }: { logout: string }) {
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; code: string | undefined } | undefined>(undefined);

  useEffect(() => {
    let live = true;
    logoutDetails(logout).then(
      (details) => live && setState({ kind: 'ready', details }),
      (err: unknown) => {
        if (!live) return;
        if (codeOf(err) === 'ERR_LOGOUT_EXPIRED' || codeOf(err) === 'ERR_VALIDATION')
          setState({ kind: 'expired' });
        else setState({ kind: 'failed', message: messageOf(err), code: codeOf(err) });
      },
    );
    return () => {
      live = false;
    };
  }, [logout]);

  const answer = async (confirm: boolean) => {
    if (state.kind !== 'ready' || busy) return;
    setBusy(true);
    setError(undefined);
    try {
      const { redirect } = await confirmLogout(logout, confirm, state.details.csrf);
      window.location.assign(redirect);
    } catch (err) {
      if (codeOf(err) === 'ERR_LOGOUT_EXPIRED') setState({ kind: 'expired' });
      else setError({ message: messageOf(err), code: codeOf(err) });
      setBusy(false);
    }
  };

  if (state.kind === 'loading') {
    return (
      <p class="loading" data-testid="logout-loading">
        Loading…
      </p>
    );
  }
  if (state.kind === 'expired') {
    return (
      <Page
        title="This sign-out link has expired"
        testId="page-logout-expired"
        intro="Go back to the app and sign out again, or sign out here at the front desk."
      >
        <a href={href('/')}>Go to the front desk</a>
      </Page>
    );
  }
  if (state.kind === 'failed') {
    return (
      <Page title="Sign out" testId="page-logout">
        <Status tone="error" testId="logout-error" code={state.code}>
          {state.message}
        </Status>
      </Page>
    );
  }

  const { client, user } = state.details;
  const app = client?.name ?? 'An app';
  return (
    <Page title="Sign out?" testId="page-logout" intro={`${app} asks you to sign out of Hotel Keycard.`}>
      <div class="panel" data-testid="logout-panel" data-client={client?.id ?? ''}>
        {user ? (
          <p data-testid="logout-user">
            You are signed in as <strong>{user.username}</strong>. Signing out also signs you out of the other
            apps you signed in to here, except those you allowed offline access.
          </p>
        ) : (
          <p data-testid="logout-user">You are not signed in at the front desk in this browser.</p>
        )}
        <div class="actions">
          <button
            type="button"
            class="button"
            data-testid="logout-confirm"
            disabled={busy}
            onClick={() => void answer(true)}
          >
            {user ? 'Sign out' : state.details.returnsToClient ? `Back to ${app}` : 'Continue'}
          </button>
          {user ? (
            <button
              type="button"
              class="button button-secondary"
              data-testid="logout-stay"
              disabled={busy}
              onClick={() => void answer(false)}
            >
              Stay signed in
            </button>
          ) : null}
        </div>
        <Status tone="error" testId="logout-error" code={error?.code}>
          {error?.message}
        </Status>
      </div>
    </Page>
  );
}
