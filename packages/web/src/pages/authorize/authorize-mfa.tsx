import type { AuthorizeAnswer, SecondFactorMethod } from '@keycard/protocol';
import { startAuthentication } from '@simplewebauthn/browser';
import { useRef, useState } from 'preact/hooks';
import { authorizeMfa, authorizePasskeyOptions } from '../../api/authorize.js';
import { CodeField } from '../../components/code-field.js';
import { type FactorKind, factorErrorFor } from '../../lib/factor-error.js';
import { passkeySupport, passkeyUnavailableWords } from '../../lib/passkeys.js';
import { FactorStatus, useFactorError } from './use-factor-error.js';

interface SecondFactorProps {
  interaction: string;
  /** The pending sign-in after the password; undefined for a step-up of the live browser session. */
  token: string | undefined;
  /** The browser session's CSRF token (a step-up without a pending sign-in proves itself so). */
  csrf: string | undefined;
  methods: readonly SecondFactorMethod[];
  onAnswer: (answer: AuthorizeAnswer) => void;
  /** Back to the password (the pending sign-in expired or belongs to another request). */
  onRestart: () => void;
}

type CodeMode = 'totp' | 'recovery_code';

/**
 * The second step of a sign-in: a code from the authenticator app, a recovery code, or a passkey.
 * After a password (`token`), or for a step-up when an app asks for more than the browser session
 * has (no token: the session is the first factor, with its CSRF token).
 */
export function SecondFactorStep({
  interaction,
  token,
  csrf,
  methods,
  onAnswer,
  onRestart,
}: SecondFactorProps) {
  const hasTotp = methods.includes('totp');
  const hasPasskey = methods.includes('passkey');
  const [mode, setMode] = useState<CodeMode | 'passkey'>(
    hasTotp ? 'totp' : hasPasskey ? 'passkey' : 'recovery_code',
  );
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const { error, setError, waitSeconds } = useFactorError();
  const form = useRef<HTMLFormElement>(null);
  const support = passkeySupport();

  const run = async (kind: FactorKind, call: () => Promise<AuthorizeAnswer>) => {
    if (busy || waitSeconds > 0) return;
    setBusy(true);
    setError(undefined);
    try {
      onAnswer(await call());
    } catch (err) {
      setError(factorErrorFor(err, kind, Date.now()));
      setCode('');
      form.current?.querySelector('input')?.focus();
    } finally {
      setBusy(false);
    }
  };
  const base = token === undefined ? { interaction } : { interaction, mfa_token: token };

  const submit = (event: Event) => {
    event.preventDefault();
    if (mode === 'passkey') return;
    const value = mode === 'totp' ? code.replace(/\s+/g, '') : code.trim();
    const input = mode === 'totp' ? { ...base, totp: value } : { ...base, recovery_code: value };
    void run(mode, () => authorizeMfa(input, csrf));
  };

  const usePasskey = () =>
    run('passkey', async () => {
      const { options, challenge } = await authorizePasskeyOptions(interaction, { mfaToken: token, csrf });
      const response = await startAuthentication({ optionsJSON: options });
      return authorizeMfa({ ...base, passkey: { challenge, response } }, csrf);
    });

  const switchTo = (next: CodeMode) => {
    setMode(next);
    setCode('');
    setError(undefined);
  };

  return (
    <div class="authorize-mfa" data-testid="authorize-mfa" data-methods={methods.join(' ')}>
      <p class="authorize-who">
        {token === undefined
          ? 'This app asks for a stronger sign-in than your password. Confirm it is you with a second factor.'
          : 'Your password was right. One more step: confirm it is you with a second factor.'}
      </p>
      {mode !== 'passkey' ? (
        <form class="form" ref={form} onSubmit={submit} data-testid="authorize-mfa-form" data-mode={mode}>
          {mode === 'totp' ? (
            <CodeField
              key="totp"
              id="authorize-mfa-code"
              label="Code from your authenticator app"
              hint="Six digits; a new one every 30 seconds."
              kind="totp"
              value={code}
              onValue={setCode}
            />
          ) : (
            <CodeField
              key="recovery"
              id="authorize-mfa-recovery"
              label="Recovery code"
              hint="One of the codes you saved when you set up your second factor. Each works once."
              kind="recovery"
              value={code}
              onValue={setCode}
            />
          )}
          <button
            type="submit"
            class="button"
            disabled={busy || waitSeconds > 0}
            data-testid="authorize-mfa-submit"
          >
            {busy ? 'Checking…' : 'Continue'}
          </button>
        </form>
      ) : null}
      {hasPasskey && support === 'usable' ? (
        <button
          type="button"
          class={mode === 'passkey' ? 'button' : 'button button-secondary'}
          disabled={busy || waitSeconds > 0}
          onClick={() => void usePasskey()}
          data-testid="authorize-mfa-passkey"
        >
          Use your passkey
        </button>
      ) : null}
      {hasPasskey && support !== 'usable' ? (
        <p class="small muted" data-testid="authorize-passkey-unavailable">
          {passkeyUnavailableWords(support, window.location.origin)}
        </p>
      ) : null}
      <p class="authorize-mfa-other">
        {hasTotp && mode !== 'totp' ? (
          <button
            type="button"
            class="link-button"
            onClick={() => switchTo('totp')}
            data-testid="authorize-mfa-use-totp"
          >
            Use your authenticator app
          </button>
        ) : null}
        {methods.includes('recovery_code') && mode !== 'recovery_code' ? (
          <button
            type="button"
            class="link-button"
            onClick={() => switchTo('recovery_code')}
            data-testid="authorize-mfa-use-recovery"
          >
            Use a recovery code
          </button>
        ) : null}
      </p>
      <FactorStatus
        error={error}
        waitSeconds={waitSeconds}
        testId="authorize-mfa-error"
        onRestart={onRestart}
      />
    </div>
  );
}
