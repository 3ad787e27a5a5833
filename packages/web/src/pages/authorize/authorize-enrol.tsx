import type { AuthorizeAnswer, TotpConfirmation, TotpStart } from '@keycard/protocol';
import { startRegistration } from '@simplewebauthn/browser';
import { useState } from 'preact/hooks';
import { authorizeMfa } from '../../api/authorize.js';
import { confirmTotp, passkeyCreation, registerPasskey, startTotp } from '../../api/mfa-enrol.js';
import { CodeField } from '../../components/code-field.js';
import { RecoveryCodes } from '../../components/recovery-codes.js';
import { TotpSetup } from '../../components/totp-setup.js';
import { AppError } from '../../lib/errors.js';
import { type FactorKind, factorErrorFor } from '../../lib/factor-error.js';
import { passkeySupport, passkeyUnavailableWords } from '../../lib/passkeys.js';
import { describeUserAgent } from '../../lib/user-agent.js';
import { FactorStatus, useFactorError } from './use-factor-error.js';

interface EnrolStepProps {
  interaction: string;
  /** The pending sign-in (`enrol: true`): it authenticates the enrolment calls. */
  token: string;
  onAnswer: (answer: AuthorizeAnswer) => void;
  onRestart: () => void;
}

type Stage =
  | { stage: 'choose' }
  | { stage: 'totp'; setup: TotpStart }
  | { stage: 'codes'; codes: string[]; proven: string };

/**
 * A sign-in that needs a second factor the person does not have yet: set one up now (an
 * authenticator app, confirmed by its first code, or a passkey), see the recovery codes once, and
 * the new factor completes the sign-in (the server hands back a pending sign-in that holds it).
 */
export function EnrolStep({ interaction, token, onAnswer, onRestart }: EnrolStepProps) {
  const [stage, setStage] = useState<Stage>({ stage: 'choose' });
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const { error, setError, waitSeconds } = useFactorError();
  const support = passkeySupport();
  const pending = { interaction, mfaToken: token };

  const attempt = async (kind: FactorKind, step: () => Promise<void>) => {
    if (busy || waitSeconds > 0) return;
    setBusy(true);
    setError(undefined);
    try {
      await step();
    } catch (err) {
      setError(factorErrorFor(err, kind, Date.now()));
      setCode('');
    } finally {
      setBusy(false);
    }
  };

  const finish = async (proven: string) =>
    onAnswer(await authorizeMfa({ interaction, mfa_token: proven }, undefined));

  // The new factor is proven: recovery codes first when this is the account's first factor.
  const enrolled = async (done: TotpConfirmation) => {
    if (done.mfa_token === undefined)
      throw new AppError('ERR_LOGIN_REQUIRED', 'No pending sign-in came back.');
    const codes = done.recovery_codes ?? [];
    if (codes.length > 0) setStage({ stage: 'codes', codes, proven: done.mfa_token });
    else await finish(done.mfa_token);
  };

  const chooseTotp = () =>
    attempt('enrol', async () => setStage({ stage: 'totp', setup: await startTotp(pending) }));
  const confirm = (event: Event) => {
    event.preventDefault();
    void attempt('totp', async () => enrolled(await confirmTotp(pending, code.replace(/\s+/g, ''))));
  };
  const choosePasskey = () =>
    attempt('passkey', async () => {
      const { options, challenge } = await passkeyCreation(pending);
      const response = await startRegistration({ optionsJSON: options });
      const name = describeUserAgent(navigator.userAgent).slice(0, 64);
      await enrolled(await registerPasskey(pending, { name, challenge, response }));
    });

  const status = (
    <FactorStatus
      error={error}
      waitSeconds={waitSeconds}
      testId="authorize-enrol-error"
      onRestart={onRestart}
    />
  );

  if (stage.stage === 'codes') {
    return (
      <div class="authorize-enrol" data-testid="authorize-enrol" data-stage="codes">
        <RecoveryCodes
          codes={stage.codes}
          busy={busy}
          continueLabel="Continue signing in"
          onSaved={() => void attempt('enrol', () => finish(stage.proven))}
        />
        {status}
      </div>
    );
  }

  if (stage.stage === 'totp') {
    return (
      <form class="form authorize-enrol" onSubmit={confirm} data-testid="authorize-enrol" data-stage="totp">
        <TotpSetup secret={stage.setup.secret} qrSvg={stage.setup.qr_svg} />
        <CodeField
          id="authorize-enrol-code"
          label="Code from your authenticator app"
          hint="Type the six digits the app shows, to prove it is set up."
          kind="totp"
          value={code}
          onValue={setCode}
        />
        <button
          type="submit"
          class="button"
          disabled={busy || waitSeconds > 0}
          data-testid="authorize-enrol-confirm"
        >
          {busy ? 'Checking…' : 'Confirm'}
        </button>
        <button
          type="button"
          class="button button-secondary"
          onClick={() => setStage({ stage: 'choose' })}
          data-testid="authorize-enrol-back"
        >
          Choose another way
        </button>
        {status}
      </form>
    );
  }

  return (
    <div class="authorize-enrol" data-testid="authorize-enrol" data-stage="choose">
      <p class="authorize-who">
        Your password was right. This sign-in also needs a second factor, and your account has none yet: set
        one up now. You will use it every time you sign in.
      </p>
      <div class="authorize-enrol-choices">
        {support === 'usable' ? (
          <button
            type="button"
            class="button"
            disabled={busy}
            onClick={() => void choosePasskey()}
            data-testid="authorize-enrol-passkey"
          >
            Create a passkey
          </button>
        ) : null}
        <button
          type="button"
          class={support === 'usable' ? 'button button-secondary' : 'button'}
          disabled={busy}
          onClick={() => void chooseTotp()}
          data-testid="authorize-enrol-totp"
        >
          Use an authenticator app
        </button>
      </div>
      {support !== 'usable' ? (
        <p class="small muted" data-testid="authorize-passkey-unavailable">
          {passkeyUnavailableWords(support, window.location.origin)}
        </p>
      ) : null}
      {status}
    </div>
  );
}
