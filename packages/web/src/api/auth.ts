/** Sign-in, refresh and sign-out calls. The refresh token never leaves the HttpOnly cookie. */
import type { CodeLoginInput } from '@keycard/protocol';
import type { ProofFactory } from '../dpop/fetch.js';
import { apiRequest, csrfCookie } from './http.js';
import type { TokenResponse } from './types.js';

/** A card to authenticate a call with: the token, its scheme and (for DPoP) the proof maker. */
export interface CallCredentials {
  token: string;
  tokenType: 'Bearer' | 'DPoP';
  proof: ProofFactory | undefined;
}

/**
 * POST /api/login/code: the code of the web app's sign-in, with its PKCE verifier and a proof of
 * the key the code is bound to. The server sets `__Host-keycard_rt` (HttpOnly) and
 * `__Host-keycard_csrf`, and binds the session (and its refresh cookie) to the proof key.
 */
export function loginWithCode(input: CodeLoginInput, proof: ProofFactory): Promise<TokenResponse> {
  return apiRequest<TokenResponse>('/api/login/code', { method: 'POST', body: input, proof });
}

/**
 * POST /api/refresh with the cookie, the CSRF header and a proof of the session's key: a card for
 * `audience` (one audience per card). Rotates the refresh cookie, so callers hold the tab lock.
 */
export function refresh(audience: string, proof: ProofFactory): Promise<TokenResponse> {
  return apiRequest<TokenResponse>('/api/refresh', {
    method: 'POST',
    body: { audience },
    csrf: csrfCookie(),
    timeoutMs: 15_000,
    proof,
  });
}

/** POST /api/logout: cookie + CSRF, and the API card so the session ends even without the cookie. */
export function logout(card: CallCredentials | undefined): Promise<void> {
  return apiRequest<void>('/api/logout', {
    method: 'POST',
    body: {},
    csrf: csrfCookie(),
    token: card?.token,
    tokenType: card?.tokenType,
    proof: card?.proof,
  });
}

/** POST /api/logout-all with the API card: every session of the user. */
export function logoutAll(card: CallCredentials): Promise<void> {
  return apiRequest<void>('/api/logout-all', {
    method: 'POST',
    csrf: csrfCookie(),
    token: card.token,
    tokenType: card.tokenType,
    proof: card.proof,
  });
}
