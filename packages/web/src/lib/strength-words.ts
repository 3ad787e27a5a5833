/**
 * Authentication strength in plain words: what a card's `acr`/`amr` say about how its holder
 * signed in, and what a door's step-up challenge (RFC 9470) asks for.
 */
import { ACR, type StepUpChallenge } from '@keycard/protocol';

const ACR_WORDS: Record<string, string> = {
  [ACR.password]: 'Password',
  [ACR.mfa]: 'Two factors',
  [ACR.phishingResistant]: 'Passkey (phishing-resistant)',
};

const AMR_WORDS: Record<string, string> = {
  pwd: 'password',
  otp: 'one-time code',
  hwk: 'passkey',
  mfa: 'two factors',
};

/**
 * How a card's holder signed in, from its `acr` (a value this app does not know is shown as it is).
 *
 * @example
 * acrWords('urn:keycard:acr:mfa'); // 'Two factors'
 */
export function acrWords(acr: string | undefined): string {
  if (acr === undefined) return 'Not stated';
  return ACR_WORDS[acr] ?? acr;
}

/**
 * The methods of an `amr` list in plain words, joined (`pwd otp mfa` → "password, one-time code").
 *
 * @example
 * amrWords(['hwk', 'mfa']); // 'passkey'
 */
export function amrWords(amr: readonly string[]): string {
  return amr
    .filter((m) => m !== 'mfa')
    .map((m) => AMR_WORDS[m] ?? m)
    .join(', ');
}

/**
 * What a door's step-up challenge asks of the person, in one sentence.
 *
 * @example
 * stepUpWords({ acrValues: ['urn:keycard:acr:mfa'], maxAge: undefined });
 * // 'It wants a second factor on top of your password: a code from your authenticator app or a passkey.'
 */
export function stepUpWords(challenge: StepUpChallenge): string {
  const { acrValues: acr, maxAge } = challenge;
  const within =
    maxAge === undefined
      ? undefined
      : maxAge < 120
        ? `${maxAge} seconds`
        : `${Math.round(maxAge / 60)} minutes`;
  const recent = within === undefined ? '' : ` It also wants a sign-in from the last ${within}.`;
  if (acr.length > 0 && acr.every((v) => v === ACR.phishingResistant))
    return `It wants a passkey: a sign-in no look-alike site can replay.${recent}`;
  if (acr.some((v) => v === ACR.mfa || v === ACR.phishingResistant))
    return `It wants a second factor on top of your password: a code from your authenticator app or a passkey.${recent}`;
  if (maxAge === 0) return "It wants you to confirm it's you: sign in again.";
  if (within !== undefined) return `It wants a sign-in from the last ${within}: confirm it's you.`;
  return 'It wants you to sign in again.';
}
