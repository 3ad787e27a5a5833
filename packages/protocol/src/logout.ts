/**
 * Logout across apps: OpenID Connect RP-Initiated Logout 1.0 (the end-session endpoint and the
 * web app's confirmation page) and Back-Channel Logout 1.0 (the logout token a client receives).
 */

/** The end-session endpoint (RP-Initiated Logout §2), relative to the issuer: `GET` or `POST`. */
export const END_SESSION_PATH = '/oauth/logout';

/**
 * The web app's sign-out routes: the confirmation page (the sealed request in its `l` parameter,
 * `#/logout?l=…`) and the page a sign-out that does not go back to an app ends on.
 */
export const LOGOUT_ROUTE = { path: '/logout', request: 'l', signedOut: '/signed-out' } as const;

/** The `typ` header of a logout token (Back-Channel Logout §2.4): never `JWT` nor `at+jwt`. */
export const LOGOUT_TOKEN_TYP = 'logout+jwt';

/** The one member of a logout token's `events` claim (Back-Channel Logout §2.4). */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/**
 * The claims of a keycard logout token, POSTed form-encoded as `logout_token` to a client's
 * `backchannel_logout_uri`. Times in seconds. Never a `nonce` (so it cannot pass for an ID token).
 */
export interface LogoutTokenClaims {
  iss: string;
  /** The client being told. */
  aud: string;
  iat: number;
  exp: number;
  jti: string;
  /** The user. */
  sub: string;
  /** The browser session that ended: the `sid` of the ID tokens issued through it. */
  sid: string;
  events: { [BACKCHANNEL_LOGOUT_EVENT]: Record<string, never> };
}

/** `POST /api/authorize/logout/details` `{ logout }`: what the confirmation page shows. */
export interface LogoutDetails {
  /** The client that asked for the sign-out, when it said which. */
  client: { id: string; name: string } | null;
  /** Who is signed in at the front desk in this browser, if anyone. */
  user: { id: string; username: string } | null;
  /** The `X-CSRF-Token` to send with `POST /api/authorize/logout` (when someone is signed in). */
  csrf?: string;
  /** Whether the browser goes back to the client afterwards (a registered `post_logout_redirect_uri`). */
  returnsToClient: boolean;
  /** When the sign-out link stops working (epoch seconds). */
  expiresAt: number;
}

/** `POST /api/authorize/logout` `{ logout, confirm }`: where the browser goes next. */
export interface LogoutResult {
  redirect: string;
}
