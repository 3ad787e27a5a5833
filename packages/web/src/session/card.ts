/** A key card: the access token with the parts of it the pages show. */
import type { LoginUser, TokenResponse } from '../api/types.js';
import type { JsonObject } from '../lib/jwt.js';
import { decodeJwt, numberClaim, stringClaim } from '../lib/jwt.js';

/** The server's own API audience: the one card that may call `/api/*`. */
export const API_AUDIENCE = 'keycard';

export interface Card {
  token: string;
  header: JsonObject;
  payload: JsonObject;
  /** The one audience this card is for: {@link API_AUDIENCE} or a door's service. */
  audience: string;
  /** `DPoP` when the card is bound to this browser's key (sent with a proof), else `Bearer`. */
  tokenType: 'Bearer' | 'DPoP';
  /** `cnf.jkt`: the thumbprint of the key the card is bound to. */
  jkt: string | undefined;
  /** `exp` in seconds since the epoch (from the token, else from `expires_in`). */
  exp: number;
  iat: number | undefined;
  sessionId: string | undefined;
  user: LoginUser | undefined;
  /** The server's answer, kept to hand the card to a new tab. */
  response: TokenResponse;
}

/** `cnf.jkt` of a payload, if the card is key-bound. */
export function jktOf(payload: JsonObject): string | undefined {
  const cnf = payload['cnf'];
  if (cnf === null || typeof cnf !== 'object' || Array.isArray(cnf)) return undefined;
  const jkt = (cnf as JsonObject)['jkt'];
  return typeof jkt === 'string' ? jkt : undefined;
}

/**
 * Builds a card from a login or refresh answer. The token is only decoded for display;
 * its validity is the server's and the doors' business. `audience` is the one asked for
 * (the answer's `audience` wins when it names one).
 */
export function cardFrom(response: TokenResponse, nowMs: number, audience: string = API_AUDIENCE): Card {
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
    // One audience per card: a multi-audience answer keeps the one asked for.
    audience: typeof response.audience === 'string' ? response.audience : audience,
    tokenType: /^dpop$/i.test(response.token_type) ? 'DPoP' : 'Bearer',
    jkt: jktOf(payload),
    exp,
    iat: numberClaim(payload, 'iat'),
    sessionId: response.session_id ?? stringClaim(payload, 'sid'),
    user: response.user,
    response,
  };
}
