import { useEffect, useState } from 'preact/hooks';
import { Status } from '../../components/status.js';
import { useNow } from '../../components/use-now.js';
import type { FactorError } from '../../lib/factor-error.js';

/**
 * The error of a second-factor step, with the seconds left while throttled (the error clears
 * itself when the wait is over).
 */
export function useFactorError() {
  const now = useNow(250);
  const [error, setError] = useState<FactorError | undefined>(undefined);
  const waitSeconds = error?.kind === 'throttled' ? Math.max(0, Math.ceil((error.until - now) / 1000)) : 0;
  useEffect(() => {
    if (error?.kind === 'throttled' && waitSeconds === 0) setError(undefined);
  }, [error, waitSeconds]);
  return { error, setError, waitSeconds };
}

interface FactorStatusProps {
  error: FactorError | undefined;
  waitSeconds: number;
  testId: string;
  /** "Start again": back to the password (shown for an expired pending sign-in). */
  onRestart: () => void;
}

/** The alert of a second-factor step: type again, start again (with a button), or wait. */
export function FactorStatus({ error, waitSeconds, testId, onRestart }: FactorStatusProps) {
  return (
    <>
      <Status tone="error" testId={testId} code={error?.code}>
        {error?.kind === 'message' || error?.kind === 'restart' ? error.text : null}
        {error?.kind === 'throttled' && waitSeconds > 0 ? (
          <>
            Too many attempts — try again in <span aria-live="off">{waitSeconds}</span> s
          </>
        ) : null}
      </Status>
      {error?.kind === 'restart' ? (
        <button
          type="button"
          class="button button-secondary"
          onClick={onRestart}
          data-testid="authorize-mfa-restart"
        >
          Start again
        </button>
      ) : null}
    </>
  );
}
