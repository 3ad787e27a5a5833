import { EMAIL_LINK_ROUTES } from '@keycard/protocol';
import { useEffect, useRef, useState } from 'preact/hooks';
import { verifyEmail } from '../../api/email.js';
import { Page } from '../../components/page.js';
import { Status } from '../../components/status.js';
import { AppError } from '../../lib/errors.js';
import { href } from '../../router.js';
import { useSession } from '../../session/use-session.js';
import { emailPageError, hideToken } from './messages.js';

type State = { kind: 'working' } | { kind: 'done' } | { kind: 'failed'; text: string; code: string };

/**
 * `#/verify-email?token=…`: the mailed link verifies the address as the page opens (once: the
 * token is single use; a mail scanner that only fetches the link runs no script and verifies
 * nothing). The token leaves the address bar at once.
 */
export function VerifyEmail({ token }: { token: string }) {
  const { status } = useSession();
  const [state, setState] = useState<State>(
    token === ''
      ? { kind: 'failed', text: 'This page needs the link from your mail.', code: 'ERR_NO_TOKEN' }
      : { kind: 'working' },
  );
  const started = useRef(false);

  useEffect(() => {
    hideToken(EMAIL_LINK_ROUTES.verifyEmail);
    if (started.current || token === '') return;
    started.current = true;
    verifyEmail(token).then(
      () => setState({ kind: 'done' }),
      (err: unknown) =>
        setState({
          kind: 'failed',
          text: emailPageError(err),
          code: err instanceof AppError ? err.code : 'ERR_UNKNOWN',
        }),
    );
  }, [token]);

  return (
    <Page
      title="Verify your email"
      testId="page-verify-email"
      intro="A verified address is where the front desk sends password-reset links."
    >
      <div class="panel email-panel" data-testid="verify-result" data-state={state.kind}>
        {state.kind === 'working' ? <p class="loading">Checking the link…</p> : null}
        <Status tone="success" testId="verify-status">
          {state.kind === 'done'
            ? 'Your email is verified. It can now be used to reset your password.'
            : null}
        </Status>
        <Status tone="error" code={state.kind === 'failed' ? state.code : undefined} testId="verify-error">
          {state.kind === 'failed' ? state.text : null}
        </Status>
        <p class="email-links">
          {status === 'signed-in' ? (
            <a href={href('/account')} data-testid="verify-account">
              Go to your account
            </a>
          ) : (
            <a href={href('/signin')} data-testid="verify-signin">
              Sign in
            </a>
          )}
        </p>
      </div>
    </Page>
  );
}
