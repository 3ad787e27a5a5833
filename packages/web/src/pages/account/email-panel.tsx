import { useState } from 'preact/hooks';
import { accountEmail, changeEmail } from '../../api/email.js';
import { useUiConfig } from '../../api/ui-config.js';
import { TextField } from '../../components/field.js';
import { Status } from '../../components/status.js';
import { useStepUp } from '../../components/step-up.js';
import { useLoad } from '../../components/use-load.js';
import { AppError, messageOf } from '../../lib/errors.js';
import { useSessionManager } from '../../session/use-session.js';

function emailError(err: unknown): string {
  if (err instanceof AppError && err.code === 'ERR_MAIL_NOT_CONFIGURED')
    return 'This front desk sends no mail, so it cannot check a new address.';
  return messageOf(err);
}

/**
 * The account's email, verified or not, and a form to change it: the new address gets a link, and
 * replaces the current one only once that link is opened (a typo never loses the verified address
 * the reset links go to).
 */
export function EmailPanel() {
  const manager = useSessionManager();
  const current = useLoad(() => accountEmail(manager));
  const config = useUiConfig();
  // A front desk that sends no mail cannot verify an address: no form, just what is on file.
  const canVerify = config?.accounts?.emailVerification !== false;
  const reportStepUp = useStepUp();
  const [email, setEmail] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ tone: 'success' | 'error'; text: string; code?: string }>();

  const submit = async (event: Event) => {
    event.preventDefault();
    const next = email.trim();
    setBusy(true);
    setMessage(undefined);
    try {
      await changeEmail(manager, next);
      setEmail('');
      setMessage({
        tone: 'success',
        text: `We sent a link to ${next}. Your address changes to it once you open that link; until then nothing changes.`,
      });
      await current.reload();
    } catch (err) {
      if (!reportStepUp(err, 'Change your email')) {
        setMessage({
          tone: 'error',
          text: emailError(err),
          code: err instanceof AppError ? err.code : undefined,
        });
      }
    } finally {
      setBusy(false);
    }
  };

  const data = current.data;
  return (
    <section class="panel" aria-labelledby="email-title">
      <h2 id="email-title">Email</h2>
      {current.error ? <Status tone="error">{current.error}</Status> : null}
      {data ? (
        <p
          data-testid="account-email"
          data-email={data.email ?? ''}
          data-verified={data.email === null ? 'none' : String(data.verified)}
        >
          {data.email === null ? (
            <span class="muted">No email on this account: a forgotten password cannot be reset by mail.</span>
          ) : (
            <>
              <span class="email-address">{data.email}</span>{' '}
              {data.verified ? (
                <span class="badge badge-ok">Verified</span>
              ) : (
                <span class="badge badge-bad">Not verified</span>
              )}
              {data.verified ? null : (
                <span class="muted small"> Open the link we mailed to use it for password resets.</span>
              )}
            </>
          )}
        </p>
      ) : null}
      {canVerify ? null : (
        <p class="muted" data-testid="email-no-mail">
          This front desk sends no mail: ask the hotel’s staff to change your address.
        </p>
      )}
      <form class="form form-narrow" onSubmit={submit} data-testid="email-form" hidden={!canVerify}>
        <TextField
          id="email-new"
          label={data?.email ? 'New email' : 'Email'}
          type="email"
          autoComplete="email"
          verbatim
          required
          value={email}
          onValue={setEmail}
        />
        <button type="submit" class="button" disabled={busy} data-testid="email-submit">
          {busy ? 'Sending…' : 'Send a verification link'}
        </button>
        <Status tone={message?.tone} code={message?.code} testId="email-status">
          {message?.text}
        </Status>
      </form>
    </section>
  );
}
