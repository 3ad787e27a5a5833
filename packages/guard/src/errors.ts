/**
 * The guard's one error registry. Every failure carries a literal `code`, an HTTP `status`, a public
 * `message` and, for 401/400/403 answers, the RFC 6750 `error` attribute for `WWW-Authenticate`.
 * The real reason (for example the @keycard/jwt code `ERR_JWT_EXPIRED`) stays in `reason`/`cause`:
 * it is safe to log but is not sent to the client. No error ever contains a token.
 */

/**
 * RFC 6750 §3.1 error attribute values, RFC 9449 §7.1/§8 ones for the DPoP challenge, and RFC 9470 §3's
 * step-up one.
 */
export type BearerErrorAttribute =
  | 'invalid_request'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'invalid_dpop_proof'
  | 'use_dpop_nonce'
  | 'insufficient_user_authentication';

interface Definition {
  status: number;
  message: string;
  bearer?: BearerErrorAttribute;
  /** The `WWW-Authenticate` challenge that carries the error attribute. Default 'Bearer'. */
  scheme?: 'Bearer' | 'DPoP';
}

const definitions = {
  ERR_GUARD_OPTIONS_INVALID: { status: 500, message: 'The guard is misconfigured.' },
  ERR_GUARD_TOKEN_MISSING: { status: 401, message: 'An access token is required.' },
  ERR_GUARD_REQUEST_INVALID: {
    status: 400,
    message: 'The Authorization header is malformed.',
    bearer: 'invalid_request',
  },
  ERR_GUARD_TOKEN_INVALID: { status: 401, message: 'The access token is invalid.', bearer: 'invalid_token' },
  ERR_GUARD_TOKEN_REVOKED: { status: 401, message: 'The access token was revoked.', bearer: 'invalid_token' },
  ERR_GUARD_INSUFFICIENT_SCOPE: {
    status: 403,
    message: 'The access token lacks a required scope.',
    bearer: 'insufficient_scope',
  },
  ERR_GUARD_FORBIDDEN_ROLE: { status: 403, message: 'The caller lacks a required role.' },
  ERR_GUARD_NOT_OWNER: { status: 403, message: 'The caller does not own this resource.' },
  ERR_GUARD_FORBIDDEN: { status: 403, message: 'The caller may not do this.' },
  ERR_GUARD_USER_REQUIRED: { status: 403, message: "This needs a user's card." },
  ERR_GUARD_CLIENT_REQUIRED: { status: 403, message: 'This needs the card of a permitted client.' },
  ERR_GUARD_DELEGATION_REQUIRED: {
    status: 403,
    message: 'This needs a card exchanged by a permitted service.',
  },
  ERR_GUARD_DELEGATION_REFUSED: { status: 403, message: 'A delegated card is not accepted here.' },
  ERR_GUARD_STEP_UP_REQUIRED: {
    status: 401,
    message: 'A stronger or more recent sign-in is required.',
    bearer: 'insufficient_user_authentication',
  },
  ERR_GUARD_DPOP_REQUIRED: {
    status: 401,
    message: 'A DPoP-bound access token is required.',
    bearer: 'invalid_token',
    scheme: 'DPoP',
  },
  ERR_GUARD_TOKEN_BOUND: {
    status: 401,
    message: 'This access token is bound to a key: send it with the DPoP scheme and a proof.',
    bearer: 'invalid_token',
    scheme: 'DPoP',
  },
  ERR_GUARD_TOKEN_NOT_BOUND: {
    status: 401,
    message: 'The DPoP scheme needs a DPoP-bound access token.',
    bearer: 'invalid_token',
    scheme: 'DPoP',
  },
  ERR_GUARD_DPOP_PROOF_INVALID: {
    status: 401,
    message: 'The DPoP proof is missing or invalid.',
    bearer: 'invalid_dpop_proof',
    scheme: 'DPoP',
  },
  ERR_GUARD_DPOP_PROOF_REPLAYED: {
    status: 401,
    message: 'The DPoP proof was already used.',
    bearer: 'invalid_dpop_proof',
    scheme: 'DPoP',
  },
  ERR_GUARD_DPOP_NONCE_REQUIRED: {
    status: 401,
    message: 'A fresh DPoP nonce is required.',
    bearer: 'use_dpop_nonce',
    scheme: 'DPoP',
  },
  ERR_GUARD_NO_KEYS: { status: 503, message: 'Token verification is temporarily unavailable.' },
  ERR_GUARD_FEED_STALE: { status: 503, message: 'Token verification is temporarily unavailable.' },
  ERR_GUARD_DISCOVERY_FAILED: { status: 503, message: 'The issuer metadata could not be loaded.' },
  ERR_GUARD_JWKS_FETCH_FAILED: { status: 503, message: 'The issuer keys could not be loaded.' },
  ERR_GUARD_FEED_FAILED: { status: 503, message: 'The revocation feed is unavailable.' },
  ERR_GUARD_CLOSED: { status: 503, message: 'The guard is closed.' },
  ERR_GUARD_CLIENT_TOKEN_FAILED: { status: 502, message: 'A service token could not be obtained.' },
  ERR_GUARD_EXCHANGE_REFUSED: { status: 403, message: 'The issuer refused the token exchange.' },
  ERR_GATEWAY_BAD_REQUEST: { status: 400, message: 'The request is malformed.' },
  ERR_GATEWAY_PATH_INVALID: {
    status: 400,
    message: 'The request path has dot-segments or encoded separators.',
  },
  ERR_GATEWAY_BODY_TOO_LARGE: { status: 413, message: 'The request body is too large.' },
  ERR_GATEWAY_HEADERS_TOO_LARGE: { status: 431, message: 'The request headers are too large.' },
  ERR_GATEWAY_UPSTREAM: { status: 502, message: 'The upstream service failed.' },
  ERR_GATEWAY_UPSTREAM_TIMEOUT: { status: 504, message: 'The upstream service did not answer in time.' },
} as const satisfies Record<string, Definition>;

export type GuardErrorCode = keyof typeof definitions;

/** Every code with its status and public message (the README table is tested against this). */
export const guardErrorCodes: Readonly<Record<GuardErrorCode, Readonly<Definition>>> = definitions;

export interface GuardErrorDetails {
  /** Safe machine-readable reason, e.g. the @keycard/jwt code. Never a token. */
  reason?: string;
  /** The option at fault (ERR_GUARD_OPTIONS_INVALID). */
  option?: string;
  /** Scopes the request needed (ERR_GUARD_INSUFFICIENT_SCOPE), sent in `WWW-Authenticate`. */
  scope?: string;
  cause?: unknown;
  /** Replaces the public message (used for option errors, which are for the operator). */
  message?: string;
  /** A fresh server nonce, sent as `DPoP-Nonce` (ERR_GUARD_DPOP_NONCE_REQUIRED). */
  nonce?: string;
  /**
   * The challenge's scheme when it depends on the request, not the code: a step-up answers in the
   * scheme the card was presented with (`auth.tokenType`).
   */
  scheme?: 'Bearer' | 'DPoP';
  /** RFC 9470 `acr_values` (ERR_GUARD_STEP_UP_REQUIRED): the acr the route needs. */
  acrValues?: readonly string[];
  /** RFC 9470 `max_age` in seconds (ERR_GUARD_STEP_UP_REQUIRED): how recent the sign-in must be. */
  maxAge?: number;
}

/**
 * The guard's error. Switch on `code`; `status` is the HTTP status to answer with.
 * @example
 * const result = await guard.verifyRequest(req);
 * if (!result.ok && result.error.code === 'ERR_GUARD_TOKEN_REVOKED') log.info('revoked token used');
 */
export class GuardError extends Error {
  readonly code: GuardErrorCode;
  readonly status: number;
  readonly bearer: BearerErrorAttribute | undefined;
  readonly reason: string | undefined;
  readonly option: string | undefined;
  readonly scope: string | undefined;
  /** The `WWW-Authenticate` scheme whose challenge carries the error attribute. */
  readonly scheme: 'Bearer' | 'DPoP';
  /** Server nonce to send as `DPoP-Nonce`. */
  readonly nonce: string | undefined;
  /** RFC 9470 `acr_values` of a step-up challenge. */
  readonly acrValues: readonly string[] | undefined;
  /** RFC 9470 `max_age` (seconds) of a step-up challenge. */
  readonly maxAge: number | undefined;

  constructor(code: GuardErrorCode, details: GuardErrorDetails = {}) {
    const def: Definition = definitions[code];
    super(details.message ?? def.message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'GuardError';
    this.code = code;
    this.status = def.status;
    this.bearer = def.bearer;
    this.reason = details.reason;
    this.option = details.option;
    this.scope = details.scope;
    this.scheme = details.scheme ?? def.scheme ?? 'Bearer';
    this.nonce = details.nonce;
    this.acrValues = details.acrValues === undefined ? undefined : Object.freeze([...details.acrValues]);
    this.maxAge = details.maxAge;
  }

  /** The public body every adapter sends: `{ error: { code, message } }`. */
  toJSON(): { error: { code: GuardErrorCode; message: string } } {
    return { error: { code: this.code, message: definitions[this.code].message } };
  }
}

/**
 * Type guard for GuardError, like @keycard/jwt's `isJoseError`: true for an instance, and for an Error
 * from another copy of this package (ESM and CommonJS side by side) whose `code` is a registered guard
 * code and whose `status` is that code's status.
 * @example
 * if (isGuardError(err)) res.status(err.status).json(err.toJSON());
 */
export function isGuardError(value: unknown): value is GuardError {
  if (value instanceof GuardError) return true;
  if (!(value instanceof Error)) return false;
  const { code, status } = value as { code?: unknown; status?: unknown };
  return (
    typeof code === 'string' &&
    Object.hasOwn(definitions, code) &&
    status === definitions[code as GuardErrorCode].status
  );
}

/** Shorthand for option validation failures: the message names the option, never a secret value. */
export function optionError(option: string, problem: string): GuardError {
  return new GuardError('ERR_GUARD_OPTIONS_INVALID', {
    option,
    message: `guard option "${option}" ${problem}`,
  });
}
