import type { AsymmetricAlgorithm, JWSAlgorithm, JWTClaims } from '@keycard/jwt';
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
  /**
   * Who the card speaks for: `'user'` when it carries a session id (`sid` is a string: a sign-in card),
   * `'client'` otherwise (client_credentials). User policies (`requireOwner`, `requireRoles`) accept
   * only `'user'` cards unless told otherwise.
   */
  readonly subjectType: 'user' | 'client';
  /**
   * RFC 8693 `act`: the client acting on the subject's behalf (token exchange). `chain` lists every
   * actor, the current one first, then the earlier ones as they nest (`act.act.sub`, ...).
   */
  readonly actor: { readonly sub: string; readonly chain: readonly string[] } | undefined;
  /** RFC 9449 `cnf.jkt`: the card is bound to this key (SHA-256 JWK thumbprint, base64url). */
  readonly confirmation: { readonly jkt: string } | undefined;
  /** `'DPoP'` for a key-bound card (accepted only with a valid proof of that key), else `'Bearer'`. */
  readonly tokenType: 'Bearer' | 'DPoP';
  /**
   * RFC 9470 `acr`: how strongly the user authenticated (keycard's are the `ACR_VALUES`); undefined when
   * the card has none, or one that is not a string. Client cards have none.
   */
  readonly acr: string | undefined;
  /** RFC 8176 `amr` (its string items); empty when the card has none, or one that is not an array. */
  readonly amr: readonly string[];
  /**
   * `auth_time`: when the user last authenticated actively, in seconds since the epoch; undefined when
   * the card has none, or one that is not a non-negative number.
   */
  readonly authTime: number | undefined;
}

/** The outcome of `verifyRequest`: the guard never throws for a bad request, it answers with a result. */
export type AuthResult =
  | { readonly ok: true; readonly auth: AuthContext }
  | { readonly ok: false; readonly error: GuardError };

/** Header container accepted by the guard: node's `IncomingHttpHeaders`, a plain record, or a fetch `Headers`. */
export type HeaderSource = Headers | Readonly<Record<string, string | string[] | undefined>>;

/**
 * Input of `verifyRequest`. A node `IncomingMessage`, a Fastify request or a fetch `Request` fits as is
 * (an Express request too, unless it is mounted under a path: then pass `url: req.originalUrl`).
 */
export interface RequestLike {
  readonly headers: HeaderSource;
  /** The token cookie's value when your framework already parsed cookies (only with the `cookie` option). */
  readonly cookie?: string | undefined;
  /** HTTP method (DPoP `htm`). Needed only for DPoP-bound cards. */
  readonly method?: string | undefined;
  /**
   * The request target: a full URL, or the path and query as received (DPoP `htu`; the origin then comes
   * from `publicUrl`, `trustProxy` or the Host header). Needed only for DPoP-bound cards.
   */
  readonly url?: string | undefined;
  /** The connection (node): a TLS socket (`encrypted: true`) makes the default origin `https:`. */
  readonly socket?: object | null | undefined;
}

/** DPoP (RFC 9449) at the door. */
export interface DpopOptions {
  /** Proof algorithms accepted (also sent as `algs` in the `DPoP` challenge). Default every asymmetric one. */
  algorithms?: readonly AsymmetricAlgorithm[];
  /** Oldest accepted proof `iat`, in seconds. Default 300 (RFC 9449 leaves it to the server). */
  maxAgeSeconds?: number;
  /** How far a proof `iat` may lie in the future, in seconds. Default the guard's `leewaySeconds` (5). */
  leewaySeconds?: number;
  /** Proof `jti`s remembered against replay (per guard, in memory). Default 100,000. */
  replayCacheSize?: number;
  /**
   * Server nonces (RFC 9449 §8): proofs must carry a nonce this guard issued in the current or the
   * previous window, else 401 `use_dpop_nonce` with a fresh `DPoP-Nonce`. `true` uses a random secret
   * per guard; guards behind one load balancer share `secret` (≥ 32 characters). Default off.
   */
  nonce?: boolean | { secret?: string; windowSeconds?: number };
}

/** What the guard does once the revocation feed has been out of touch longer than `maxStalenessSeconds`. */
export type StalePolicy = 'serve' | 'reject';

/**
 * Which verified cards the guard caches: `'repeat'` only a card verified a second time within the
 * last `cacheSize`-or-so new cards; `'always'` every card.
 */
export type CacheAdmission = 'repeat' | 'always';

/** The revocation feed. It is on by default; `revocation: false` is the one way to turn it off. */
export interface RevocationOptions {
  /** SSE endpoint. Default: `keycard_revocations_stream_endpoint` from discovery. */
  streamUri?: string;
  /** Long-poll endpoint. Default: `keycard_revocations_endpoint` from discovery. */
  pollUri?: string;
  /** Seconds the feed may be out of touch before `stalePolicy` applies. Default 120. */
  maxStalenessSeconds?: number;
  /**
   * Default 'reject': once the feed has been out of touch for `maxStalenessSeconds`, answer 503
   * (ERR_GUARD_FEED_STALE) rather than accept cards whose revocation the guard may not have heard.
   * 'serve' keeps accepting them (availability over revocation; only the lag is reported).
   */
  stalePolicy?: StalePolicy;
  /**
   * A card for the feed when the issuer runs with `revocations.requireAuth` (scope `revocations:read`,
   * audience `keycard`), e.g. `() => serviceClient.token()`. Called for each connection or poll.
   */
  authorization?: () => string | Promise<string>;
  /** Reconnect backoff bounds, in ms. Defaults 250 and 5,000. */
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
  minTtlSeconds?: number;
  maxTtlSeconds?: number;
  /** At most one refetch for unknown `kid`s per this many seconds. Default 30. */
  cooldownSeconds?: number;
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
  leewaySeconds?: number;
  /** Scopes every request must carry (403 insufficient_scope otherwise). Default none. */
  requiredScopes?: readonly string[];
  /** Cookie name to read the token from when there is no Authorization header. Default none. */
  cookie?: string;
  /** `realm` in `WWW-Authenticate`. Default 'keycard'. */
  realm?: string;
  /** Verified-token cache size (entries). Default 10,000; 0 turns the cache off. */
  cacheSize?: number;
  /**
   * Which verified cards get a cache entry: 'repeat' (default) a card seen a second time recently,
   * so one-off cards cost no entry; 'always' every card.
   */
  cacheAdmission?: CacheAdmission;
  /** Timeout of discovery requests in ms. Default 5,000. */
  fetchTimeoutMs?: number;
  jwks?: JwksOptions;
  /** Revocation feed options; `false` turns the feed off (the only way to). Default on. */
  revocation?: RevocationOptions | false;
  /**
   * The public origin (and path prefix) clients call this service by, e.g. 'https://rooms.example.com':
   * DPoP proofs are checked against it (`htu`). Recommended in production. Default: the request's own
   * URL (Host header; `https:` on a TLS socket), or the `X-Forwarded-*` fields with `trustProxy`.
   */
  publicUrl?: string;
  /**
   * Behind a proxy of yours that sets `X-Forwarded-Proto` / `X-Forwarded-Host`: take the DPoP `htu`
   * origin from them (first value). Default false. Ignored when `publicUrl` is set.
   */
  trustProxy?: boolean;
  /** DPoP options; `false` refuses the DPoP scheme (bound cards are then always refused). Default on. */
  dpop?: DpopOptions | false;
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
  /** When the last revocation event was received (ms since the epoch), or null. */
  lastEventAtMs: number | null;
  feedEvents: number;
  feedReconnects: number;
  /** Resets the issuer answered: its history did not hold our position (restore, fail-over). */
  feedResets: number;
  /** True when the feed has been out of touch longer than `revocation.maxStalenessSeconds`. */
  feedStale: boolean;
  /** Signing keys withdrawn through the feed (cards they signed are refused). */
  revokedKeys: number;
  revokedSessions: number;
  revokedTokens: number;
  revokedSubjects: number;
  /** Roles whose older cards are revoked (`role` events). */
  revokedRoles: number;
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
