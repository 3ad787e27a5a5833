/**
 * Setting up a first second factor while signing in (`/api/mfa/*`, `MFA_API`): the pending
 * sign-in's `mfa_token` (from the password step, `enrol: true`) and the sign-in page's
 * `interaction` authenticate each call, and the confirming call answers a new `mfa_token` holding
 * the proven factor, which completes the sign-in at `/api/authorize/mfa`. (The account page enrols
 * with a card instead.)
 */
import {
  MFA_API,
  type MfaEnrolmentAuth,
  type PasskeyCreationOptions,
  type PasskeyRegistration,
  type TotpConfirmation,
  type TotpStart,
} from '@keycard/protocol';
import type {
  PublicKeyCredentialCreationOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/browser';
import { apiRequest } from './http.js';

/** Who is enrolling: the sign-in in progress on this page. */
export interface PendingEnrolment {
  interaction: string;
  mfaToken: string;
}

function auth(pending: PendingEnrolment): Required<MfaEnrolmentAuth> {
  return { interaction: pending.interaction, mfa_token: pending.mfaToken };
}

/** Starts a TOTP enrolment: a new secret (an unconfirmed earlier one is replaced), shown this once. */
export function startTotp(pending: PendingEnrolment): Promise<TotpStart> {
  return apiRequest<TotpStart>(MFA_API.totpStart, { method: 'POST', body: auth(pending) });
}

/** Confirms the TOTP secret with a code from the app: only then does it count. */
export function confirmTotp(pending: PendingEnrolment, code: string): Promise<TotpConfirmation> {
  return apiRequest<TotpConfirmation>(MFA_API.totpConfirm, {
    method: 'POST',
    body: { ...auth(pending), code },
  });
}

/** Options to create a passkey for the person signing in (`options` as `startRegistration` takes them). */
export async function passkeyCreation(
  pending: PendingEnrolment,
): Promise<{ options: PublicKeyCredentialCreationOptionsJSON; challenge: string }> {
  const answer = await apiRequest<PasskeyCreationOptions>(MFA_API.passkeyOptions, {
    method: 'POST',
    body: auth(pending),
  });
  // The wire keeps the WebAuthn options opaque; they are what @simplewebauthn/server generated.
  return {
    options: answer.options as unknown as PublicKeyCredentialCreationOptionsJSON,
    challenge: answer.challenge,
  };
}

/** Registers the passkey the browser created. */
export function registerPasskey(
  pending: PendingEnrolment,
  input: { name: string; challenge: string; response: RegistrationResponseJSON },
): Promise<PasskeyRegistration> {
  return apiRequest<PasskeyRegistration>(MFA_API.passkeys, {
    method: 'POST',
    body: { ...auth(pending), ...input },
  });
}
