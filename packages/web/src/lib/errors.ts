/**
 * The web app's one error class. Server errors keep the server's `code` and public message
 * (`{ error: { code, message } }`); the codes below are the app's own.
 */
export type WebErrorCode =
  | 'ERR_NETWORK' // the request never got an HTTP answer
  | 'ERR_BAD_RESPONSE' // an answer that is not the JSON the API promises
  | 'ERR_TOKEN_MALFORMED' // the pasted text is not a JWS compact token
  | 'ERR_NOT_SIGNED_IN' // the call needs a card and there is none
  | 'ERR_SIGNIN_UNAVAILABLE' // this tab cannot keep a sign-in's state (sessionStorage refused)
  | 'ERR_SIGNIN_STATE' // a sign-in answer this tab did not ask for, or used already
  | 'ERR_SIGNIN_ISSUER' // a sign-in answer without this front desk's `iss`
  | 'ERR_SIGNIN_REFUSED' // the front desk answered the sign-in with an error
  | 'ERR_PASSKEY_CANCELLED' // the browser's passkey prompt was closed or timed out
  | 'ERR_PASSKEY_EXISTS' // this authenticator already holds a passkey of the account
  | 'ERR_PASSKEY_BROWSER'; // the browser's WebAuthn call failed for another reason

const MESSAGES: Record<WebErrorCode, string> = {
  ERR_NETWORK: 'Cannot reach the server. Check your connection and try again.',
  ERR_BAD_RESPONSE: 'The server sent an answer this page cannot read.',
  ERR_TOKEN_MALFORMED: 'This is not a JWT: expected three base64url parts separated by dots.',
  ERR_NOT_SIGNED_IN: 'You are not signed in.',
  ERR_SIGNIN_UNAVAILABLE:
    'This browser does not let the page remember a sign-in while you are at the front desk (session storage is off).',
  ERR_SIGNIN_STATE:
    'This sign-in answer does not belong to a sign-in started in this tab, or was used already. Please sign in again.',
  ERR_SIGNIN_ISSUER: 'This sign-in answer did not come from this front desk. Please sign in again.',
  ERR_SIGNIN_REFUSED: 'The front desk did not sign you in.',
  ERR_PASSKEY_CANCELLED: 'The passkey prompt was closed before it finished. Nothing was changed.',
  ERR_PASSKEY_EXISTS: 'This device already holds a passkey for your account.',
  ERR_PASSKEY_BROWSER: 'The passkey could not be created in this browser. Try again, or use another way.',
};

/**
 * An error from the API or from the app itself.
 *
 * @example
 * if (err instanceof AppError && err.code === 'ERR_RATE_LIMITED') wait(err.retryAfter);
 */
export class AppError extends Error {
  /** A server code (`ERR_…`) or one of {@link WebErrorCode}. */
  readonly code: string;
  /** HTTP status; 0 when there was no HTTP answer. */
  readonly status: number;
  /** Seconds from `Retry-After`, on 429 answers. */
  readonly retryAfter: number | undefined;
  /** The answer's `WWW-Authenticate` (a 401's challenge, e.g. a step-up's `max_age`), if any. */
  readonly wwwAuthenticate: string | undefined;

  constructor(
    code: string,
    message: string,
    options: {
      status?: number;
      retryAfter?: number | undefined;
      wwwAuthenticate?: string | undefined;
      cause?: unknown;
    } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = options.status ?? 0;
    this.retryAfter = options.retryAfter;
    this.wwwAuthenticate = options.wwwAuthenticate;
  }

  /** An app-side error with its registered public message. */
  static of(code: WebErrorCode, options: { status?: number; cause?: unknown } = {}): AppError {
    return new AppError(code, MESSAGES[code], options);
  }
}

/** The public message of anything thrown, for a status line. */
export function messageOf(err: unknown): string {
  if (err instanceof AppError) return err.message;
  return 'Something went wrong.';
}
