import { useEffect, useRef, useState } from 'preact/hooks';
import { regenerateRecoveryCodes } from '../../api/mfa.js';
import { useConfirm } from '../../components/confirm.js';
import { Status } from '../../components/status.js';
import { useStepUp } from '../../components/step-up.js';
import { messageOf } from '../../lib/errors.js';
import { useSessionManager } from '../../session/use-session.js';

interface ShownProps {
  codes: string[];
  /** "I saved them": the codes leave the page (and this browser's memory) for good. */
  onDone: () => void;
}

/**
 * Recovery codes, shown once: each opens the account once when the phone or the passkey is lost.
 * Copy and download (a text file made in the page), and a clear warning that they will not be
 * shown again.
 */
export function RecoveryCodesShown({ codes, onDone }: ShownProps) {
  const [copied, setCopied] = useState<string | undefined>(undefined);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const text = `keycard recovery codes (each works once)\n\n${codes.join('\n')}\n`;

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied('Copied to the clipboard.');
    } catch {
      setCopied('This browser did not let the page copy: select the codes and copy them yourself.');
    }
  };

  return (
    <section class="recovery-shown" data-testid="recovery-codes" aria-labelledby="recovery-shown-title">
      <h3 id="recovery-shown-title" ref={heading} tabIndex={-1}>
        Your recovery codes
      </h3>
      <p class="warning" data-testid="recovery-warning">
        <strong>Save these now: they are shown only once.</strong> If you lose your phone or your passkey,
        each code signs you in once in place of the second factor. Keep them somewhere safe, away from this
        device.
      </p>
      <ol class="recovery-list">
        {codes.map((code) => (
          <li key={code}>
            <code data-testid="recovery-code">{code}</code>
          </li>
        ))}
      </ol>
      <div class="actions">
        <button
          type="button"
          class="button button-secondary"
          onClick={() => void copy()}
          data-testid="recovery-copy"
        >
          Copy
        </button>
        <a
          class="button button-secondary"
          href={`data:text/plain;charset=utf-8,${encodeURIComponent(text)}`}
          download="keycard-recovery-codes.txt"
          data-testid="recovery-download"
        >
          Download
        </a>
        <button type="button" class="button" onClick={onDone} data-testid="recovery-done">
          I saved them
        </button>
      </div>
      <Status testId="recovery-copy-status">{copied}</Status>
    </section>
  );
}

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
