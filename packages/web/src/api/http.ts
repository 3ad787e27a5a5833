/**
 * The one place the app talks to its own server: same origin, `credentials: 'same-origin'`,
 * JSON in and out, errors turned into {@link AppError} with the server's code.
 */
import { fetchWithProof, type ProofFactory } from '../dpop/fetch.js';
import { readCookie } from '../lib/cookies.js';
import { retryAfterSeconds } from '../lib/countdown.js';
import { AppError } from '../lib/errors.js';

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  /** Access token for `Authorization` (scheme `tokenType`). */
  token?: string | undefined;
  /** `DPoP` for a bound card (sent with a proof), else `Bearer`. */
  tokenType?: 'Bearer' | 'DPoP' | undefined;
  /** Makes the request's DPoP proof (sign-in, refresh and every call with a bound card). */
  proof?: ProofFactory | undefined;
  /**
   * The `X-CSRF-Token` header, the one way to send it: for a call authenticated by the refresh
   * cookie, the readable double-submit cookie's value ({@link csrfCookie}); for the authorization
   * and sign-out pages, the token the server handed out for this browser's session. Not sent when
   * undefined or empty.
   */
  csrf?: string | undefined;
  /** Gives up after this many milliseconds (a hung refresh must not hold the tab lock forever). */
  timeoutMs?: number;
}

export const CSRF_COOKIE = '__Host-keycard_csrf';

/** The CSRF value the server set at sign-in (`__Host-keycard_csrf`), if this page can see it. */
export function csrfCookie(): string | undefined {
  return typeof document === 'undefined' ? undefined : readCookie(document.cookie, CSRF_COOKIE);
}

async function errorFrom(response: Response): Promise<AppError> {
  let code = `ERR_HTTP_${response.status}`;
  let message = `The server answered ${response.status} ${response.statusText}`.trim();
  try {
    const body = (await response.json()) as { error?: { code?: unknown; message?: unknown } };
    if (typeof body.error?.code === 'string') code = body.error.code;
    if (typeof body.error?.message === 'string') message = body.error.message;
  } catch {
    // not JSON: keep the status-based code
  }
  return new AppError(code, message, {
    status: response.status,
    retryAfter: retryAfterSeconds(response.headers.get('Retry-After'), Date.now()),
    wwwAuthenticate: response.headers.get('WWW-Authenticate') ?? undefined,
  });
}

/**
 * Calls the keycard API at `path` (e.g. `/api/me`) and returns the parsed JSON
 * (undefined for 204).
 *
 * @example
 * const me = await apiRequest<Me>('/api/me', { token });
 */
export async function apiRequest<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (options.token) headers['Authorization'] = `${options.tokenType ?? 'Bearer'} ${options.token}`;
  if (options.csrf) headers['X-CSRF-Token'] = options.csrf;
  let response: Response;
  try {
    response = await fetchWithProof(
      path,
      {
        method: options.method ?? 'GET',
        headers,
        credentials: 'same-origin',
        cache: 'no-store',
        body: options.body === undefined ? null : JSON.stringify(options.body),
        signal: options.timeoutMs ? AbortSignal.timeout(options.timeoutMs) : null,
      },
      options.proof,
    );
  } catch (cause) {
    throw AppError.of('ERR_NETWORK', { cause });
  }
  if (!response.ok) throw await errorFrom(response);
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  if (text === '') return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch (cause) {
    throw AppError.of('ERR_BAD_RESPONSE', { status: response.status, cause });
  }
}
