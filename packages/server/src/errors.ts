/**
 * The one error registry of @keycard/server. Every error a caller can see has a literal
 * `code`, an HTTP status and a public message; internal detail goes to `cause` and the log.
 * `docs/errors.md` lists every code (a test checks it).
 */

/** RFC 6749 §5.2 (plus RFC 8707 `invalid_target`, RFC 9449 `invalid_dpop_proof`) error names used on `/oauth/*`. */
export type OAuthErrorName =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'invalid_target'
  | 'invalid_dpop_proof'
  | 'temporarily_unavailable'
  | 'server_error';

interface CodeInfo {
  status: number;
  message: string;
  oauth: OAuthErrorName;
}

/** Every server error code with its HTTP status, public message and OAuth error name. */
export const SERVER_ERRORS = {
  ERR_VALIDATION: { status: 400, message: 'The request is invalid', oauth: 'invalid_request' },
  ERR_INVALID_JSON: { status: 400, message: 'The request body is not valid JSON', oauth: 'invalid_request' },
  ERR_BODY_TOO_LARGE: { status: 413, message: 'The request body is too large', oauth: 'invalid_request' },
  ERR_UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    message: 'The request content type is not supported',
    oauth: 'invalid_request',
  },
  ERR_NOT_FOUND: { status: 404, message: 'Not found', oauth: 'invalid_request' },
  ERR_METHOD_NOT_ALLOWED: {
    status: 405,
    message: 'The method is not allowed on this path',
    oauth: 'invalid_request',
  },
  ERR_INVALID_CREDENTIALS: {
    status: 401,
    message: 'Invalid username or password',
    oauth: 'invalid_grant',
  },
  ERR_UNAUTHENTICATED: { status: 401, message: 'Authentication required', oauth: 'invalid_request' },
  ERR_INVALID_TOKEN: {
    status: 401,
    message: 'The access token is invalid, expired or revoked',
    oauth: 'invalid_request',
  },
  ERR_INSUFFICIENT_SCOPE: {
    status: 403,
    message: 'The access token does not carry the required scope',
    oauth: 'invalid_scope',
  },
  ERR_FORBIDDEN: { status: 403, message: 'Not allowed', oauth: 'invalid_request' },
  ERR_CSRF: { status: 403, message: 'Missing or wrong CSRF token', oauth: 'invalid_request' },
  ERR_INTERACTION_EXPIRED: {
    status: 400,
    message: 'This sign-in request has expired or is no longer valid; start again from the app',
    oauth: 'invalid_request',
  },
  ERR_LOGIN_REQUIRED: {
    status: 401,
    message: 'Sign in at the front desk first',
    oauth: 'invalid_request',
  },
  ERR_RATE_LIMITED: {
    status: 429,
    message: 'Too many requests, try again later',
    oauth: 'temporarily_unavailable',
  },
  ERR_INVALID_CLIENT: { status: 401, message: 'Client authentication failed', oauth: 'invalid_client' },
  ERR_UNAUTHORIZED_CLIENT: {
    status: 400,
    message: 'The client may not use this grant',
    oauth: 'unauthorized_client',
  },
  ERR_UNSUPPORTED_GRANT_TYPE: {
    status: 400,
    message: 'The grant type is not supported',
    oauth: 'unsupported_grant_type',
  },
  ERR_INVALID_GRANT: {
    status: 400,
    message: 'The refresh token is invalid, expired or revoked',
    oauth: 'invalid_grant',
  },
  ERR_INVALID_SCOPE: { status: 400, message: 'The requested scope is not allowed', oauth: 'invalid_scope' },
  ERR_INVALID_TARGET: {
    status: 400,
    message: 'The requested audience is unknown or not allowed for this client',
    oauth: 'invalid_target',
  },
  ERR_INVALID_DPOP_PROOF: {
    status: 400,
    message: 'The DPoP proof is missing, invalid, replayed or for another key',
    oauth: 'invalid_dpop_proof',
  },
  ERR_REGISTRATION_DISABLED: { status: 403, message: 'Registration is disabled', oauth: 'invalid_request' },
  ERR_USERNAME_TAKEN: { status: 409, message: 'The username is taken', oauth: 'invalid_request' },
  ERR_INVALID_USERNAME: {
    status: 400,
    message: 'Usernames are 1-64 letters, digits or . _ - @',
    oauth: 'invalid_request',
  },
  ERR_WEAK_PASSWORD: {
    status: 400,
    message: 'The password is too short or too long',
    oauth: 'invalid_request',
  },
  ERR_USER_NOT_FOUND: { status: 404, message: 'No such user', oauth: 'invalid_request' },
  ERR_CLIENT_NOT_FOUND: { status: 404, message: 'No such client', oauth: 'invalid_request' },
  ERR_AUDIENCE_NOT_FOUND: { status: 404, message: 'No such audience', oauth: 'invalid_request' },
  ERR_ROLE_NOT_FOUND: { status: 404, message: 'No such role', oauth: 'invalid_request' },
  ERR_SESSION_NOT_FOUND: { status: 404, message: 'No such session', oauth: 'invalid_request' },
  ERR_KEY_NOT_FOUND: { status: 404, message: 'No such key', oauth: 'invalid_request' },
  ERR_CONSENT_NOT_FOUND: { status: 404, message: 'No such consent', oauth: 'invalid_request' },
  ERR_LOGOUT_EXPIRED: {
    status: 400,
    message: 'The sign-out link is invalid or has expired',
    oauth: 'invalid_request',
  },
  ERR_MFA_REQUIRED: {
    status: 401,
    message: 'A second factor is required to sign in',
    oauth: 'invalid_grant',
  },
  ERR_MFA_INVALID: {
    status: 401,
    message: 'The second factor is wrong or was already used',
    oauth: 'invalid_grant',
  },
  ERR_MFA_NOT_ENROLLED: {
    status: 409,
    message: 'This second factor is not set up',
    oauth: 'invalid_request',
  },
  ERR_MFA_ALREADY_ENROLLED: {
    status: 409,
    message: 'This second factor is already set up',
    oauth: 'invalid_request',
  },
  ERR_PASSKEY_INVALID: { status: 401, message: 'The passkey could not be verified', oauth: 'invalid_grant' },
  ERR_PASSKEY_NOT_FOUND: { status: 404, message: 'No such passkey', oauth: 'invalid_request' },
  ERR_MFA_LAST_FACTOR: {
    status: 409,
    message: 'A role of this account requires a second factor: set up another one before removing this one',
    oauth: 'invalid_request',
  },
  ERR_STEP_UP_REQUIRED: {
    status: 401,
    message: 'A more recent or stronger sign-in is required',
    oauth: 'invalid_request',
  },
  ERR_CONFLICT: { status: 409, message: 'The record already exists', oauth: 'invalid_request' },
  ERR_FEED_FULL: {
    status: 503,
    message: 'Too many revocation feed readers',
    oauth: 'temporarily_unavailable',
  },
  ERR_NOT_READY: { status: 503, message: 'The server is not ready', oauth: 'temporarily_unavailable' },
  ERR_STORAGE_UNAVAILABLE: {
    status: 503,
    message: 'The server cannot reach its database, try again shortly',
    oauth: 'temporarily_unavailable',
  },
  ERR_MAIL_NOT_CONFIGURED: {
    status: 404,
    message: 'This server sends no mail: email sign-up and recovery are off',
    oauth: 'invalid_request',
  },
  ERR_SIGNUP_DISABLED: {
    status: 404,
    message: 'Self-service sign-up is off on this server',
    oauth: 'invalid_request',
  },
  ERR_EMAIL_TOKEN_INVALID: {
    status: 400,
    message: 'This link is invalid, was already used or has expired',
    oauth: 'invalid_request',
  },
  ERR_CONFIG_INVALID: { status: 500, message: 'The configuration is invalid', oauth: 'server_error' },
  ERR_MASTER_KEY_INVALID: {
    status: 500,
    message: 'The master key is missing or invalid',
    oauth: 'server_error',
  },
  ERR_REDIS_UNAVAILABLE: {
    status: 500,
    message: 'The configured Redis cannot be reached',
    oauth: 'server_error',
  },
  ERR_INTERNAL: { status: 500, message: 'Internal server error', oauth: 'server_error' },
} as const satisfies Record<string, CodeInfo>;

export type ServerErrorCode = keyof typeof SERVER_ERRORS;

/**
 * The RFC 9470 parameters of a step-up challenge: the acr the new sign-in must reach and/or the
 * most seconds since it (`max_age`).
 */
export interface StepUpNeed {
  acrValues?: string[];
  maxAge?: number;
}

/**
 * Base class of every error the server raises on purpose.
 *
 * @example
 * ```ts
 * throw new ServerError('ERR_USER_NOT_FOUND');
 * throw new ServerError('ERR_VALIDATION', { message: 'username: expected a string' });
 * ```
 */
export class ServerError extends Error {
  readonly code: ServerErrorCode;
  readonly status: number;
  readonly oauthError: OAuthErrorName;
  /** Seconds the caller should wait before retrying (ERR_RATE_LIMITED, the 503s). */
  readonly retryAfter: number | undefined;
  /** What a stronger or more recent sign-in must achieve (ERR_STEP_UP_REQUIRED): its RFC 9470 challenge. */
  readonly stepUp: StepUpNeed | undefined;

  constructor(
    code: ServerErrorCode,
    options: { message?: string; cause?: unknown; retryAfter?: number; stepUp?: StepUpNeed } = {},
  ) {
    const info: CodeInfo = SERVER_ERRORS[code];
    super(options.message ?? info.message, { cause: options.cause });
    this.name = 'ServerError';
    this.code = code;
    this.status = info.status;
    this.oauthError = info.oauth;
    this.retryAfter = options.retryAfter;
    this.stepUp = options.stepUp;
  }
}

/** Type guard for {@link ServerError}. */
export function isServerError(value: unknown): value is ServerError {
  return value instanceof ServerError;
}
