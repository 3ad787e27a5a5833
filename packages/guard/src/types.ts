import type { JWSAlgorithm, JWTClaims } from '@keycard/jwt';
import type { GuardError } from './errors.js';

/**
 * What a verified request carries. `token` is not enumerable, so logging or serialising the context
 * does not print it.
 */
export interface AuthContext {
  /** The raw access token (non-enumerable: never log it). */
  readonly token: string;
  /** Every verified claim, as signed by the issuer. */
  readonly claims: Readonly<JWTClaims>;
  readonly sub: string;
  /** The `scope` claim split on spaces. */
  readonly scopes: ReadonlySet<string>;
  /** The `roles` claim (empty for client_credentials tokens). */
  readonly roles: readonly string[];
  /** Session id (`sid`); absent for client_credentials tokens. */
  readonly sid: string | undefined;
  /** `client_id` of the OAuth client the token was issued to. */
  readonly clientId: string | undefined;
  /** The `aud` claim, always as an array. */
  readonly audience: readonly string[];
  /** `exp`, in seconds since the epoch. */
  readonly expiresAt: number;
  readonly jti: string | undefined;
}

/** The outcome of `verifyRequest`: the guard never throws for a bad request, it answers with a result. */
export type AuthResult =
  | { readonly ok: true; readonly auth: AuthContext }
  | { readonly ok: false; readonly error: GuardError };

/** Header container accepted by the guard: node's `IncomingHttpHeaders`, a plain record, or a fetch `Headers`. */
export type HeaderSource = Headers | Readonly<Record<string, string | string[] | undefined>>;

/** Input of `verifyRequest`. A node `IncomingMessage` or a fetch `Request` fits as is. */
export interface RequestLike {
  readonly headers: HeaderSource;
  /** The token cookie's value when your framework already parsed cookies (only with the `cookie` option). */
  readonly cookie?: string | undefined;
}

/** What the guard does once the revocation feed has been out of touch longer than `maxStaleness`. */
export type StalePolicy = 'serve' | 'reject';

export interface RevocationOptions {
  /** Turn the feed off (only for deployments that accept tokens living until `exp`). Default true. */
  enabled?: boolean;
  /** SSE endpoint. Default: `keycard_revocations_stream_endpoint` from discovery. */
  streamUri?: string;
  /** Long-poll endpoint. Default: `keycard_revocations_endpoint` from discovery. */
  pollUri?: string;
  /** Seconds the feed may be out of touch before `stalePolicy` applies. Default 120. */
  maxStaleness?: number;
  /**
   * Default 'reject': once the feed has been out of touch for `maxStaleness`, answer 503
   * (ERR_GUARD_FEED_STALE) rather than accept cards whose revocation the guard may not have heard.
   * 'serve' keeps accepting them (availability over revocation; only the lag is reported).
   */
  stalePolicy?: StalePolicy;
  /**
   * A card for the feed when the issuer runs with `revocations.requireAuth` (scope `revocations:read`,
   * audience `keycard`), e.g. `() => serviceClient.token()`. Called for each connection or poll.
   */
  authorization?: () => string | Promise<string>;
  /** Reconnect backoff bounds in ms. Defaults 250 and 5,000. */
  minReconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
  /** A stream with no byte (the server pings every 15 s) for this long is considered dead. Default 45,000. */
  idleTimeoutMs?: number;
  /** Long-poll `wait` in seconds (0–30). Default 25. */
  pollWaitSeconds?: number;
  /** Consecutive stream failures before switching to long-poll. Default 3. */
  streamFailuresBeforePoll?: number;
}

export interface JwksOptions {
  /** Fetch timeout in ms. Default 5,000. */
  timeoutMs?: number;
  /** Largest accepted JWKS body in bytes. Default 262,144 (256 KiB). */
  maxBytes?: number;
  /** Bounds applied to the `Cache-Control: max-age` of the JWKS, in seconds. Defaults 30 and 3,600. */
  minTtl?: number;
  maxTtl?: number;
  /** At most one refetch for unknown `kid`s per this many seconds. Default 30. */
  cooldown?: number;
}

/** Options of `createGuard`. Checked when the factory runs; a bad option throws ERR_GUARD_OPTIONS_INVALID. */
export interface GuardOptions {
  /** Issuer URL: the expected `iss`, and the base of discovery unless `jwksUri`/`keys` are given. */
  issuer?: string;
  /** Expected `iss` when it differs from `issuer` (e.g. the guard reaches the issuer by an internal name). */
  tokenIssuer?: string;
  /** Discovery document URL. Default `${issuer}/.well-known/openid-configuration`. */
  discoveryUri?: string;
  /** JWKS URL; skips discovery of the keys. */
  jwksUri?: string;
  /** Static JWK Set (e.g. read from a file); no key fetching at all. */
  keys?: { keys: unknown[] };
  /** Required. The token's `aud` must contain one of these. */
  audience: string | readonly string[];
  /** Allow-list. Default every asymmetric algorithm; HS* is refused (the guard only holds public keys). */
  algorithms?: readonly JWSAlgorithm[];
  /** Required `typ` header. Default 'at+jwt' (RFC 9068); `false` skips the check. */
  typ?: string | false;
  /** Clock leeway in seconds. Default 5, at most 300. */
  leeway?: number;
  /** Scopes every request must carry (403 insufficient_scope otherwise). Default none. */
  requiredScopes?: readonly string[];
  /** Cookie name to read the token from when there is no Authorization header. Default none. */
  cookie?: string;
  /** `realm` in `WWW-Authenticate`. Default 'keycard'. */
  realm?: string;
  /** Verified-token cache size (entries). Default 10,000; 0 turns the cache off. */
  cacheSize?: number;
  /** Timeout of discovery requests in ms. Default 5,000. */
  fetchTimeoutMs?: number;
  jwks?: JwksOptions;
  /** `false` turns the revocation feed off. */
  revocation?: RevocationOptions | false;
  /** Background failures (JWKS refresh, feed reconnects). Default: ignored. Never receives a token. */
  onError?: (error: GuardError) => void;
  /** Clock in ms (tests). Default Date.now. */
  clock?: () => number;
}

/** `guard.metrics()` */
export interface GuardMetrics {
  /** ms between the issuer revoking (event `at`) and this guard receiving the last event; null before any. */
  feedLagMs: number | null;
  /** ms since the feed was last known current (0 while connected). */
  feedStalenessMs: number;
  feedConnected: boolean;
  feedMode: 'stream' | 'poll' | 'off';
  /** ms timestamp of the last revocation event received, or null. */
  lastEventAt: number | null;
  feedEvents: number;
  feedReconnects: number;
  /** Resets the issuer answered: its history did not hold our position (restore, fail-over). */
  feedResets: number;
  /** True when the feed has been out of touch longer than `revocation.maxStaleness`. */
  feedStale: boolean;
  /** Signing keys withdrawn through the feed (cards they signed are refused). */
  revokedKeys: number;
  revokedSessions: number;
  revokedTokens: number;
  revokedSubjects: number;
  cacheHits: number;
  cacheMisses: number;
  /** hits / (hits + misses), 0 before any lookup. */
  cacheHitRate: number;
  cacheSize: number;
  jwksFetches: number;
  jwksFetchFailures: number;
  jwksKeys: number;
  verifications: number;
  rejections: number;
}
