import type { AuthorizeAnswer } from '@keycard/protocol';
import {
  type AuthenticationResponseJSON,
  browserSupportsWebAuthnAutofill,
  startAuthentication,
  WebAuthnAbortService,
} from '@simplewebauthn/browser';
import { useEffect, useRef } from 'preact/hooks';
import { authorizePasskey, authorizePasskeyOptions, type PasskeyRequest } from '../../api/authorize.js';

/** One passkey sign-in: a fresh sealed challenge, the browser's ceremony, the server's answer. */
async function signInWithPasskey(interaction: string): Promise<AuthorizeAnswer> {
  const { options, challenge } = await authorizePasskeyOptions(interaction);
  const response = await startAuthentication({ optionsJSON: options });
  return authorizePasskey(interaction, { challenge, response });
}

/**
 * Conditional UI: while the sign-in form is open, the browser offers this site's passkeys in the
 * username field's autofill (`autocomplete="username webauthn"`); picking one signs in with no
 * password. Cancelled when the form goes away or another ceremony (the button) starts. Only the
 * server's answer to a chosen passkey is reported: until then nobody asked for anything.
 */
export function usePasskeyAutofill(
  interaction: string,
  enabled: boolean,
  onAnswer: (answer: AuthorizeAnswer) => void,
  onError: (err: unknown) => void,
): void {
  // The latest callbacks, so the ceremony is not restarted when the parent re-renders.
  const handlers = useRef({ onAnswer, onError });
  handlers.current = { onAnswer, onError };
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    void (async () => {
      let request: PasskeyRequest;
      let response: AuthenticationResponseJSON;
      try {
        if (!(await browserSupportsWebAuthnAutofill()) || !live) return;
        request = await authorizePasskeyOptions(interaction);
        if (!live) return;
        response = await startAuthentication({ optionsJSON: request.options, useBrowserAutofill: true });
      } catch {
        // Nobody asked for anything yet (or the prompt was replaced): the form works as before.
        return;
      }
      try {
        const answer = await authorizePasskey(interaction, { challenge: request.challenge, response });
        if (live) handlers.current.onAnswer(answer);
      } catch (err) {
        if (live) handlers.current.onError(err);
      }
    })();
    return () => {
      live = false;
      WebAuthnAbortService.cancelCeremony();
    };
  }, [interaction, enabled]);
}

interface PasskeyButtonProps {
  interaction: string;
  disabled: boolean;
  onBusy: (busy: boolean) => void;
  onAnswer: (answer: AuthorizeAnswer) => void;
  onError: (err: unknown) => void;
}

/** "Sign in with a passkey": no username, no password; the passkey is both factors. */
export function PasskeySignInButton({
  interaction,
  disabled,
  onBusy,
  onAnswer,
  onError,
}: PasskeyButtonProps) {
  const click = async () => {
    onBusy(true);
    try {
      onAnswer(await signInWithPasskey(interaction));
    } catch (err) {
      onError(err);
    } finally {
      onBusy(false);
    }
  };
  return (
    <button
      type="button"
      class="button button-secondary"
      disabled={disabled}
      onClick={() => void click()}
      data-testid="authorize-passkey-signin"
    >
      Sign in with a passkey
    </button>
  );
}
