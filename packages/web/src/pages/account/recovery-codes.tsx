import { useState } from 'preact/hooks';
import { regenerateRecoveryCodes } from '../../api/mfa.js';
import { useConfirm } from '../../components/confirm.js';
import { Status } from '../../components/status.js';
import { useStepUp } from '../../components/step-up.js';
import { messageOf } from '../../lib/errors.js';
import { useSessionManager } from '../../session/use-session.js';

interface PanelProps {
  remaining: number;
  /** Whether the account has a second factor (recovery codes only stand in for one). */
  hasFactor: boolean;
  onCodes: (codes: string[]) => void;
}

/** How many recovery codes are left, and new ones (asked first; a recent sign-in is needed). */
export function RecoveryCodesPanel({ remaining, hasFactor, onCodes }: PanelProps) {
  const manager = useSessionManager();
  const confirm = useConfirm();
  const reportStepUp = useStepUp();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);

  const regenerate = async () => {
    setError(undefined);
    const ok = await confirm.ask({
      title: 'Make new recovery codes?',
      body: <p>Your current recovery codes stop working at once. The new ones are shown only once.</p>,
      confirm: 'Make new codes',
    });
    if (!ok) return;
    setBusy(true);
    try {
      onCodes(await regenerateRecoveryCodes(manager));
    } catch (err) {
      if (!reportStepUp(err, 'Make new recovery codes')) setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="security-part" aria-labelledby="recovery-title">
      {confirm.dialog}
      <h3 id="recovery-title">Recovery codes</h3>
      {hasFactor ? (
        <p data-testid="recovery-remaining" data-remaining={remaining}>
          {remaining === 1 ? '1 unused code left.' : `${remaining} unused codes left.`}
          {remaining <= 3 ? ' Make new ones before you run out.' : ''}
        </p>
      ) : (
        <p class="muted" data-testid="recovery-remaining" data-remaining={remaining}>
          You get recovery codes when you add your first second factor.
        </p>
      )}
      {hasFactor ? (
        <div class="actions">
          <button
            type="button"
            class="button button-secondary"
            disabled={busy}
            onClick={() => void regenerate()}
            data-testid="recovery-regenerate"
          >
            New recovery codes
          </button>
        </div>
      ) : null}
      <Status tone="error" testId="recovery-status">
        {error}
      </Status>
    </section>
  );
}
