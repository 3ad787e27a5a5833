/**
 * One error registry for @keycard/jwt. Every error is a {@link JoseError} with a literal `code`, an HTTP
 * status and a public message; internal detail goes to `cause`. Messages never contain a token, a
 * signature or key material.
 */

/**
 * Every error code @keycard/jwt throws, with its HTTP status and public message.
 *
 * @example
 * ```ts
 * JOSE_ERRORS.ERR_JWT_EXPIRED.status; // 401
 * ```
 */
export const JOSE_ERRORS = {
  ERR_JWS_INVALID: { status: 401, message: 'The token is malformed.' },
  ERR_JWT_INVALID: { status: 401, message: 'The token claims are malformed.' },
  ERR_JWS_ALG_NOT_ALLOWED: { status: 401, message: 'The token algorithm is not allowed.' },
  ERR_JWS_SIGNATURE_INVALID: { status: 401, message: 'The token signature is invalid.' },
  ERR_JWKS_NO_MATCHING_KEY: { status: 401, message: 'No key matches the token.' },
  ERR_JWT_EXPIRED: { status: 401, message: 'The token has expired.' },
  ERR_JWT_NOT_YET_VALID: { status: 401, message: 'The token is not yet valid.' },
  ERR_JWT_CLAIM_INVALID: { status: 401, message: 'A token claim is invalid.' },
  ERR_JOSE_NOT_SUPPORTED: { status: 401, message: 'The requested JOSE feature is not supported.' },
  ERR_JWK_INVALID: { status: 400, message: 'The key is invalid.' },
  ERR_JWKS_INVALID: { status: 400, message: 'The key set is invalid.' },
  ERR_JOSE_INVALID_OPTIONS: { status: 500, message: 'Invalid @keycard/jwt options.' },
  ERR_DPOP_PROOF_INVALID: { status: 401, message: 'The DPoP proof is invalid.' },
  ERR_DPOP_NONCE_REQUIRED: { status: 401, message: 'A DPoP nonce is required.' },
  ERR_DPOP_PROOF_REPLAYED: { status: 401, message: 'The DPoP proof was already used.' },
} as const satisfies Record<string, { status: number; message: string }>;

/**
 * The literal union of every error code.
 *
 * @example
 * ```ts
 * const retryable: JoseErrorCode[] = ['ERR_JWKS_NO_MATCHING_KEY'];
 * ```
 */
export type JoseErrorCode = keyof typeof JOSE_ERRORS;

/**
 * Extra, safe fields an error may carry (never secrets or tokens).
 *
 * @example
 * ```ts
 * throw new JWTExpired(undefined, { claim: 'exp' });
 * ```
 */
export interface JoseErrorInit {
  /** Claim name for claim errors (`exp`, `aud`, ...). */
  claim?: string;
  /** Key id from the token header (for ERR_JWKS_NO_MATCHING_KEY: lets a guard refetch its JWKS). */
  kid?: string;
  /** Internal detail, not meant for end users. */
  cause?: unknown;
}

/**
 * Base class of every @keycard/jwt error. Callers switch on `code`.
 *
 * @example
 * ```ts
 * try {
 *   verifier.verify(token);
 * } catch (err) {
 *   if (isJoseError(err) && err.code === 'ERR_JWT_EXPIRED') return reply(401, 'expired');
 *   throw err;
 * }
 * ```
 */
export class JoseError<C extends JoseErrorCode = JoseErrorCode> extends Error {
  readonly code: C;
  readonly status: number;
  readonly claim?: string;
  readonly kid?: string;

  constructor(code: C, message?: string, init?: JoseErrorInit) {
    super(
      message ?? JOSE_ERRORS[code].message,
      init?.cause === undefined ? undefined : { cause: init.cause },
    );
    this.code = code;
    this.status = JOSE_ERRORS[code].status;
    if (init?.claim !== undefined) this.claim = init.claim;
    if (init?.kid !== undefined) this.kid = init.kid;
  }

  override get name(): string {
    return 'JoseError';
  }
}

function define<C extends JoseErrorCode>(code: C, name: string) {
  const cls = class extends JoseError<C> {
    constructor(message?: string, init?: JoseErrorInit) {
      super(code, message, init);
    }
    override get name(): string {
      return name;
    }
  };
  Object.defineProperty(cls, 'name', { value: name });
  return cls;
}

/**
 * One subclass per code, for `instanceof` checks.
 *
 * @example
 * ```ts
 * if (err instanceof JWTExpired) console.log('expired', err.claim); // 'exp'
 * ```
 */
export const JWSInvalid = define('ERR_JWS_INVALID', 'JWSInvalid');
/** @example `if (err instanceof JWTInvalid) ...` */
export const JWTInvalid = define('ERR_JWT_INVALID', 'JWTInvalid');
/** @example `if (err instanceof JWSAlgNotAllowed) ...` */
export const JWSAlgNotAllowed = define('ERR_JWS_ALG_NOT_ALLOWED', 'JWSAlgNotAllowed');
/** @example `if (err instanceof JWSSignatureInvalid) ...` */
export const JWSSignatureInvalid = define('ERR_JWS_SIGNATURE_INVALID', 'JWSSignatureInvalid');
/** @example `if (err instanceof JWKSNoMatchingKey) refetch(err.kid)` */
export const JWKSNoMatchingKey = define('ERR_JWKS_NO_MATCHING_KEY', 'JWKSNoMatchingKey');
/** @example `if (err instanceof JWTExpired) ...` */
export const JWTExpired = define('ERR_JWT_EXPIRED', 'JWTExpired');
/** @example `if (err instanceof JWTNotYetValid) ...` */
export const JWTNotYetValid = define('ERR_JWT_NOT_YET_VALID', 'JWTNotYetValid');
/** @example `if (err instanceof JWTClaimInvalid) console.log(err.claim)` */
export const JWTClaimInvalid = define('ERR_JWT_CLAIM_INVALID', 'JWTClaimInvalid');
/** @example `if (err instanceof JoseNotSupported) ...` */
export const JoseNotSupported = define('ERR_JOSE_NOT_SUPPORTED', 'JoseNotSupported');
/** @example `if (err instanceof JWKInvalid) ...` */
export const JWKInvalid = define('ERR_JWK_INVALID', 'JWKInvalid');
/** @example `if (err instanceof JWKSInvalid) ...` */
export const JWKSInvalid = define('ERR_JWKS_INVALID', 'JWKSInvalid');
/** @example `if (err instanceof JoseInvalidOptions) ...` */
export const JoseInvalidOptions = define('ERR_JOSE_INVALID_OPTIONS', 'JoseInvalidOptions');
/** @example `if (err instanceof DpopProofInvalid) console.log(err.cause)` */
export const DpopProofInvalid = define('ERR_DPOP_PROOF_INVALID', 'DpopProofInvalid');
/** @example `if (err instanceof DpopNonceRequired) res.setHeader('DPoP-Nonce', nonces.current())` */
export const DpopNonceRequired = define('ERR_DPOP_NONCE_REQUIRED', 'DpopNonceRequired');
/** @example `if (err instanceof DpopProofReplayed) ...` */
export const DpopProofReplayed = define('ERR_DPOP_PROOF_REPLAYED', 'DpopProofReplayed');

/**
 * Type guard for {@link JoseError} (works across duplicate copies of the package by checking the code).
 *
 * @example
 * ```ts
 * if (isJoseError(err)) res.status(err.status).json({ error: { code: err.code, message: err.message } });
 * ```
 */
export function isJoseError(value: unknown): value is JoseError {
  if (value instanceof JoseError) return true;
  if (!(value instanceof Error)) return false;
  const code = (value as { code?: unknown }).code;
  return typeof code === 'string' && Object.hasOwn(JOSE_ERRORS, code);
}
