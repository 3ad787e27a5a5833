import type { AuthorizeDetails, AuthorizeLoginAnswer } from '@keycard/protocol';
import { useEffect, useState } from 'preact/hooks';
import { authorizeLogin } from '../../api/authorize.js';
import { TextField } from '../../components/field.js';
import { Status } from '../../components/status.js';
import { useNow } from '../../components/use-now.js';
import { AppError } from '../../lib/errors.js';
import { factorErrorFor } from '../../lib/factor-error.js';
import { type PasskeySupport, passkeySupport, passkeyUnavailableWords } from '../../lib/passkeys.js';
import { type SignInError, signInErrorFor } from '../../lib/sign-in-error.js';
import { AccountLinks } from '../email/account-links.js';
import { PasskeySignInButton, usePasskeyAutofill } from './passkey-signin.js';

interface SignInStepProps {
  interaction: string;
  details: AuthorizeDetails;
  /** "Use another account": start with an empty username whatever the hint. */
  anotherAccount: boolean;
  /**
   * `enrol`: the signed-in person must set up a second factor for this request and has none: the
   * password again starts it (no passkey to sign in with yet).
   */
  purpose?: 'sign-in' | 'enrol';
  onAnswer: (answer: AuthorizeLoginAnswer) => void;
  /** The request itself failed (expired link): the page replaces the form. */
  onFatal: (err: unknown) => void;
  onCancel?: (() => void) | undefined;
}

/**
 * The front desk's sign-in form for an app's request: the same answers as the main sign-in page
 * (one message for any wrong credential, a countdown when throttled). The password goes to the
 * front desk only, never to the app. A passkey signs in without either: from the username field's
 * autofill (conditional UI) or the "Sign in with a passkey" button.
 */
export function SignInStep({
  interaction,
  details,
  anotherAccount,
  purpose = 'sign-in',
  onAnswer,
  onFatal,
  onCancel,
}: SignInStepProps) {
  const now = useNow(250);
  const [username, setUsername] = useState(
    anotherAccount ? '' : (details.loginHint ?? details.user?.username ?? ''),
  );
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<SignInError | undefined>(undefined);

  const waitSeconds = error?.kind === 'throttled' ? Math.max(0, Math.ceil((error.until - now) / 1000)) : 0;
  useEffect(() => {
    if (error?.kind === 'throttled' && waitSeconds === 0) setError(undefined);
  }, [error, waitSeconds]);

  // Setting up a first factor: there is no passkey to sign in with yet, so none is offered.
  const passkeys: PasskeySupport = purpose === 'enrol' ? 'unsupported' : passkeySupport();
  const passkeyFailed = (err: unknown) => {
    if (err instanceof AppError && err.code === 'ERR_INTERACTION_EXPIRED') return onFatal(err);
    const shown = factorErrorFor(err, 'passkey', Date.now());
    if (shown !== undefined) setError(shown.kind === 'restart' ? { ...shown, kind: 'message' } : shown);
  };
  usePasskeyAutofill(interaction, passkeys === 'usable', onAnswer, passkeyFailed);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy || waitSeconds > 0) return;
    setBusy(true);
    setError(undefined);
    try {
      const answer = await authorizeLogin({ interaction, username: username.trim(), password });
      setPassword('');
      onAnswer(answer);
    } catch (err) {
      if (err instanceof AppError && err.code === 'ERR_INTERACTION_EXPIRED') onFatal(err);
      else setError(signInErrorFor(err, Date.now()));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="form" onSubmit={submit} data-testid="authorize-signin-form">
      {purpose === 'enrol' ? (
        <p class="authorize-who" data-testid="authorize-enrol-reauth">
          {details.client.name} asks for a second factor, and your account has none yet. Confirm your password
          to set one up: an authenticator app or a passkey.
        </p>
      ) : details.user && !anotherAccount ? (
        <p class="authorize-who" data-testid="authorize-reauth">
          You are signed in as <strong>{details.user.username}</strong>, but {details.client.name} asks you to
          sign in again.
        </p>
      ) : null}
      <TextField
        id="authorize-username"
        label="Username"
        name="username"
        verbatim
        autoComplete={passkeys === 'usable' ? 'username webauthn' : 'username'}
        required
        value={username}
        onValue={setUsername}
      />
      <TextField
        id="authorize-password"
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
        data-testid="authorize-signin-submit"
        disabled={busy || waitSeconds > 0}
      >
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
      {passkeys === 'usable' ? (
        <PasskeySignInButton
          interaction={interaction}
          disabled={busy || waitSeconds > 0}
          onBusy={setBusy}
          onAnswer={onAnswer}
          onError={passkeyFailed}
        />
      ) : passkeys === 'ip-address' ? (
        <p class="small muted" data-testid="authorize-passkey-unavailable">
          {passkeyUnavailableWords(passkeys, window.location.origin)}
        </p>
      ) : null}
      {onCancel ? (
        <button type="button" class="button button-secondary" onClick={onCancel} data-testid="authorize-back">
          Back
        </button>
      ) : null}
      <AccountLinks />
      <Status tone="error" testId="authorize-signin-error" code={error?.code}>
        {error?.kind === 'message' ? error.text : null}
        {error?.kind === 'throttled' && waitSeconds > 0 ? (
          <>
            Too many attempts — try again in <span aria-live="off">{waitSeconds}</span> s
          </>
        ) : null}
      </Status>
    </form>
  );
}
