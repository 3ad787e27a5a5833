import type { Guard } from '../core/create-guard.js';
import type { GuardError } from '../errors.js';
import type { ErrorResponseParts } from './error-response.js';
import { errorResponse } from './error-response.js';

/**
 * Receives one line per refused request (e.g. `console.warn`), off by default. The line names the
 * method, the path (never the query), the status, the code and the internal reason; never a token.
 */
export type RefusalLogger = (line: string, error: GuardError) => void;

const UNPRINTABLE = /[^\x21-\x7e]/g;

function pathOf(url: string | undefined): string {
  if (url === undefined || url === '') return '-';
  let path = url;
  const scheme = path.indexOf('://');
  if (scheme !== -1) {
    const slash = path.indexOf('/', scheme + 3);
    path = slash === -1 ? '/' : path.slice(slash);
  }
  const q = path.search(/[?#]/);
  if (q !== -1) path = path.slice(0, q);
  // A path is client input: no control characters or spaces reach the log, and it stays one short line.
  return path.replace(UNPRINTABLE, '?').slice(0, 200);
}

/**
 * The one log line for a refused request.
 * @example
 * refusalLine(error, 'GET', '/rooms/12?x=1') // 'keycard: refused GET /rooms/12: 401 ERR_GUARD_TOKEN_INVALID (ERR_JWT_EXPIRED)'
 */
export function refusalLine(error: GuardError, method: string | undefined, url: string | undefined): string {
  const verb = (method ?? '-').replace(UNPRINTABLE, '?').slice(0, 20);
  const reason =
    error.reason === undefined ? '' : ` (${error.reason.replace(/[^\x20-\x7e]/g, '?').slice(0, 200)})`;
  return `keycard: refused ${verb} ${pathOf(url)}: ${error.status} ${error.code}${reason}`;
}

/** The answer parts for a guard's refusal (its realm, and its DPoP algorithms for the challenge). */
export function refusal(guard: Guard | undefined, error: GuardError): ErrorResponseParts {
  if (guard === undefined) return errorResponse(error, 'keycard');
  return errorResponse(error, guard.options.realm, { dpopAlgorithms: guard.options.dpop?.algorithms });
}
