/**
 * Second factors on the wire (issue 13): setting up TOTP and passkeys (`/api/mfa/*`), the account
 * page's factors (`/api/account/mfa`, `/api/account/passkeys/:id`) and the admin's view of a
 * user's (`/api/admin/users/:id/mfa`). snake_case; times in epoch seconds; every answer is sent
 * with `cache-control: no-store`.
 */

/**
 * Paths of the factor API, relative to the issuer. The `/api/mfa/*` calls are POST and JSON only.
 *
 * @example
 * ```ts
 * await fetch(`${issuer}${MFA_API.totpStart}`, { method: 'POST', headers, body: '{}' });
 * ```
 */
export const MFA_API = {
  totpStart: '/api/mfa/totp/start',
  totpConfirm: '/api/mfa/totp/confirm',
  passkeyOptions: '/api/mfa/passkeys/options',
  passkeys: '/api/mfa/passkeys',
  account: '/api/account/mfa',
  accountTotp: '/api/account/mfa/totp',
  accountRecoveryCodes: '/api/account/mfa/recovery-codes',
  /** Followed by `/<passkey id>` (PATCH to rename, DELETE to remove). */
  accountPasskeys: '/api/account/passkeys',
} as const;

/**
 * How an enrolment call is authenticated: a card for the keycard API in `Authorization` (the
 * account page; its sign-in must be recent), or — during a sign-in that must set up a factor —
 * the `mfa_token` the sign-in answered, with the sign-in page's `interaction` (left out for a
 * token from `/api/login`). Never both.
 */
export interface MfaEnrolmentAuth {
  mfa_token?: string;
  interaction?: string;
}

/** `POST /api/mfa/totp/start`: the new secret, shown this once. */
export interface TotpStart {
  /** base32, for typing into the app by hand. */
  secret: string;
  /** `otpauth://totp/…` with the issuer name (`mfa.rpName`) and the username. */
  otpauth_uri: string;
  /** The URI as a QR code, an SVG document (paths only). */
  qr_svg: string;
}

/** `POST /api/mfa/totp/confirm` body: a code from the app. */
export interface TotpConfirmInput extends MfaEnrolmentAuth {
  code: string;
}

/** `POST /api/mfa/totp/confirm` answer. */
export interface TotpConfirmation {
  /** Ten one-time codes, when this was the account's first factor: shown this once. */
  recovery_codes?: string[];
  /** With an `mfa_token`: the sign-in's new token, the factor proven; finish the sign-in with it. */
  mfa_token?: string;
}

/**
 * `POST /api/mfa/passkeys/options` answer: `options` is a WebAuthn
 * `PublicKeyCredentialCreationOptionsJSON` (what `@simplewebauthn/browser`'s `startRegistration`
 * takes); `challenge` is sealed, good for 5 minutes and one registration: post it back.
 */
export interface PasskeyCreationOptions {
  options: Record<string, unknown>;
  challenge: string;
}

/** `POST /api/mfa/passkeys` body. */
export interface PasskeyRegisterInput extends MfaEnrolmentAuth {
  /** 1–64 characters once trimmed; "Passkey" when left out. */
  name?: string;
  challenge: string;
  /** The `RegistrationResponseJSON` of the authenticator (`PublicKeyCredential.toJSON()`). */
  response: unknown;
}

/** A registered passkey, without its key. */
export interface MfaPasskey {
  id: string;
  name: string;
  created_at: number;
  last_used_at: number | null;
  /** Synced by its provider to the person's other devices. */
  backed_up: boolean;
  device_type: 'singleDevice' | 'multiDevice';
}

/** `POST /api/mfa/passkeys` answer (201). */
export interface PasskeyRegistration {
  passkey: MfaPasskey;
  /** Ten one-time codes, when this was the account's first factor: shown this once. */
  recovery_codes?: string[];
  /** With an `mfa_token`: the sign-in's new token, the factor proven. */
  mfa_token?: string;
}

/** `GET /api/account/mfa` and `GET /api/admin/users/:id/mfa`. */
export interface AccountMfa {
  /** `enabled` once a TOTP app is confirmed (an enrolment still pending is not). */
  totp: { enabled: boolean; confirmed_at: number | null };
  /** Oldest first. */
  passkeys: MfaPasskey[];
  recovery_codes: { remaining: number };
  /** A role of the account requires a second factor: the last one cannot be removed. */
  required: boolean;
}

/** `PATCH /api/account/passkeys/:id` body. */
export interface PasskeyRenameInput {
  name: string;
}

/** `POST /api/account/mfa/recovery-codes` answer: ten new codes, the old ones void. */
export interface RecoveryCodes {
  recovery_codes: string[];
}
