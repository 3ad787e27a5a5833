import { useState } from 'preact/hooks';
import {
  type AccountFactors,
  confirmTotp,
  removeTotp,
  startTotp,
  type TotpEnrolment,
} from '../../api/mfa.js';
import { CodeField } from '../../components/code-field.js';
import { useConfirm } from '../../components/confirm.js';
import { Status } from '../../components/status.js';
import { useStepUp } from '../../components/step-up.js';
import { TimeText } from '../../components/time-cell.js';
import { TotpSetup } from '../../components/totp-setup.js';
import { AppError, messageOf } from '../../lib/errors.js';
import { useSessionManager } from '../../session/use-session.js';

interface TotpPanelProps {
  totp: AccountFactors['totp'];
  now: number;
  /** The account cannot lose its last factor (a role requires one). */
  lastRequired: boolean;
  onChanged: () => void;
  onCodes: (codes: string[]) => void;
}

function codeError(err: unknown): string {
  if (err instanceof AppError && err.code === 'ERR_MFA_INVALID')
    return 'That code is not right. Type the code the app shows now (check the phone’s clock if it keeps failing).';
  return messageOf(err);
}

/** The authenticator app (TOTP): add it with a QR code and a first code, or remove it. */
export function TotpPanel({ totp, now, lastRequired, onChanged, onCodes }: TotpPanelProps) {
  const manager = useSessionManager();
  const confirm = useConfirm();
  const reportStepUp = useStepUp();
  const [enrolment, setEnrolment] = useState<TotpEnrolment | undefined>(undefined);
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ tone: 'success' | 'error'; text: string; code?: string }>();

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setMessage(undefined);
    try {
      await work();
    } finally {
      setBusy(false);
    }
  };

  const start = () =>
    run(async () => {
      try {
        setEnrolment(await startTotp(manager));
        setCode('');
      } catch (err) {
        if (reportStepUp(err, 'Add an authenticator app')) return;
        setMessage({
          tone: 'error',
          text: messageOf(err),
          code: err instanceof AppError ? err.code : undefined,
        });
      }
    });

  const finish = (event: Event) => {
    event.preventDefault();
    return run(async () => {
      try {
        const result = await confirmTotp(manager, code.replace(/\s+/g, ''));
        setEnrolment(undefined);
        setCode('');
        setMessage({ tone: 'success', text: 'Authenticator app added: sign-ins now ask for its code.' });
        if (result.recovery_codes && result.recovery_codes.length > 0) onCodes(result.recovery_codes);
        onChanged();
      } catch (err) {
        if (reportStepUp(err, 'Add an authenticator app')) {
          setEnrolment(undefined);
          return;
        }
        setMessage({
          tone: 'error',
          text: codeError(err),
          code: err instanceof AppError ? err.code : undefined,
        });
      }
    });
  };

  const remove = async () => {
    const ok = await confirm.ask({
      title: 'Remove the authenticator app?',
      body: <p>Sign-ins no longer accept its codes. Codes it shows afterwards are useless.</p>,
      confirm: 'Remove the app',
    });
    if (!ok) return;
    await run(async () => {
      try {
        await removeTotp(manager);
        setMessage({ tone: 'success', text: 'Authenticator app removed.' });
        onChanged();
      } catch (err) {
        if (reportStepUp(err, 'Remove the authenticator app')) return;
        setMessage({
          tone: 'error',
          text: messageOf(err),
          code: err instanceof AppError ? err.code : undefined,
        });
      }
    });
  };

  return (
    <section
      class="security-part"
      aria-labelledby="totp-title"
      data-testid="totp"
      data-enabled={totp.enabled}
    >
      {confirm.dialog}
      <h3 id="totp-title">Authenticator app</h3>
      {totp.enabled ? (
        <>
          <p data-testid="totp-on">
            <span class="badge badge-ok">On</span> Added <TimeText value={totp.confirmed_at} now={now} past />
            .
          </p>
          <div class="actions">
            <button
              type="button"
              class="button button-small button-danger"
              disabled={busy || lastRequired}
              title={lastRequired ? 'Your role requires a second factor: add another one first' : undefined}
              onClick={() => void remove()}
              data-testid="totp-remove"
            >
              Remove the app
            </button>
          </div>
        </>
      ) : enrolment ? (
        <form class="totp-enrol" onSubmit={finish} data-testid="totp-enrol">
          <ol class="steps">
            <li>Scan the QR code with an authenticator app, or type its key into the app.</li>
            <li>Type the six-digit code the app then shows.</li>
          </ol>
          <TotpSetup secret={enrolment.secret} qrSvg={enrolment.qr_svg} />
          <CodeField
            id="totp-code"
            label="Code from your authenticator app"
            hint="Six digits; a new one every 30 seconds."
            kind="totp"
            value={code}
            onValue={setCode}
          />
          <div class="actions">
            <button type="submit" class="button" disabled={busy} data-testid="totp-confirm">
              {busy ? 'Checking…' : 'Turn on'}
            </button>
            <button
              type="button"
              class="button button-secondary"
              onClick={() => setEnrolment(undefined)}
              data-testid="totp-cancel"
            >
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <>
          <p class="muted">A six-digit code from an app on your phone, asked at each sign-in.</p>
          <div class="actions">
            <button
              type="button"
              class="button button-secondary"
              disabled={busy}
              onClick={() => void start()}
              data-testid="totp-start"
            >
              Add an authenticator app
            </button>
          </div>
        </>
      )}
      <Status tone={message?.tone} code={message?.code} testId="totp-status">
        {message?.text}
      </Status>
    </section>
  );
}
