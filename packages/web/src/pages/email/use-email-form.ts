import { useState } from 'preact/hooks';
import { AppError } from '../../lib/errors.js';
import { emailPageError } from './messages.js';

/** What an email page says after a refused call: a sentence, and the code for tests. */
export interface EmailPageFailure {
  text: string;
  code: string;
}

/**
 * The submit of an email page's form: a busy flag, the failure to show (in words, by code), and a
 * check that a new password was typed the same twice before anything is sent.
 *
 * @example
 * const form = useEmailForm();
 * const submit = form.submit(async () => resetPassword(token, password), { password, again });
 */
export function useEmailForm() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<EmailPageFailure | undefined>(undefined);

  const submit =
    (work: () => Promise<void>, twice?: { password: string; again: string }) => async (event: Event) => {
      event.preventDefault();
      if (twice !== undefined && twice.password !== twice.again) {
        setError({ text: 'The two passwords do not match.', code: 'ERR_PASSWORDS_DIFFER' });
        return;
      }
      setBusy(true);
      setError(undefined);
      try {
        await work();
      } catch (err) {
        setError({ text: emailPageError(err), code: err instanceof AppError ? err.code : 'ERR_UNKNOWN' });
      } finally {
        setBusy(false);
      }
    };

  return { busy, error, submit };
}
