import type { GuardError } from '../errors.js';

/** Status, headers and body of the answer to a failed request, ready for any framework. */
export interface ErrorResponseParts {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface ErrorResponseOptions {
  /**
   * The DPoP algorithms the guard accepts (`guard.options.dpop.algorithms`): a `DPoP algs="…"` challenge
   * is sent beside the Bearer one on every 401 (RFC 9449 §7.1). Omit when DPoP is off.
   */
  dpopAlgorithms?: readonly string[] | undefined;
}

// A value that goes inside a quoted-string as is, and is one item of a space-separated list.
const QUOTABLE = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/**
 * RFC 9470 §3 parameters after `error="insufficient_user_authentication"`: `error_description`, then
 * `acr_values` and/or `max_age`. Empty for every other error, so their challenges stay as they were.
 */
function stepUpParameters(error: GuardError): string {
  if (error.bearer !== 'insufficient_user_authentication') return '';
  const acr = (error.acrValues ?? []).filter((value) => QUOTABLE.test(value));
  const age = error.maxAge;
  const maxAge = age !== undefined && Number.isSafeInteger(age) && age >= 0 ? age : undefined;
  // The wording of RFC 9470's examples; fixed text, so nothing from the card reaches the header.
  let description = 'A different authentication level is required';
  if (maxAge !== undefined)
    description =
      acr.length > 0
        ? 'A stronger, more recent authentication is required'
        : 'More recent authentication is required';
  let out = `, error_description="${description}"`;
  if (acr.length > 0) out += `, acr_values="${acr.join(' ')}"`;
  if (maxAge !== undefined) out += `, max_age="${maxAge}"`;
  return out;
}

/**
 * How every adapter answers a GuardError: RFC 6750 `WWW-Authenticate` on 401/400 and on
 * `insufficient_scope`, the RFC 9449 `DPoP` challenge (with `invalid_dpop_proof` / `use_dpop_nonce`
 * and a `DPoP-Nonce` header when asked for), RFC 9470 `insufficient_user_authentication` with
 * `acr_values`/`max_age` in the challenge of the scheme the card came in, `Retry-After` on 503, and
 * the body `{ error: { code, message } }`. The internal reason is never sent.
 *
 * @example
 * const { status, headers, body } = errorResponse(result.error, 'keycard', { dpopAlgorithms: ['ES256'] });
 * res.writeHead(status, headers).end(body);
 */
export function errorResponse(
  error: GuardError,
  realm: string,
  options: ErrorResponseOptions = {},
): ErrorResponseParts {
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  };
  if (error.status === 401 || error.bearer !== undefined) {
    const attribute = error.bearer === undefined ? '' : `, error="${error.bearer}"${stepUpParameters(error)}`;
    const dpopError = error.scheme === 'DPoP';
    let bearer = `Bearer realm="${realm}"`;
    if (!dpopError) bearer += attribute;
    if (error.bearer === 'insufficient_scope' && error.scope !== undefined)
      bearer += `, scope="${error.scope}"`;
    const algs = options.dpopAlgorithms;
    if (dpopError || algs !== undefined) {
      let dpop = `DPoP realm="${realm}"`;
      if (dpopError) dpop += attribute;
      if (algs !== undefined && algs.length > 0) dpop += `, algs="${algs.join(' ')}"`;
      // RFC 7235 §4.1: several challenges in one field value, comma-separated.
      headers['www-authenticate'] = error.status === 401 || !dpopError ? `${bearer}, ${dpop}` : dpop;
    } else headers['www-authenticate'] = bearer;
  }
  if (error.nonce !== undefined) headers['dpop-nonce'] = error.nonce;
  if (error.status === 503) headers['retry-after'] = '5';
  return { status: error.status, headers, body: JSON.stringify(error.toJSON()) };
}
