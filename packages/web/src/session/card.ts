/** A key card: the access token with the parts of it the pages show. */
import type { LoginUser, TokenResponse } from '../api/types.js';
import type { JsonObject } from '../lib/jwt.js';
import { decodeJwt, numberClaim, stringClaim } from '../lib/jwt.js';

export interface Card {
  token: string;
  header: JsonObject;
  payload: JsonObject;
  /** `exp` in seconds since the epoch (from the token, else from `expires_in`). */
  exp: number;
  iat: number | undefined;
  sessionId: string | undefined;
  user: LoginUser | undefined;
  /** The server's answer, kept to hand the card to a new tab. */
  response: TokenResponse;
}

/**
 * Builds a card from a login or refresh answer. The token is only decoded for display;
 * its validity is the server's and the doors' business.
 */
export function cardFrom(response: TokenResponse, nowMs: number): Card {
  let header: JsonObject = {};
  let payload: JsonObject = {};
  try {
    ({ header, payload } = decodeJwt(response.access_token));
  } catch {
    // an opaque token still works as a card; it just shows less
  }
  const exp = numberClaim(payload, 'exp') ?? Math.floor(nowMs / 1000) + (response.expires_in ?? 0);
  return {
    token: response.access_token,
    header,
    payload,
    exp,
    iat: numberClaim(payload, 'iat'),
    sessionId: response.session_id ?? stringClaim(payload, 'sid'),
    user: response.user,
    response,
  };
}
