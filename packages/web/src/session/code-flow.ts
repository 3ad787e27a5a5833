/**
 * The web app signs in like any app of the front desk: the authorization-code flow (RFC 6749
 * §4.1) with PKCE S256 (RFC 7636), the code bound to this browser's DPoP key (`dpop_jkt`, RFC 9449
 * §10), and the response's `state` and `iss` (RFC 9207) checked before the code is used. The
 * verifier and state wait in sessionStorage (this tab only, gone with it) while the browser is at
 * the sign-in pages; the code is exchanged at `/api/login/code`, which keeps the refresh token in
 * the HttpOnly cookie.
 */
import type { CodeLoginInput } from '@keycard/protocol';
import { base64UrlEncode, sha256Base64Url } from '../dpop/base64url.js';
import { AppError } from '../lib/errors.js';

/** The built-in first-party client of the web app (seeded by the server, redirect URI `{issuer}/`). */
export const WEB_CLIENT_ID = 'keycard-web';
/** Where the sign-in this tab started waits for its answer. */
export const PENDING_KEY = 'keycard.sign-in';

/**
 * What to do once a sign-in this tab started has signed in: open a door again (the one that asked
 * for a stronger sign-in) or the page a change needing a recent sign-in was made on, and end the
 * session it replaces (a step-up signs in anew: the old session's refresh cookie is overwritten,
 * so nothing else would ever end it).
 */
export interface SignInResume {
  /** The id of the `ui.doors` entry to open again, once. */
  door?: string;
  /** The app's route to open again (`/account`) and what the person was doing there, in words. */
  page?: ResumePage;
  /** The session id (`sid`) of the session this sign-in replaces. */
  supersedes?: string;
}

/** A page to come back to after "Confirm it's you"; the change itself is never replayed. */
export interface ResumePage {
  route: string;
  action: string;
}

/** A page to come back to: an app route (`/…`, never `//host`) and a short sentence. */
function pageOf(value: unknown): ResumePage | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const { route, action } = value as Record<string, unknown>;
  if (typeof route !== 'string' || !route.startsWith('/') || route.startsWith('//')) return undefined;
  if (typeof action !== 'string' || action.length > 300) return undefined;
  return { route, action };
}

/** A sign-in this tab started: what its answer must match, and the PKCE verifier it proves. */
export interface PendingSignIn {
  state: string;
  verifier: string;
  issuer: string;
  redirectUri: string;
  resume?: SignInResume;
}

/** What a step-up asks of the sign-in (RFC 9470 §4: `acr_values` and `max_age` of the challenge). */
export interface SignInStrength {
  /** Authentication context classes, in the door's order of preference. */
  acrValues?: readonly string[] | undefined;
  /** Seconds: the sign-in must be at most this old (0: sign in again now). */
  maxAge?: number | undefined;
}

// acr values are URIs or short names: a challenge carrying anything else is not passed on.
const ACR_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]{1,200}$/;
const MAX_ACR_VALUES = 8;

/** The authorization response on the page's URL (`{issuer}/?code=…&state=…&iss=…` or `?error=…`). */
export interface SignInResponse {
  code: string | null;
  error: string | null;
  errorDescription: string | null;
  state: string | null;
  iss: string | null;
}

/** The web app's redirect URI: the issuer's root, where the server serves the app. */
export function redirectUriOf(issuer: string): string {
  return `${issuer.replace(/\/+$/, '')}/`;
}

function randomValue(): string {
  return base64UrlEncode(crypto.getRandomValues(new Uint8Array(32)));
}

/**
 * Starts a sign-in: remembers a fresh state and PKCE verifier in `storage` and returns the
 * `/oauth/authorize` URL to send the browser to. No `scope`: the session gets what the client may
 * have and the person's roles grant. A step-up adds `acr_values` and `max_age` (the front desk then
 * asks only for what the session lacks) and what to do once signed in (`resume`). Throws
 * ERR_SIGNIN_UNAVAILABLE when `storage` refuses.
 *
 * @example
 * location.assign(await beginSignIn({ issuer, jkt: await proofs.jkt(), storage: sessionStorage }));
 * // a door asked for two factors:
 * location.assign(await beginSignIn({ issuer, jkt, storage, acrValues: ['urn:keycard:acr:mfa'] }));
 */
export async function beginSignIn(
  input: {
    issuer: string;
    jkt: string;
    storage: Storage | undefined;
    resume?: SignInResume | undefined;
  } & SignInStrength,
): Promise<string> {
  const pending: PendingSignIn = {
    state: randomValue(),
    verifier: randomValue(),
    issuer: input.issuer,
    redirectUri: redirectUriOf(input.issuer),
    ...(input.resume === undefined ? {} : { resume: input.resume }),
  };
  try {
    if (input.storage === undefined) throw new Error('no sessionStorage');
    input.storage.setItem(PENDING_KEY, JSON.stringify(pending));
  } catch (cause) {
    throw AppError.of('ERR_SIGNIN_UNAVAILABLE', { cause });
  }
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: WEB_CLIENT_ID,
    redirect_uri: pending.redirectUri,
    state: pending.state,
    code_challenge: await sha256Base64Url(pending.verifier),
    code_challenge_method: 'S256',
    dpop_jkt: input.jkt,
  });
  const acr = (input.acrValues ?? []).filter((v) => ACR_TOKEN.test(v)).slice(0, MAX_ACR_VALUES);
  if (acr.length > 0) params.set('acr_values', acr.join(' '));
  if (input.maxAge !== undefined && Number.isSafeInteger(input.maxAge) && input.maxAge >= 0)
    params.set('max_age', String(input.maxAge));
  return `${input.issuer.replace(/\/+$/, '')}/oauth/authorize?${params}`;
}

/**
 * The authorization response in `search` (the page URL's query), or undefined when there is none.
 *
 * @example
 * const response = signInResponseFrom(location.search);
 */
export function signInResponseFrom(search: string): SignInResponse | undefined {
  const params = new URLSearchParams(search);
  const code = params.get('code');
  const error = params.get('error');
  if (code === null && error === null) return undefined;
  return {
    code,
    error,
    errorDescription: params.get('error_description'),
    state: params.get('state'),
    iss: params.get('iss'),
  };
}

function resumeOf(value: unknown): SignInResume | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const { door, page, supersedes } = value as Record<string, unknown>;
  const resume: SignInResume = {};
  if (typeof door === 'string' && door !== '') resume.door = door;
  const back = pageOf(page);
  if (back !== undefined) resume.page = back;
  if (typeof supersedes === 'string' && supersedes !== '') resume.supersedes = supersedes;
  return Object.keys(resume).length === 0 ? undefined : resume;
}

/** The sign-in this tab started, removed as it is read (an answer is used once). */
export function takePendingSignIn(storage: Storage | undefined): PendingSignIn | undefined {
  try {
    const text = storage?.getItem(PENDING_KEY) ?? null;
    storage?.removeItem(PENDING_KEY);
    if (text === null) return undefined;
    const value = JSON.parse(text) as Partial<PendingSignIn>;
    const fields = [value.state, value.verifier, value.issuer, value.redirectUri];
    if (!fields.every((f) => typeof f === 'string' && f !== '')) return undefined;
    const { resume: raw, ...pending } = value as PendingSignIn;
    const resume = resumeOf(raw);
    return resume === undefined ? pending : { ...pending, resume };
  } catch {
    return undefined;
  }
}

/**
 * Checks an authorization response against the sign-in this tab started and the issuer it talks
 * to, in that order (an answer nobody here asked for is never read further, not even its error
 * text), and returns what `/api/login/code` takes. Throws AppError ERR_SIGNIN_STATE,
 * ERR_SIGNIN_ISSUER or ERR_SIGNIN_REFUSED.
 *
 * @example
 * const input = checkSignInResponse(response, takePendingSignIn(sessionStorage), issuer);
 */
export function checkSignInResponse(
  response: SignInResponse,
  pending: PendingSignIn | undefined,
  issuer: string,
): CodeLoginInput {
  if (pending === undefined || response.state === null || response.state !== pending.state)
    throw AppError.of('ERR_SIGNIN_STATE');
  // RFC 9207: the front desk always names itself; an answer without `iss`, or from another, is refused.
  if (response.iss !== issuer || pending.issuer !== issuer) throw AppError.of('ERR_SIGNIN_ISSUER');
  if (response.error !== null || response.code === null) {
    const error = response.error ?? 'invalid_request';
    const detail = response.errorDescription ? `: ${response.errorDescription}` : '';
    throw new AppError('ERR_SIGNIN_REFUSED', `The front desk did not sign you in (${error}${detail}).`);
  }
  return { code: response.code, code_verifier: pending.verifier, redirect_uri: pending.redirectUri };
}
