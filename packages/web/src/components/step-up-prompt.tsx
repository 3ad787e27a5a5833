import type { StepUpChallenge } from '@keycard/protocol';
import { stepUpWords } from '../lib/strength-words.js';

interface StepUpPromptProps {
  doorId: string;
  challenge: StepUpChallenge;
  /** Leaves for the front desk's sign-in pages; the door is opened again once back. */
  onStart: () => void;
  busy: boolean;
}

/**
 * A door refused the card because of how its holder signed in (RFC 9470
 * `insufficient_user_authentication`): what it wants, in plain words, and one button to sign in
 * that way. The front desk asks only for what is missing (a second factor, or the password again).
 */
export function StepUpPrompt({ doorId, challenge, onStart, busy }: StepUpPromptProps) {
  return (
    <div
      class="door-step-up"
      data-testid={`door-${doorId}-step-up`}
      data-acr-values={challenge.acrValues.join(' ')}
      data-max-age={challenge.maxAge}
    >
      <p>
        <strong>This door needs a stronger sign-in.</strong> {stepUpWords(challenge)}
      </p>
      <button
        type="button"
        class="button button-small"
        onClick={onStart}
        disabled={busy}
        data-testid={`door-${doorId}-step-up-start`}
      >
        {busy ? 'Going to the front desk…' : 'Sign in to open it'}
      </button>
    </div>
  );
}
