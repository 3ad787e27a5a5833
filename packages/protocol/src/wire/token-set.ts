/** `POST /oauth/token` (RFC 6749 §5.1, RFC 8693 §2.2.1). `expires_in` is in seconds. */
export interface TokenSet {
  access_token: string;
  /** `DPoP` when the card is bound to a key (RFC 9449). */
  token_type: 'Bearer' | 'DPoP';
  expires_in: number;
  refresh_token?: string;
  scope: string;
  /** Token exchange only. */
  issued_token_type?: string;
}

/** The signed-in user as `/api/login` and `/api/refresh` describe them. */
export interface SessionUser {
  id: string;
  username: string;
  roles: string[];
}

/**
 * `POST /api/login` and `POST /api/refresh`: a {@link TokenSet} plus the card's audience, the
 * session id and the user. With `cookie: true` the refresh token stays in an HttpOnly cookie.
 */
export interface ApiTokenSet extends TokenSet {
  audience: string | string[];
  session_id: string;
  user: SessionUser;
}

/**
 * `POST /api/login/code`: the web app's authorization code (client `keycard-web`, with a DPoP
 * proof), answered with an {@link ApiTokenSet} like `/api/login` with `cookie: true`.
 */
export interface CodeLoginInput {
  code: string;
  /** The PKCE verifier of the authorization request (RFC 7636 §4.5). */
  code_verifier: string;
  /** The authorization request's `redirect_uri`, exactly. */
  redirect_uri: string;
}

/** `POST /oauth/introspect` (RFC 7662). Times in seconds. */
export type Introspection =
  | { active: false }
  | {
      active: true;
      token_type: string;
      iss?: string;
      sub?: string;
      aud?: string | string[];
      scope?: string;
      exp?: number;
      iat?: number;
      nbf?: number;
      jti?: string;
      client_id?: string;
      sid?: string;
      username?: string;
      cnf?: { jkt: string };
      act?: Record<string, unknown>;
      [member: string]: unknown;
    };
