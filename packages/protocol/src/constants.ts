/** The `Authorization` scheme of a plain bearer card (RFC 6750). */
export const BEARER_SCHEME = 'Bearer';

/** The `Authorization` scheme of a sender-constrained card (RFC 9449 §7.1). */
export const DPOP_SCHEME = 'DPoP';

/** The two schemes a keycard card travels in. */
export type AuthorizationScheme = typeof BEARER_SCHEME | typeof DPOP_SCHEME;

/** The realm a `WWW-Authenticate` challenge names unless a guard or server is configured otherwise. */
export const DEFAULT_REALM = 'keycard';

/** The audience of the auth server's own API (`/api/*`): a card for it opens no other door. */
export const API_AUDIENCE = 'keycard';

/** The `typ` header of every access token (RFC 9068). */
export const ACCESS_TOKEN_TYP = 'at+jwt';

/** Well-known paths, relative to the issuer. */
export const WELL_KNOWN = {
  /** OpenID Connect discovery (same document as `oauthAuthorizationServer`). */
  openidConfiguration: '/.well-known/openid-configuration',
  /** RFC 8414 authorization server metadata. */
  oauthAuthorizationServer: '/.well-known/oauth-authorization-server',
  /** The published public keys (RFC 7517 JWK Set). */
  jwks: '/.well-known/jwks.json',
} as const;

/** Paths of the revocation feed, relative to the issuer. */
export const REVOCATION_PATHS = {
  /** Long-poll JSON pages: `GET /revocations?after=<cursor>`. */
  poll: '/revocations',
  /** Server-Sent Events: `GET /revocations/stream`. */
  stream: '/revocations/stream',
} as const;

/** Event names on the revocation stream (the SSE `event:` field). */
export const REVOCATION_EVENT_NAMES = {
  /** One {@link RevocationEvent} as `data`. */
  revocation: 'revocation',
  /** The reader's position is not in the history: `{ cursor }`, continue from there. */
  reset: 'reset',
  /** The backlog has been sent: `{ cursor }`. */
  synced: 'synced',
} as const;

/** Header names keycard reads or writes (lower-case, as node exposes them). */
export const HEADERS = {
  authorization: 'authorization',
  dpop: 'dpop',
  dpopNonce: 'dpop-nonce',
  wwwAuthenticate: 'www-authenticate',
  retryAfter: 'retry-after',
  lastEventId: 'last-event-id',
} as const;

/** The RFC 8693 token-exchange grant type. */
export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';

/** The RFC 8693 token type of an access token. */
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
