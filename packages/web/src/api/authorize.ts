/**
 * The authorization pages' calls (`POST /api/authorize/*`): each carries the sealed request from
 * the page's link (`#/authorize?i=…`); consent and continue also the browser session's CSRF token
 * from the last details. No card, no DPoP: the front desk's browser session is an HttpOnly cookie.
 */
import {
  AUTHORIZE_API,
  type AuthorizeAnswer,
  type AuthorizeConsentInput,
  type AuthorizeDetails,
  type AuthorizeLoginAnswer,
  type AuthorizeLoginInput,
  type AuthorizeMfaInput,
  type AuthorizePasskeyInput,
  type AuthorizePasskeyOptions,
  type AuthorizePasskeyOptionsInput,
} from '@keycard/protocol';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/browser';
import { apiRequest } from './http.js';

/** What the page shows for the request. */
export function authorizeDetails(interaction: string): Promise<AuthorizeDetails> {
  return apiRequest<AuthorizeDetails>(AUTHORIZE_API.details, { method: 'POST', body: { interaction } });
}

/** Signs in at the front desk for the request: back to the app, the next step, or a second factor. */
export function authorizeLogin(input: AuthorizeLoginInput): Promise<AuthorizeLoginAnswer> {
  return apiRequest<AuthorizeLoginAnswer>(AUTHORIZE_API.login, { method: 'POST', body: input });
}

/** Allow or deny: always back to the app (with a code, or `access_denied`). */
export function authorizeConsent(
  input: AuthorizeConsentInput,
  csrf: string | undefined,
): Promise<AuthorizeAnswer> {
  return apiRequest<AuthorizeAnswer>(AUTHORIZE_API.consent, { method: 'POST', body: input, csrf });
}

/** "Continue as …": back to the app, or the consent step. */
export function authorizeContinue(interaction: string, csrf: string | undefined): Promise<AuthorizeAnswer> {
  return apiRequest<AuthorizeAnswer>(AUTHORIZE_API.continue, {
    method: 'POST',
    body: { interaction },
    csrf,
  });
}

// ---- second factors: after the password, a step-up of the signed-in session, passkey sign-in ----

/** Options for `navigator.credentials.get()` and the sealed challenge to send back with the answer. */
export interface PasskeyRequest {
  options: PublicKeyCredentialRequestOptionsJSON;
  challenge: string;
}

/**
 * Completes the sign-in with a second factor (`mfa_token` after the password; none, with `csrf`,
 * for a step-up of the signed-in session): back to the app, or the next step.
 */
export function authorizeMfa(input: AuthorizeMfaInput, csrf: string | undefined): Promise<AuthorizeAnswer> {
  return apiRequest<AuthorizeAnswer>(AUTHORIZE_API.mfa, { method: 'POST', body: input, csrf });
}

/**
 * A passkey challenge for this request: the person's own passkeys as a second factor (after the
 * password: `mfaToken`; a step-up of the signed-in session: `csrf`), or, with neither, a passkey
 * sign-in (any passkey of this site).
 */
export async function authorizePasskeyOptions(
  interaction: string,
  by: { mfaToken?: string | undefined; csrf?: string | undefined } = {},
): Promise<PasskeyRequest> {
  const body: AuthorizePasskeyOptionsInput =
    by.mfaToken === undefined ? { interaction } : { interaction, mfa_token: by.mfaToken };
  const answer = await apiRequest<AuthorizePasskeyOptions>(AUTHORIZE_API.passkeyOptions, {
    method: 'POST',
    body,
    csrf: by.mfaToken === undefined ? by.csrf : undefined,
  });
  // The wire keeps the WebAuthn options opaque; they are what @simplewebauthn/server generated.
  return {
    options: answer.options as unknown as PublicKeyCredentialRequestOptionsJSON,
    challenge: answer.challenge,
  };
}

/** Signs in with a passkey alone (it is both factors: the device, and its PIN or biometric). */
export function authorizePasskey(
  interaction: string,
  proof: { challenge: string; response: AuthenticationResponseJSON },
): Promise<AuthorizeAnswer> {
  const body: AuthorizePasskeyInput = { interaction, ...proof };
  return apiRequest<AuthorizeAnswer>(AUTHORIZE_API.passkey, { method: 'POST', body });
}
