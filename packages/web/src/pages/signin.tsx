import { useEffect, useState } from 'preact/hooks';
import { TextField } from '../components/field.js';
import { Page } from '../components/page.js';
import { Status } from '../components/status.js';
import { useNow } from '../components/use-now.js';
import { type SignInError, signInErrorFor } from '../lib/sign-in-error.js';
import { navigate } from '../router.js';
import { useSessionManager } from '../session/use-session.js';

/** Username and password; the refresh token goes into the HttpOnly cookie, never into the page. */
export function SignIn() {
  const manager = useSessionManager();
  const now = useNow(250);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<SignInError | undefined>(undefined);

  const waitSeconds = error?.kind === 'throttled' ? Math.max(0, Math.ceil((error.until - now) / 1000)) : 0;
  useEffect(() => {
    if (error?.kind === 'throttled' && waitSeconds === 0) setError(undefined);
  }, [error, waitSeconds]);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy || waitSeconds > 0) return;
    setBusy(true);
    setError(undefined);
    try {
      await manager.login(username.trim(), password);
      setPassword('');
      navigate('/');
    } catch (err) {
      setError(signInErrorFor(err, Date.now()));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Page title="Sign in" testId="page-signin" intro="Check in at the front desk to get your key card.">
      <div class="signin">
        <div class="panel signin-panel">
          <form class="form" onSubmit={submit} data-testid="signin-form">
            <TextField
              id="signin-username"
              label="Username"
              name="username"
              verbatim
              autoComplete="username"
              required
              value={username}
              onValue={setUsername}
            />
            <TextField
              id="signin-password"
              label="Password"
              name="password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onValue={setPassword}
            />
            <button
              type="submit"
              class="button"
              data-testid="signin-submit"
              disabled={busy || waitSeconds > 0}
            >
              {busy ? 'Signing in…' : 'Sign in'}
            </button>
            <Status tone="error" testId="signin-error" code={error?.code}>
              {error?.kind === 'message' ? error.text : null}
              {error?.kind === 'throttled' && waitSeconds > 0 ? (
                <>
                  Too many attempts — try again in <span aria-live="off">{waitSeconds}</span> s
                </>
              ) : null}
            </Status>
          </form>
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
