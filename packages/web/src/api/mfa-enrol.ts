/**
 * Setting up a first second factor while signing in (`/api/mfa/*`): the pending sign-in's
 * `mfa_token` (from the password step, `enrol: true`) authenticates each call, and the answer of
 * the confirming call carries a new `mfa_token` holding the proven factor, which completes the
 * sign-in at `/api/authorize/mfa`. The account page enrols the same way with a card instead.
 */
import type {
  PublicKeyCredentialCreationOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/browser';
import { apiRequest } from './http.js';

const MFA_ENROL_API = {
  totpStart: '/api/mfa/totp/start',
  totpConfirm: '/api/mfa/totp/confirm',
  passkeyOptions: '/api/mfa/passkeys/options',
  passkeys: '/api/mfa/passkeys',
} as const;

/** A new TOTP secret waiting for its first code: for the authenticator app, as text and as a QR code. */
export interface TotpEnrolment {
  /** Base32, for typing into the app by hand. */
  secret: string;
  otpauth_uri: string;
  /** The otpauth URI as an SVG QR code (markup made by our server; shown as an image, never inserted). */
  qr_svg: string;
}

/** A factor proven: the recovery codes when it is the account's first (shown once), and the new token. */
export interface EnrolmentDone {
  recovery_codes?: string[];
  mfa_token?: string;
}

/** Options for `navigator.credentials.create()` and the sealed challenge to send back. */
export interface PasskeyCreation {
  options: PublicKeyCredentialCreationOptionsJSON;
  challenge: string;
}

/** Starts a TOTP enrolment (a new secret; an unconfirmed earlier one is replaced). */
export function startTotp(mfaToken: string): Promise<TotpEnrolment> {
  return apiRequest<TotpEnrolment>(MFA_ENROL_API.totpStart, {
    method: 'POST',
    body: { mfa_token: mfaToken },
  });
}

/** Confirms the TOTP secret with a code from the app: only then does it count. */
export function confirmTotp(mfaToken: string, code: string): Promise<EnrolmentDone> {
  return apiRequest<EnrolmentDone>(MFA_ENROL_API.totpConfirm, {
    method: 'POST',
    body: { mfa_token: mfaToken, code },
  });
}

/** Options to create a passkey for the person signing in. */
export function passkeyCreation(mfaToken: string): Promise<PasskeyCreation> {
  return apiRequest<PasskeyCreation>(MFA_ENROL_API.passkeyOptions, {
    method: 'POST',
    body: { mfa_token: mfaToken },
  });
}

/** Registers the passkey the browser created. */
export function registerPasskey(
  mfaToken: string,
  input: { name: string; challenge: string; response: RegistrationResponseJSON },
): Promise<EnrolmentDone & { passkey?: unknown }> {
  return apiRequest<EnrolmentDone & { passkey?: unknown }>(MFA_ENROL_API.passkeys, {
    method: 'POST',
    body: { mfa_token: mfaToken, ...input },
  });
}
