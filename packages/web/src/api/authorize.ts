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
  type AuthorizeLoginInput,
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

// ---- second factors (issue 13) — local shapes until @keycard/protocol's wire/authorize.ts has them ----

/** A second factor the person has (or can use) at the sign-in pages. */
export type MfaMethod = 'totp' | 'recovery_code' | 'passkey';

/**
 * The password was right and a second factor is needed: `token` is the pending sign-in (sealed by
 * the server, 5 minutes, never a session), `methods` what the person has, `enrol` true when they
 * have none yet and must set one up now.
 */
export interface AuthorizeMfa {
  token: string;
  methods: MfaMethod[];
  enrol: boolean;
}

/** Answer of the password step: back to the app, the next step, or a second factor first. */
export type AuthorizeLoginAnswer = AuthorizeAnswer | { mfa: AuthorizeMfa };

/** A passkey's answer to a challenge the server sealed (`challenge`). */
export interface PasskeyProof {
  challenge: string;
  response: AuthenticationResponseJSON;
}

/** `POST /api/authorize/mfa`: one factor, with the pending sign-in's token or (step-up) the session's CSRF. */
export interface AuthorizeMfaInput {
  interaction: string;
  mfa_token?: string;
  totp?: string;
  recovery_code?: string;
  passkey?: PasskeyProof;
}

/** Options for `navigator.credentials.get()` and the sealed challenge to send back with the answer. */
export interface PasskeyRequest {
  options: PublicKeyCredentialRequestOptionsJSON;
  challenge: string;
}

const MFA_API = {
  mfa: '/api/authorize/mfa',
  passkeyOptions: '/api/authorize/passkey/options',
  passkey: '/api/authorize/passkey',
} as const;

/** Completes the sign-in with a second factor: back to the app, or the next step. */
export function authorizeMfa(input: AuthorizeMfaInput, csrf: string | undefined): Promise<AuthorizeAnswer> {
  return apiRequest<AuthorizeAnswer>(MFA_API.mfa, { method: 'POST', body: input, csrf });
}

/**
 * A passkey challenge for this request: for a passkey sign-in (no token: any passkey of this site),
 * or for a passkey as second factor (`mfa_token`: the person's own passkeys).
 */
export function authorizePasskeyOptions(interaction: string, mfaToken?: string): Promise<PasskeyRequest> {
  return apiRequest<PasskeyRequest>(MFA_API.passkeyOptions, {
    method: 'POST',
    body: mfaToken === undefined ? { interaction } : { interaction, mfa_token: mfaToken },
  });
}

/** Signs in with a passkey alone (it is both factors: the device, and its PIN or biometric). */
export function authorizePasskey(interaction: string, proof: PasskeyProof): Promise<AuthorizeAnswer> {
  return apiRequest<AuthorizeAnswer>(MFA_API.passkey, { method: 'POST', body: { interaction, ...proof } });
}
