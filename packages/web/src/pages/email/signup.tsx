import { useState } from 'preact/hooks';
import { signUp } from '../../api/email.js';
import { useUiConfig } from '../../api/ui-config.js';
import { TextField } from '../../components/field.js';
import { Page } from '../../components/page.js';
import { Status } from '../../components/status.js';
import { href } from '../../router.js';
import { useEmailForm } from './use-email-form.js';

/**
 * `#/signup` (only when the front desk has sign-up on): username, email, password. The answer is
 * the same whether or not the name or address is taken (the server mails the address either way),
 * so the page only ever says "check your mail".
 */
export function SignUp() {
  const config = useUiConfig();
  const [username, setUsername] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [sentTo, setSentTo] = useState<string | undefined>(undefined);
  const form = useEmailForm();

  const submit = form.submit(
    async () => {
      await signUp({ username: username.trim(), email: email.trim(), password });
      setPassword('');
      setAgain('');
      setSentTo(email.trim());
    },
    { password, again },
  );

  const off = config !== undefined && config.accounts?.signup !== true;
  return (
    <Page
      title="Create an account"
      testId="page-signup"
      intro="A guest account at the front desk: we mail you a link to verify your address."
    >
      <div class="panel email-panel">
        {off ? (
          <p data-testid="signup-off">
            Sign-up is off at this front desk. Ask the hotel’s staff for an account.
          </p>
        ) : sentTo === undefined ? (
          <form class="form" onSubmit={submit} data-testid="signup-form">
            <TextField
              id="signup-username"
              label="Username"
              autoComplete="username"
              verbatim
              required
              value={username}
              onValue={setUsername}
            />
            <TextField
              id="signup-email"
              label="Email"
              type="email"
              autoComplete="email"
              verbatim
              required
              value={email}
              onValue={setEmail}
            />
            <TextField
              id="signup-password"
              label="Password"
              type="password"
              autoComplete="new-password"
              required
              value={password}
              onValue={setPassword}
            />
            <TextField
              id="signup-again"
              label="Repeat the password"
              type="password"
              autoComplete="new-password"
              required
              value={again}
              onValue={setAgain}
            />
            <button
              type="submit"
              class="button"
              disabled={form.busy || config === undefined}
              data-testid="signup-submit"
            >
              {form.busy ? 'Creating…' : 'Create the account'}
            </button>
          </form>
        ) : null}
        <Status tone="success" testId="signup-status">
          {sentTo === undefined ? null : (
            <>
              Check your mail at <strong>{sentTo}</strong>: open the link we sent to verify the address, then
              sign in.
            </>
          )}
        </Status>
        <Status tone="error" code={form.error?.code} testId="signup-error">
          {form.error?.text}
        </Status>
        <p class="email-links">
          <a href={href('/signin')}>Sign in</a>
          {config?.mailbox ? (
            <>
              {' · '}
              <a href={href('/mailbox')}>Open the demo mailbox</a>
            </>
          ) : null}
        </p>
      </div>
    </Page>
  );
}
