import { useState } from 'preact/hooks';
import { messageOf } from '../lib/errors.js';
import type { StatusTone } from './status.js';
import { useStepUp } from './step-up.js';

export interface ActionMessage {
  tone: StatusTone;
  text: string;
  code?: string | undefined;
}

/**
 * Runs a button's async work with a busy flag and a status message for the live region. A change
 * the server refuses for want of a recent sign-in is handed to the page's "Confirm it's you"
 * ({@link useStepUp}) under `action` (what the person was doing).
 *
 * @example
 * const action = useAction();
 * <button onClick={() => action.run(() => api.rotateKeys(), 'Rotated.')}>Rotate</button>
 */
export function useAction() {
  const [message, setMessage] = useState<ActionMessage | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const reportStepUp = useStepUp();

  const run = async <T>(
    work: () => Promise<T>,
    success: string | ((value: T) => string),
    action = 'This change',
  ): Promise<{ ok: true; value: T } | { ok: false }> => {
    setBusy(true);
    setMessage(undefined);
    try {
      const value = await work();
      setMessage({ tone: 'success', text: typeof success === 'string' ? success : success(value) });
      return { ok: true, value };
    } catch (err) {
      const code = err instanceof Error && 'code' in err ? String(err.code) : undefined;
      const stepUp = reportStepUp(err, action);
      setMessage({
        tone: 'error',
        text: stepUp ? "Not changed yet: confirm it's you first." : messageOf(err),
        code,
      });
      return { ok: false };
    } finally {
      setBusy(false);
    }
  };

  return { message, busy, run, setMessage };
}
