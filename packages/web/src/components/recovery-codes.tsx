import { useState } from 'preact/hooks';

interface RecoveryCodesProps {
  codes: readonly string[];
  /** "I saved them": the codes are never shown again after this. */
  onSaved: () => void;
  busy?: boolean;
  /** The confirm button's words (default "Continue"). */
  continueLabel?: string;
}

/** A text file of the codes, for "Download". */
function downloadHref(codes: readonly string[]): string {
  const text = `Hotel Keycard recovery codes (each works once)\n\n${codes.join('\n')}\n`;
  return `data:text/plain;charset=utf-8,${encodeURIComponent(text)}`;
}

/**
 * Recovery codes shown once: each one signs in once in place of the second factor. The person
 * must say they saved them before going on; the page keeps them in memory only.
 *
 * @example
 * <RecoveryCodes codes={answer.recovery_codes} onSaved={finish} />
 */
export function RecoveryCodes({
  codes,
  onSaved,
  busy = false,
  continueLabel = 'Continue',
}: RecoveryCodesProps) {
  const [saved, setSaved] = useState(false);
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(codes.join('\n'));
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  return (
    <div class="recovery-codes" data-testid="recovery-codes">
      <p>
        <strong>Save these recovery codes now.</strong> If you lose your phone or passkey, each code signs you
        in once in its place. They are shown only this once.
      </p>
      <ol class="recovery-code-list" data-testid="recovery-code-list">
        {codes.map((code) => (
          <li key={code}>
            <code data-testid="recovery-code">{code}</code>
          </li>
        ))}
      </ol>
      <div class="actions">
        <button type="button" class="button button-secondary button-small" onClick={() => void copy()}>
          {copied ? 'Copied' : 'Copy'}
        </button>
        <a
          class="button button-secondary button-small"
          href={downloadHref(codes)}
          download="keycard-recovery-codes.txt"
        >
          Download
        </a>
      </div>
      <label class="check-label">
        <input
          type="checkbox"
          checked={saved}
          onChange={(e) => setSaved(e.currentTarget.checked)}
          data-testid="recovery-codes-saved"
        />{' '}
        I saved them somewhere safe
      </label>
      <button
        type="button"
        class="button"
        disabled={!saved || busy}
        onClick={onSaved}
        data-testid="recovery-codes-continue"
      >
        {busy ? 'Signing in…' : continueLabel}
      </button>
    </div>
  );
}
