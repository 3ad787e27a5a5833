import type { AuthorizeAnswer, AuthorizeDetails } from '@keycard/protocol';
import { useState } from 'preact/hooks';
import { authorizeConsent, authorizeContinue } from '../../api/authorize.js';

interface DecisionProps {
  interaction: string;
  details: AuthorizeDetails;
  onAnswer: (answer: AuthorizeAnswer) => void;
  onError: (err: unknown) => void;
  onAnotherAccount: () => void;
}

function Who({ details, onAnotherAccount }: Pick<DecisionProps, 'details' | 'onAnotherAccount'>) {
  return (
    <p class="authorize-who">
      Signed in as <strong data-testid="authorize-username-shown">{details.user?.username}</strong>.{' '}
      <button
        type="button"
        class="link-button"
        onClick={onAnotherAccount}
        data-testid="authorize-another-account"
      >
        Use another account
      </button>
    </p>
  );
}

/** Runs one call at a time, reporting its answer or its error. */
function useSubmit(onAnswer: DecisionProps['onAnswer'], onError: DecisionProps['onError']) {
  const [busy, setBusy] = useState(false);
  const run = async (call: () => Promise<AuthorizeAnswer>) => {
    if (busy) return;
    setBusy(true);
    try {
      onAnswer(await call());
    } catch (err) {
      onError(err);
    } finally {
      setBusy(false);
    }
  };
  return { busy, run };
}

/** Allow or deny the app what it asks (a first-party app is never asked). */
export function ConsentStep({ interaction, details, onAnswer, onError, onAnotherAccount }: DecisionProps) {
  const { busy, run } = useSubmit(onAnswer, onError);
  const answer = (allow: boolean) => run(() => authorizeConsent({ interaction, allow }, details.csrf));
  return (
    <div class="authorize-decision" data-testid="authorize-consent">
      <Who details={details} onAnotherAccount={onAnotherAccount} />
      <p>
        Allow <strong>{details.client.name}</strong> to do this for you? You can take it back at any time on
        your account page.
      </p>
      <div class="actions">
        <button
          type="button"
          class="button"
          disabled={busy}
          onClick={() => answer(true)}
          data-testid="authorize-allow"
        >
          Allow
        </button>
        <button
          type="button"
          class="button button-secondary"
          disabled={busy}
          onClick={() => answer(false)}
          data-testid="authorize-deny"
        >
          Deny
        </button>
      </div>
    </div>
  );
}

/** Already signed in, nothing to ask: one click back to the app, or sign in as someone else. */
export function ContinueStep({ interaction, details, onAnswer, onError, onAnotherAccount }: DecisionProps) {
  const { busy, run } = useSubmit(onAnswer, onError);
  return (
    <div class="authorize-decision" data-testid="authorize-continue-step">
      <div class="actions">
        <button
          type="button"
          class="button"
          disabled={busy}
          onClick={() => run(() => authorizeContinue(interaction, details.csrf))}
          data-testid="authorize-continue"
        >
          Continue as {details.user?.username}
        </button>
        <button
          type="button"
          class="button button-secondary"
          disabled={busy}
          onClick={onAnotherAccount}
          data-testid="authorize-another-account"
        >
          Use another account
        </button>
      </div>
    </div>
  );
}
