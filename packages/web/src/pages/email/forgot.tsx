import { useState } from 'preact/hooks';
import { requestPasswordReset } from '../../api/email.js';
import { useUiConfig } from '../../api/ui-config.js';
import { TextField } from '../../components/field.js';
import { Page } from '../../components/page.js';
import { Status } from '../../components/status.js';
import { href } from '../../router.js';
import { useEmailForm } from './use-email-form.js';

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
  const [sent, setSent] = useState(false);
  const form = useEmailForm();
  const submit = form.submit(async () => {
    await requestPasswordReset(login.trim());
    setSent(true);
  });

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
            <button type="submit" class="button" disabled={form.busy} data-testid="forgot-submit">
              {form.busy ? 'Sending…' : 'Send me a link'}
            </button>
          </form>
        )}
        <Status tone="success" testId="forgot-status">
          {sent ? FORGOT_SENT : null}
        </Status>
        <Status tone="error" code={form.error?.code} testId="forgot-error">
          {form.error?.text}
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
