import { EMAIL_LINK_ROUTES } from '@keycard/protocol';
import { useEffect, useState } from 'preact/hooks';
import { resetPassword } from '../../api/email.js';
import { TextField } from '../../components/field.js';
import { Page } from '../../components/page.js';
import { Status } from '../../components/status.js';
import { href } from '../../router.js';
import { useSession, useSessionManager } from '../../session/use-session.js';
import { hideToken } from './messages.js';
import { useEmailForm } from './use-email-form.js';

/**
 * `#/reset?token=…`: the mailed link. The token leaves the address bar at once; a new password
 * (typed twice) is set with it, once. The server then signs the account out everywhere, so a
 * session this browser holds is checked at once (it ends here if it was that account's).
 */
export function ResetPassword({ token }: { token: string }) {
  const manager = useSessionManager();
  const { card } = useSession();
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [done, setDone] = useState(false);
  const form = useEmailForm();
  useEffect(() => hideToken(EMAIL_LINK_ROUTES.reset), []);

  const submit = form.submit(
    async () => {
      await resetPassword(token, password);
      setPassword('');
      setAgain('');
      setDone(true);
      // Every session of the account was revoked: a card held here for it stops at once.
      if (card) void manager.refresh(card.token);
    },
    { password, again },
  );

  const linkDead = form.error?.code === 'ERR_EMAIL_TOKEN_INVALID';
  return (
    <Page
      title="Choose a new password"
      testId="page-reset"
      intro="The link from your mail works once. Choose a password you use nowhere else."
    >
      <div class="panel email-panel">
        {token === '' ? (
          <p data-testid="reset-no-token">
            This page needs the link from your mail. Open it again, or{' '}
            <a href={href('/forgot')}>ask for a new one</a>.
          </p>
        ) : done ? (
          <div data-testid="reset-done">
            <p>
              <strong>Your password is changed.</strong> You are signed out everywhere, on every device and
              app; sign in with the new password.
            </p>
            <a class="button" href={href('/signin')} data-testid="reset-signin">
              Sign in
            </a>
          </div>
        ) : linkDead ? null : (
          <form class="form" onSubmit={submit} data-testid="reset-form">
            <TextField
              id="reset-password"
              label="New password"
              type="password"
              autoComplete="new-password"
              required
              value={password}
              onValue={setPassword}
            />
            <TextField
              id="reset-again"
              label="Repeat the new password"
              type="password"
              autoComplete="new-password"
              required
              value={again}
              onValue={setAgain}
            />
            <button type="submit" class="button" disabled={form.busy} data-testid="reset-submit">
              {form.busy ? 'Saving…' : 'Save the new password'}
            </button>
          </form>
        )}
        <Status tone="error" code={form.error?.code} testId="reset-error">
          {form.error?.text}
        </Status>
        {linkDead ? (
          <p>
            <a class="button" href={href('/forgot')} data-testid="reset-ask-again">
              Ask for a new link
            </a>
          </p>
        ) : null}
      </div>
    </Page>
  );
}
