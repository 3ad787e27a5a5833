/**
 * The claims of a keycard access token (RFC 9068 `at+jwt`). Times are epoch seconds (JWT
 * `NumericDate`). User cards carry `sid`, `roles`, `username`, `acr`, `amr` and `auth_time`;
 * service cards (`client_credentials`) carry none of them.
 */
export interface AccessTokenClaims {
  iss: string;
  /** The user id, or the client id of a service card. */
  sub: string;
  /** One audience, unless the client is registered for several. */
  aud: string | string[];
  exp: number;
  iat: number;
  nbf?: number;
  jti: string;
  client_id: string;
  /** Space-separated scopes (may be empty). */
  scope: string;
  /** The session (refresh-token family) of a user card. */
  sid?: string;
  roles?: string[];
  username?: string;
  /** RFC 8693 actor of an exchanged card. */
  act?: { sub: string; [claim: string]: unknown };
  /** RFC 9449 key binding: the card needs a DPoP proof of this key. */
  cnf?: { jkt: string };
  /**
   * How strongly the user authenticated (RFC 9470 §6.1): one of `ACR_VALUES`, derived from `amr`.
   * User cards only; an exchanged card keeps its subject card's.
   */
  acr?: string;
  /** How the user authenticated (RFC 8176: `pwd`, `otp`, `hwk`, `mfa`). User cards only. */
  amr?: string[];
  /** When the user last authenticated actively, in seconds (RFC 9470 §6.1). User cards only. */
  auth_time?: number;
  /** User-defined claims. */
  [claim: string]: unknown;
}
