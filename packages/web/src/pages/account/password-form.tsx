import { useState } from 'preact/hooks';
import { TextField } from '../../components/field.js';
import { Status } from '../../components/status.js';
import { useStepUp } from '../../components/step-up.js';
import { AppError, messageOf } from '../../lib/errors.js';
import { useSessionManager } from '../../session/use-session.js';

interface PasswordFormProps {
  /** Called after a change (the server has signed out the other sessions). */
  onChanged?: () => void;
}

/** Changes the password; the server signs out every other session of the user. */
export function PasswordForm({ onChanged }: PasswordFormProps) {
  const manager = useSessionManager();
  const reportStepUp = useStepUp();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ tone: 'success' | 'error'; text: string } | undefined>(undefined);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (next !== confirm) {
      setMessage({ tone: 'error', text: 'The new passwords do not match.' });
      return;
    }
    setBusy(true);
    setMessage(undefined);
    try {
      await manager.request<void>('/api/password', {
        method: 'POST',
        body: { currentPassword: current, newPassword: next },
        retryOn401: false,
      });
      setCurrent('');
      setNext('');
      setConfirm('');
      setMessage({ tone: 'success', text: 'Password changed. Your other sessions were signed out.' });
      onChanged?.();
    } catch (err) {
      // The typed passwords are not kept across the sign-in: the person types them again after.
      if (reportStepUp(err, 'Change your password')) return;
      const wrongCurrent = err instanceof AppError && err.code === 'ERR_INVALID_CREDENTIALS';
      setMessage({ tone: 'error', text: wrongCurrent ? 'The current password is wrong.' : messageOf(err) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="panel" aria-labelledby="password-title">
      <h2 id="password-title">Change password</h2>
      <form class="form form-narrow" onSubmit={submit} data-testid="password-form">
        <TextField
          id="password-current"
          label="Current password"
          type="password"
          autoComplete="current-password"
          required
          value={current}
          onValue={setCurrent}
        />
        <TextField
          id="password-new"
          label="New password"
          type="password"
          autoComplete="new-password"
          required
          value={next}
          onValue={setNext}
        />
        <TextField
          id="password-confirm"
          label="Repeat the new password"
          type="password"
          autoComplete="new-password"
          required
          value={confirm}
          onValue={setConfirm}
        />
        <button type="submit" class="button" data-testid="password-submit" disabled={busy}>
          {busy ? 'Changing…' : 'Change password'}
        </button>
        <Status tone={message?.tone} testId="password-status">
          {message?.text}
        </Status>
      </form>
    </section>
  );
}
