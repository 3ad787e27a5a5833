import type { GuardError } from '../errors.js';

/** Status, headers and body of the answer to a failed request, ready for any framework. */
export interface ErrorResponseParts {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * How every adapter answers a GuardError: RFC 6750 `WWW-Authenticate` on 401/400 and on
 * `insufficient_scope`, `Retry-After` on 503, and the body `{ error: { code, message } }`. The
 * internal reason is never sent.
 *
 * @example
 * const { status, headers, body } = errorResponse(result.error, 'keycard');
 * res.writeHead(status, headers).end(body);
 */
export function errorResponse(error: GuardError, realm: string): ErrorResponseParts {
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  };
  if (error.status === 401 || error.bearer !== undefined) {
    let challenge = `Bearer realm="${realm}"`;
    if (error.bearer !== undefined) challenge += `, error="${error.bearer}"`;
    if (error.bearer === 'insufficient_scope' && error.scope !== undefined)
      challenge += `, scope="${error.scope}"`;
    headers['www-authenticate'] = challenge;
  }
  if (error.status === 503) headers['retry-after'] = '5';
  return { status: error.status, headers, body: JSON.stringify(error.toJSON()) };
}
