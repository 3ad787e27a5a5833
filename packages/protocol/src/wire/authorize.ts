/**
 * The sign-in and consent pages of the authorization-code flow and the JSON API they call
 * (`POST /api/authorize/*`). `/oauth/authorize` sends the browser to `{issuer}/#/authorize?i=…`,
 * where `i` is the pending request sealed by the server (opaque to the page). Times in seconds.
 */

/**
 * Paths of the pages' JSON API, relative to the issuer (POST, JSON only, same origin only): the
 * sign-in pages' (password, second factor, passkey sign-in), the consent page's, and the sign-out
 * confirmation page's (`logoutDetails`, `logout`).
 */
export const AUTHORIZE_API = {
  details: '/api/authorize/details',
  login: '/api/authorize/login',
  consent: '/api/authorize/consent',
  continue: '/api/authorize/continue',
  mfa: '/api/authorize/mfa',
  passkeyOptions: '/api/authorize/passkey/options',
  passkey: '/api/authorize/passkey',
  logoutDetails: '/api/authorize/logout/details',
  logout: '/api/authorize/logout',
} as const;

/** The web app's route of the authorization page, and the name of its query parameter. */
export const AUTHORIZE_ROUTE = { path: '/authorize', interaction: 'i' } as const;

/**
 * What the page shows next: the sign-in form, a second factor (signed in, but not strongly enough
 * for this request: `details.mfa` says with what), the consent question, or (already signed in,
 * nothing to ask) "Continue as …".
 */
export type AuthorizeStep = 'login' | 'mfa' | 'consent' | 'continue';

/** A second factor the person can prove: a TOTP code, a recovery code, a passkey. */
export type SecondFactorMethod = 'totp' | 'recovery_code' | 'passkey';

/** How the person can meet a request that needs a second factor. */
export interface AuthorizeMfaOptions {
  /**
   * The factors the person has that meet the request, in the order to offer them: `passkey` alone
   * when `acr` is phishing-resistant; `recovery_code` while any are left.
   */
  methods: SecondFactorMethod[];
  /**
   * True when the person has no second factor and must set one up now (`/api/mfa/*` with the
   * `mfa_token`; a passkey when `acr` is phishing-resistant): the enrolment proves it.
   */
  enrol: boolean;
  /** The acr the request needs (one of `ACR_VALUES`). */
  acr: string;
}

/** The login answer when a second factor is due: no one is signed in yet. */
export interface AuthorizeMfaChallenge extends AuthorizeMfaOptions {
  /** The sealed pending sign-in (`mfa_token`): send it back with the factor. Opaque. */
  token: string;
  /** When it stops working (seconds): start again with the password after. */
  expiresAt: number;
}

/** `POST /api/authorize/details` `{ interaction }`, and the `details` of the other calls' answers. */
export interface AuthorizeDetails {
  /** The app asking. A first-party client is never asked consent for. */
  client: { id: string; name: string; firstParty: boolean };
  /**
   * The scopes the app would get: before sign-in, those it asked for that it is registered for;
   * after, narrowed to what the person's roles grant (identity scopes stay).
   */
  scopes: string[];
  /** The doors (audiences) its cards would open, with their display names. */
  audiences: { id: string; name: string }[];
  /** Who is signed in at the front desk in this browser, if anyone. */
  user: { id: string; username: string } | null;
  step: AuthorizeStep;
  /** With step `mfa`: the factors that can step the signed-in session up (X-CSRF-Token, no `mfa_token`). */
  mfa?: AuthorizeMfaOptions;
  /** The request's `login_hint`: a username to prefill. */
  loginHint?: string;
  /** With a browser session: its CSRF token, sent back as `X-CSRF-Token` on consent and continue. */
  csrf?: string;
  /** When the link stops working (seconds). */
  expiresAt: number;
}

/** `POST /api/authorize/login` `{ interaction, username, password }`. */
export interface AuthorizeLoginInput {
  interaction: string;
  username: string;
  password: string;
}

/** `POST /api/authorize/consent` `{ interaction, allow }` with `X-CSRF-Token`. */
export interface AuthorizeConsentInput {
  interaction: string;
  allow: boolean;
}

/**
 * Answer of consent, continue, mfa and passkey: go back to the app (`redirect`, for
 * `window.location.assign`: the client's registered redirect URI with `code` or `error`, `state` and
 * `iss`), or show the next step.
 */
export type AuthorizeAnswer = { redirect: string } | { details: AuthorizeDetails };

/** Answer of login: as {@link AuthorizeAnswer}, or a second factor is due (nothing signed in yet). */
export type AuthorizeLoginAnswer = AuthorizeAnswer | { mfa: AuthorizeMfaChallenge };

/**
 * `POST /api/authorize/mfa`: exactly one of `totp`, `recovery_code`, `passkey` — or none, with an
 * `mfa_token` whose person proved a factor by setting it up during this sign-in. With `mfa_token`
 * it completes the login's pending sign-in; without, it steps up the browser's signed-in session
 * (send `X-CSRF-Token`).
 */
export interface AuthorizeMfaInput {
  interaction: string;
  mfa_token?: string;
  /** Six digits. */
  totp?: string;
  /** `xxxxx-xxxxx`, any case, spaces and dashes ignored. */
  recovery_code?: string;
  /** The sealed challenge of `/api/authorize/passkey/options` and the authenticator's answer. */
  passkey?: { challenge: string; response: unknown };
}

/**
 * `POST /api/authorize/passkey/options`: with `mfa_token` (or, without, with `X-CSRF-Token` of the
 * signed-in session) options for that person's passkeys as a second factor; with neither, options
 * for a passkey sign-in (discoverable credentials, user verification required).
 */
export interface AuthorizePasskeyOptionsInput {
  interaction: string;
  mfa_token?: string;
}

/** The options for `navigator.credentials.get()` (JSON form) and the sealed challenge to send back. */
export interface AuthorizePasskeyOptions {
  /** `PublicKeyCredentialRequestOptionsJSON` (e.g. `startAuthentication({ optionsJSON: options })`). */
  options: Record<string, unknown>;
  /** Opaque, single use, five minutes. */
  challenge: string;
}

/** `POST /api/authorize/passkey`: sign in with a passkey alone. */
export interface AuthorizePasskeyInput {
  interaction: string;
  challenge: string;
  /** The authenticator's answer (`AuthenticationResponseJSON`). */
  response: unknown;
}
