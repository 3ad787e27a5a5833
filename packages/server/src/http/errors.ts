import { type ApiErrorBody, type OAuthErrorBody, parseAuthorization, STEP_UP_ERROR } from '@keycard/protocol';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isServerError, ServerError, type StepUpNeed } from '../errors.js';
import { isRefusedText, isStorageUnavailable } from '../storage/unavailable.js';

/** What a 503 for unavailable storage tells the caller to wait, in seconds. */
export const STORAGE_RETRY_AFTER_SECONDS = 5;

/** `/oauth/*` answers RFC 6749 error objects; everything else `{ error: { code, message } }`. */
export function isOAuthPath(url: string): boolean {
  return url.startsWith('/oauth/');
}

/**
 * Maps anything thrown in a request to a ServerError: Fastify's own client errors (bad JSON,
 * body too large, wrong content type, schema validation) keep a 4xx with a code; storage that
 * is unreachable, timed out or locked becomes 503 ERR_STORAGE_UNAVAILABLE with Retry-After
 * (`temporarily_unavailable` on OAuth endpoints); text the database refuses (a NUL) is
 * ERR_VALIDATION; anything else unexpected becomes
 * ERR_INTERNAL with no detail.
 */
export function toServerError(error: unknown): ServerError {
  if (isServerError(error)) return error;
  if (isStorageUnavailable(error)) {
    return new ServerError('ERR_STORAGE_UNAVAILABLE', {
      cause: error,
      retryAfter: STORAGE_RETRY_AFTER_SECONDS,
    });
  }
  // Text PostgreSQL cannot hold (a NUL in a typed username or a query parameter): the caller's fault.
  if (isRefusedText(error)) return new ServerError('ERR_VALIDATION', { cause: error });
  const fe = error as Partial<FastifyError> & { validation?: unknown };
  if (fe.validation !== undefined) return new ServerError('ERR_VALIDATION', { cause: error });
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ServerError('ERR_BODY_TOO_LARGE', { cause: error });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ServerError('ERR_UNSUPPORTED_MEDIA_TYPE', { cause: error });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ServerError('ERR_INVALID_JSON', { cause: error });
    default:
      break;
  }
  const status = typeof fe.statusCode === 'number' ? fe.statusCode : 500;
  if (error instanceof SyntaxError && status === 400)
    return new ServerError('ERR_INVALID_JSON', { cause: error });
  if (status === 413) return new ServerError('ERR_BODY_TOO_LARGE', { cause: error });
  if (status === 415) return new ServerError('ERR_UNSUPPORTED_MEDIA_TYPE', { cause: error });
  if (status === 404) return new ServerError('ERR_NOT_FOUND', { cause: error });
  if (status >= 400 && status < 500) {
    // Prototype poisoning, bad content-length and the like: the client's fault, with a code.
    return fe.code?.startsWith('FST_ERR_CTP') || error instanceof SyntaxError
      ? new ServerError('ERR_INVALID_JSON', { cause: error })
      : new ServerError('ERR_VALIDATION', { cause: error });
  }
  return new ServerError('ERR_INTERNAL', { cause: error });
}

/** Sends an error in the shape the path calls for. */
export function sendError(request: FastifyRequest, reply: FastifyReply, error: ServerError): FastifyReply {
  if (error.retryAfter !== undefined) reply.header('retry-after', String(error.retryAfter));
  if (isOAuthPath(request.url)) {
    const status =
      error.oauthError === 'invalid_client'
        ? 401
        : [405, 413, 415, 429].includes(error.status) || error.status >= 500
          ? error.status
          : 400;
    if (status === 401) reply.header('www-authenticate', 'Basic realm="keycard"');
    reply.header('cache-control', 'no-store');
    return reply.code(status).send({
      error: error.oauthError,
      error_description: error.message,
      code: error.code,
    } satisfies OAuthErrorBody);
  }
  // RFC 9449 §7.1: a request that used the DPoP scheme is answered with a DPoP challenge.
  const scheme = parseAuthorization(request.headers.authorization).scheme === 'DPoP' ? 'DPoP' : 'Bearer';
  if (error.code === 'ERR_INVALID_TOKEN')
    reply.header(
      'www-authenticate',
      `${scheme} error="${scheme === 'DPoP' && dpopFailure(error) ? 'invalid_dpop_proof' : 'invalid_token'}"`,
    );
  else if (error.code === 'ERR_UNAUTHENTICATED') reply.header('www-authenticate', 'Bearer');
  else if (error.code === 'ERR_INSUFFICIENT_SCOPE')
    reply.header('www-authenticate', `${scheme} error="insufficient_scope"`);
  else if (error.code === 'ERR_STEP_UP_REQUIRED')
    reply.header('www-authenticate', `${scheme} ${stepUpChallenge(error.stepUp ?? {})}`);
  return reply
    .code(error.status)
    .send({ error: { code: error.code, message: error.message } } satisfies ApiErrorBody);
}

// A value that goes inside a quoted-string as is, and is one item of a space-separated list.
const QUOTABLE = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/**
 * The RFC 9470 §3 parameters of a step-up challenge, after the scheme: `error`,
 * `error_description` (fixed text, so nothing of the card reaches the header), then `acr_values`
 * and/or `max_age`, as the guard words them.
 *
 * @example
 * ```ts
 * stepUpChallenge({ maxAge: 600 });
 * // 'error="insufficient_user_authentication", error_description="More recent authentication is required", max_age="600"'
 * ```
 */
export function stepUpChallenge(need: StepUpNeed): string {
  const acr = (need.acrValues ?? []).filter((value) => QUOTABLE.test(value));
  const maxAge =
    need.maxAge !== undefined && Number.isSafeInteger(need.maxAge) && need.maxAge >= 0
      ? need.maxAge
      : undefined;
  let description = 'A different authentication level is required';
  if (maxAge !== undefined)
    description =
      acr.length > 0
        ? 'A stronger, more recent authentication is required'
        : 'More recent authentication is required';
  let out = `error="${STEP_UP_ERROR}", error_description="${description}"`;
  if (acr.length > 0) out += `, acr_values="${acr.join(' ')}"`;
  if (maxAge !== undefined) out += `, max_age="${maxAge}"`;
  return out;
}

/** Whether a refused card failed on its DPoP proof (the proof error is in the cause chain). */
export function dpopFailure(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if ((e as { code?: unknown }).code === 'ERR_INVALID_DPOP_PROOF') return true;
  }
  return false;
}

/** The app-wide error handler. */
export function handleError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const serverError = toServerError(error);
  if (serverError.code === 'ERR_STORAGE_UNAVAILABLE') request.log.warn({ err: error }, 'storage unavailable');
  else if (serverError.status >= 500) request.log.error({ err: error }, 'request failed');
  else request.log.info({ code: serverError.code }, 'request rejected');
  return sendError(request, reply, serverError);
}
