import { useEffect, useState } from 'preact/hooks';
import { Page } from '../components/page.js';
import { Status } from '../components/status.js';
import { useNow } from '../components/use-now.js';
import { AppError } from '../lib/errors.js';
import { navigate } from '../router.js';
import { useSessionManager } from '../session/use-session.js';

/** One message for every wrong credential: it never says whether the user exists. */
export const WRONG_CREDENTIALS = 'Wrong username or password';

type SignInError =
  | { kind: 'message'; text: string; code: string }
  | { kind: 'throttled'; until: number; code: string };

function errorFor(err: unknown, now: number): SignInError {
  if (err instanceof AppError) {
    if (err.status === 429)
      return { kind: 'throttled', until: now + (err.retryAfter ?? 60) * 1000, code: err.code };
    if (err.status === 401 || err.status === 403)
      return { kind: 'message', text: WRONG_CREDENTIALS, code: err.code };
    if (err.status === 0) {
      return {
        kind: 'message',
        text: 'Cannot reach the server. Check your connection and try again.',
        code: err.code,
      };
    }
    return { kind: 'message', text: `Sign-in failed: ${err.message}`, code: err.code };
  }
  return { kind: 'message', text: 'Sign-in failed.', code: 'ERR_UNKNOWN' };
}

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
      setError(errorFor(err, Date.now()));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Page title="Sign in" testId="page-signin" intro="Check in at the front desk to get your key card.">
      <form class="form form-narrow" onSubmit={submit} data-testid="signin-form">
        <div class="field">
          <label for="signin-username">Username</label>
          <input
            id="signin-username"
            name="username"
            autoComplete="username"
            autoCapitalize="none"
            spellcheck={false}
            required
            value={username}
            onInput={(e) => setUsername(e.currentTarget.value)}
            data-testid="signin-username"
          />
        </div>
        <div class="field">
          <label for="signin-password">Password</label>
          <input
            id="signin-password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
            data-testid="signin-password"
          />
        </div>
        <button type="submit" class="button" data-testid="signin-submit" disabled={busy || waitSeconds > 0}>
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
    </Page>
  );
}
