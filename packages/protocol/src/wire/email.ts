/**
 * Account recovery and verification by email: the JSON API the sign-in and account pages call, and
 * the links the server mails (`{issuer}/#/reset?token=…`, `{issuer}/#/verify-email?token=…`). Every
 * call answers 404 `ERR_MAIL_NOT_CONFIGURED` on a server that sends no mail.
 */

/**
 * Paths of the email API, relative to the issuer (JSON bodies only).
 *
 * @example
 * ```ts
 * await fetch(`${issuer}${EMAIL_API.forgotPassword}`, {
 *   method: 'POST',
 *   headers: { 'content-type': 'application/json' },
 *   body: JSON.stringify({ login: 'alice' } satisfies ForgotPasswordInput),
 * }); // always 202 {}
 * ```
 */
export const EMAIL_API = {
  /** `POST` {@link ForgotPasswordInput} → 202 `{}`, whoever the login names (or none). */
  forgotPassword: '/api/password/forgot',
  /** `POST` {@link ResetPasswordInput} → 204; 400 `ERR_EMAIL_TOKEN_INVALID`. */
  resetPassword: '/api/password/reset',
  /** `POST` {@link SignupInput} → 202 `{}`; 404 `ERR_SIGNUP_DISABLED` unless sign-up is on. */
  signup: '/api/signup',
  /** `POST` {@link VerifyEmailInput} → 204; 400 `ERR_EMAIL_TOKEN_INVALID`. */
  verifyEmail: '/api/email/verify',
  /** `PUT` {@link ChangeEmailInput} with a card of the `keycard` audience → 202 `{}`. */
  accountEmail: '/api/account/email',
} as const;

/**
 * The web app's routes the mailed links open (hash routes), and the query parameter holding the
 * token: `{issuer}/#/reset?token=…` and `{issuer}/#/verify-email?token=…`.
 */
export const EMAIL_LINK_ROUTES = { reset: '/reset', verifyEmail: '/verify-email', token: 'token' } as const;

/** `POST /api/password/forgot`: a username or an email address (at most 320 characters). */
export interface ForgotPasswordInput {
  login: string;
}

/** `POST /api/password/reset`: the token of the mailed link and the new password. */
export interface ResetPasswordInput {
  token: string;
  password: string;
}

/** `POST /api/signup` (only with `accounts.signup`). */
export interface SignupInput {
  username: string;
  email: string;
  password: string;
}

/** `POST /api/email/verify`: the token of the mailed link. */
export interface VerifyEmailInput {
  token: string;
}

/** `PUT /api/account/email`: the new address; it replaces the current one once verified. */
export interface ChangeEmailInput {
  email: string;
}

/**
 * `accounts` of `GET /api/ui-config`: which email flows this server offers, so the pages show
 * "Forgot password?", "Create an account" and the address form only when they work.
 */
export interface AccountFeatures {
  /** `POST /api/password/forgot` and `/api/password/reset` work (mail is configured). */
  passwordReset: boolean;
  /** `POST /api/signup` works (`accounts.signup` and mail). */
  signup: boolean;
  /** `PUT /api/account/email` and `POST /api/email/verify` work (mail is configured). */
  emailVerification: boolean;
}
