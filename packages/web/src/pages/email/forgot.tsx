import { useState } from 'preact/hooks';
import { requestPasswordReset } from '../../api/email.js';
import { useUiConfig } from '../../api/ui-config.js';
import { TextField } from '../../components/field.js';
import { Page } from '../../components/page.js';
import { Status } from '../../components/status.js';
import { AppError } from '../../lib/errors.js';
import { href } from '../../router.js';
import { emailPageError } from './messages.js';

/**
 * The answer to every request, whoever asked: the page never tells whether an account exists
 * (the server answers every request the same way, 202).
 */
export const FORGOT_SENT =
  'If an account with a verified email matches, a link to choose a new password is on its way. It works once, for a short time.';

/** `#/forgot`: one field (username or email); the same confirmation for any answer. */
export function Forgot() {
  const config = useUiConfig();
  const [login, setLogin] = useState('');
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState(false);
  const [error, setError] = useState<{ text: string; code: string } | undefined>(undefined);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await requestPasswordReset(login.trim());
      setSent(true);
    } catch (err) {
      setError({ text: emailPageError(err), code: err instanceof AppError ? err.code : 'ERR_UNKNOWN' });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Page title="Forgot your password?" testId="page-forgot" intro="We mail you a link to choose a new one.">
      <div class="panel email-panel">
        {sent ? null : (
          <form class="form" onSubmit={submit} data-testid="forgot-form">
            <TextField
              id="forgot-login"
              label="Username or email"
              autoComplete="username"
              verbatim
              required
              value={login}
              onValue={setLogin}
            />
            <button type="submit" class="button" disabled={busy} data-testid="forgot-submit">
              {busy ? 'Sending…' : 'Send me a link'}
            </button>
          </form>
        )}
        <Status tone="success" testId="forgot-status">
          {sent ? FORGOT_SENT : null}
        </Status>
        <Status tone="error" code={error?.code} testId="forgot-error">
          {error?.text}
        </Status>
        <p class="email-links">
          <a href={href('/signin')}>Back to sign in</a>
          {config?.mailbox ? (
            <>
              {' · '}
              <a href={href('/mailbox')} data-testid="forgot-mailbox">
                Open the demo mailbox
              </a>
            </>
          ) : null}
        </p>
      </div>
    </Page>
  );
}
