import { useState } from 'preact/hooks';
import { messageOf } from '../lib/errors.js';
import type { StatusTone } from './status.js';

export interface ActionMessage {
  tone: StatusTone;
  text: string;
  code?: string | undefined;
}

/**
 * Runs a button's async work with a busy flag and a status message for the live region.
 *
 * @example
 * const action = useAction();
 * <button onClick={() => action.run(() => api.rotateKeys(), 'Rotated.')}>Rotate</button>
 */
export function useAction() {
  const [message, setMessage] = useState<ActionMessage | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const run = async <T>(
    work: () => Promise<T>,
    success: string | ((value: T) => string),
  ): Promise<{ ok: true; value: T } | { ok: false }> => {
    setBusy(true);
    setMessage(undefined);
    try {
      const value = await work();
      setMessage({ tone: 'success', text: typeof success === 'string' ? success : success(value) });
      return { ok: true, value };
    } catch (err) {
      const code = err instanceof Error && 'code' in err ? String(err.code) : undefined;
      setMessage({ tone: 'error', text: messageOf(err), code });
      return { ok: false };
    } finally {
      setBusy(false);
    }
  };

  return { message, busy, run, setMessage };
}
