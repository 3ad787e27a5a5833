/**
 * Storage contract of the keycard server: one narrow interface per record kind.
 *
 * Every adapter (memory, SQLite, PostgreSQL) implements all of it and passes the shared
 * conformance suite in `conformance.ts`. Nothing above this layer knows which database runs.
 * Times are integer milliseconds since the epoch. Secrets are never stored: only their
 * SHA-256 hashes (hex), and private keys only encrypted.
 */

import type { AuditStore, RevocationStore } from './event-types.js';
import type { EmailTokenStore, PasskeyStore, RecoveryCodeStore, TotpStore } from './factor-types.js';
import type { AuthorizationCodeStore, BrowserSessionStore, ConsentStore } from './flow-types.js';
import type { KeyStore } from './key-types.js';
import type { ListCursor, PageOptions, PruneOptions } from './paging.js';

export type * from './event-types.js';
export type * from './factor-types.js';
export type * from './flow-types.js';
export type * from './key-types.js';
export type { ListCursor, PageOptions, PruneOptions } from './paging.js';

export interface UserRecord {
  id: string; // opaque, random; becomes the token's `sub`
  username: string; // unique, NFC-normalised, compared case-insensitively (stored lower-cased in usernameKey)
  usernameKey: string;
  passwordHash: string; // argon2id PHC string
  roles: string[];
  disabled: boolean;
  /** User-defined claims copied into access tokens (e.g. { room: "101" }). */
  claims: Record<string, unknown>;
  /** The address as given; null when the user has none. */
  email: string | null;
  /** `email` NFC-normalised and lower-cased: unique when set, the key of `getByEmail`. */
  emailKey: string | null;
  /** When the user proved they read mail at `email`; null while unverified. */
  emailVerifiedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface UserStore {
  /** StorageConflictError when the id, the usernameKey or a set emailKey exists. */
  create(user: UserRecord): Promise<void>;
  getById(id: string): Promise<UserRecord | undefined>;
  getByUsername(usernameKey: string): Promise<UserRecord | undefined>;
  getByEmail(emailKey: string): Promise<UserRecord | undefined>;
  /**
   * Oldest first (createdAt, then id), keyset-paged: `after` is the last row of the previous page
   * as `{ createdAt, key: id }`.
   */
  list(opts?: PageOptions): Promise<UserRecord[]>;
  /** StorageConflictError when `emailKey` is another user's. */
  update(id: string, patch: UserPatch): Promise<UserRecord | undefined>;
  delete(id: string): Promise<boolean>;
}

/** The fields `users.update` changes; an undefined field is left as it is. */
export type UserPatch = Partial<
  Pick<
    UserRecord,
    'passwordHash' | 'roles' | 'disabled' | 'claims' | 'email' | 'emailKey' | 'emailVerifiedAt' | 'updatedAt'
  >
>;

export interface ClientRecord {
  id: string; // client_id
  name: string;
  type: 'public' | 'confidential';
  secretHash: string | null; // SHA-256 hex of the client secret (confidential clients only)
  firstParty: boolean; // only first-party clients may use the password grant
  grants: ClientGrant[];
  audiences: string[]; // audiences this client may ask tokens for
  scopes: string[]; // scopes this client may ask for
  /** May one card name several audiences (never `keycard` with another)? Unsafe; default false. */
  multiAudience: boolean;
  /** Refuse token requests without a DPoP proof (RFC 9449); default false. */
  requireDpop: boolean;
  /** RFC 8693 rules: cards of audience `from` may be exchanged for `to` with at most `scopes`. */
  tokenExchange: TokenExchangeRule[];
  /** Redirect URIs of the authorization-code flow, matched exactly (a loopback one on any port: clients/redirect-uri.ts); default none. */
  redirectUris: string[];
  /** Where RP-initiated logout may send the browser back to; default none. */
  postLogoutRedirectUris: string[];
  /** OpenID Connect Back-Channel Logout endpoint; default null. */
  backchannelLogoutUri: string | null;
  /**
   * Public keys (a JWKS) the client signs its `private_key_jwt` assertions with (RFC 7523); a
   * confidential client has a secret or these keys. Default null.
   */
  jwks?: { keys: Record<string, unknown>[] } | null;
  createdAt: number;
}

/** The RFC 8693 token-exchange grant type. */
export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';

/** Grant types a client can be registered for. */
export type ClientGrant =
  | 'password'
  | 'refresh_token'
  | 'client_credentials'
  | 'authorization_code'
  | typeof TOKEN_EXCHANGE_GRANT;

/** One explicit token-exchange permission of a client. */
export interface TokenExchangeRule {
  from: string; // audience of the subject card (one the acting client serves)
  to: string; // audience of the card it gets
  scopes: string[]; // the most it may carry there
}

export interface ClientStore {
  create(client: ClientRecord): Promise<void>; // StorageConflictError on duplicate id
  get(id: string): Promise<ClientRecord | undefined>;
  /** Oldest first (createdAt, then id); keyset-paged like `users.list`. */
  list(opts?: PageOptions): Promise<ClientRecord[]>;
  /** Replaces the record with the same id (the secret hash included); false when there is none. */
  update(client: ClientRecord): Promise<boolean>;
  delete(id: string): Promise<boolean>;
}

export interface AudienceRecord {
  id: string; // the `aud` value, e.g. "rooms" or "https://api.example.com"
  name: string;
  scopes: string[]; // scopes this resource server understands
  /** RFC 8707 resource indicator (absolute URI) naming this audience; unique when set. */
  uri: string | null;
  createdAt: number;
}

export interface AudienceStore {
  /** Inserts or replaces by id; StorageConflictError when another audience has the same `uri`. */
  upsert(audience: AudienceRecord): Promise<void>;
  get(id: string): Promise<AudienceRecord | undefined>;
  getByUri(uri: string): Promise<AudienceRecord | undefined>;
  /** Oldest first (createdAt, then id); keyset-paged like `users.list`. */
  list(opts?: PageOptions): Promise<AudienceRecord[]>;
  delete(id: string): Promise<boolean>;
}

export interface RoleRecord {
  name: string; // e.g. "guest", "manager"
  scopes: string[]; // scopes a user holding this role may receive
  /** Its holders must sign in with a second factor; default false. */
  requireMfa: boolean;
  createdAt: number;
}

export interface RoleStore {
  /** Inserts or replaces by name; a left-out `requireMfa` stores false. */
  upsert(role: Omit<RoleRecord, 'requireMfa'> & { requireMfa?: boolean }): Promise<void>;
  get(name: string): Promise<RoleRecord | undefined>;
  /** Oldest first (createdAt, then name); keyset-paged (`after.key` is the name). */
  list(opts?: PageOptions): Promise<RoleRecord[]>;
  delete(name: string): Promise<boolean>;
}

/** A sign-in session: the family of refresh tokens that share one `sid`. */
export interface SessionRecord {
  id: string; // `sid`
  userId: string;
  clientId: string;
  audiences: string[];
  scopes: string[];
  createdAt: number;
  lastUsedAt: number;
  /** Absolute end of the session; no refresh after it. */
  expiresAt: number;
  revokedAt: number | null;
  revokedReason: string | null; // 'logout' | 'reuse' | 'admin' | 'password_change' | 'logout_all' | ...
  ip: string | null;
  userAgent: string | null;
  /** RFC 7638 thumbprint of the DPoP key the session's refresh tokens are bound to, if any. */
  dpopJkt: string | null;
  /**
   * The front desk's browser session (`BrowserSessionRecord.id`) a code-flow session came from:
   * the ID tokens' `sid`; ending that browser session revokes this one unless `offline`. Null
   * (or absent) for the password, client and exchange grants.
   */
  browserSessionId?: string | null;
  /** When the user authenticated (ms), for the ID token's `auth_time`; null: `createdAt`. */
  authTime?: number | null;
  /** How the user authenticated (RFC 8176); null: ['pwd']. */
  amr?: string[] | null;
  /** Granted `offline_access`: survives the end of its browser session (RP-initiated logout). */
  offline?: boolean;
}

export interface SessionStore {
  create(session: SessionRecord): Promise<void>;
  get(id: string): Promise<SessionRecord | undefined>;
  listByUser(userId: string, opts?: { includeRevoked?: boolean }): Promise<SessionRecord[]>;
  /** Live sessions, newest first (createdAt, then id, both descending); keyset-paged. */
  listActive(opts: { limit?: number; after?: ListCursor; now: number }): Promise<SessionRecord[]>;
  touch(id: string, at: number): Promise<void>;
  /** Marks the session revoked if it is not already; returns true when this call revoked it. */
  revoke(id: string, at: number, reason: string): Promise<boolean>;
  /** Live (not revoked, not expired at `now`) sessions that came from one browser session, oldest first. */
  listByBrowserSession(browserSessionId: string, now: number): Promise<SessionRecord[]>;
  /** Revokes every live session of a user except `exceptId`; returns the ids it revoked. */
  revokeByUser(userId: string, at: number, reason: string, exceptId?: string): Promise<string[]>;
  /** Deletes sessions that ended before `before`, with their refresh tokens, in bounded batches. */
  deleteExpired(before: number, opts?: PruneOptions): Promise<number>;
}

export interface RefreshTokenRecord {
  hash: string; // SHA-256 hex of the opaque token
  sessionId: string;
  createdAt: number;
  /** Idle expiry of this token. */
  expiresAt: number;
  /** Set when the token was rotated out (consumed). */
  usedAt: number | null;
  /** Hash of the token that replaced it, for the grace window. */
  replacedBy: string | null;
  /**
   * The successor's plaintext sealed with the server's master key (AES-256-GCM), kept only
   * for the grace window so a concurrent duplicate request can receive the same successor.
   * Cleared when the grace window ends or the family is revoked.
   */
  successorSealed: string | null;
}

export type ConsumeResult =
  | { status: 'consumed'; token: RefreshTokenRecord } // this call rotated it out: issue a successor
  | { status: 'already_used'; token: RefreshTokenRecord } // consumed before (grace window or reuse)
  | { status: 'not_found' };

export interface RefreshTokenStore {
  create(token: RefreshTokenRecord): Promise<void>;
  get(hash: string): Promise<RefreshTokenRecord | undefined>;
  /**
   * Atomically marks the token used and records its successor, only if it was unused.
   * Exactly one of any number of concurrent calls for the same hash sees 'consumed'.
   * With `successor.record` (whose `hash` must equal `successor.hash`), the successor token is
   * created in the same transaction, by the winning call only: one commit per rotation, and
   * never a consumed token without its successor. A duplicate successor hash throws
   * StorageConflictError and leaves the token unconsumed.
   */
  consume(
    hash: string,
    at: number,
    successor: { hash: string; sealed: string | null; record?: RefreshTokenRecord },
  ): Promise<ConsumeResult>;
  /** Drops sealed successors of tokens used before `before` (end of the grace window), in batches. */
  clearSealedBefore(before: number, opts?: PruneOptions): Promise<number>;
  deleteBySession(sessionId: string): Promise<number>;
  /** Deletes tokens whose own expiry is before `before`, used or not, in bounded batches. */
  deleteExpired(before: number, opts?: PruneOptions): Promise<number>;
  /**
   * Deletes used (rotated-out) tokens used before `before` (the end of their grace window), in
   * bounded batches; never an unused one. Reuse detection does not need the row: a token in the
   * `rt1` format names its session under a MAC (sessions/refresh-token-format.ts). A token minted
   * before that format loses reuse detection once its row is gone (it still fails).
   */
  deleteUsedBefore(before: number, opts?: PruneOptions): Promise<number>;
}

/** Everything the server persists. `close()` releases connections and file handles. */
export interface Storage {
  readonly kind: 'memory' | 'sqlite' | 'postgres';
  users: UserStore;
  clients: ClientStore;
  audiences: AudienceStore;
  roles: RoleStore;
  sessions: SessionStore;
  refreshTokens: RefreshTokenStore;
  keys: KeyStore;
  revocations: RevocationStore;
  audit: AuditStore;
  authorizationCodes: AuthorizationCodeStore;
  consents: ConsentStore;
  browserSessions: BrowserSessionStore;
  totp: TotpStore;
  recoveryCodes: RecoveryCodeStore;
  passkeys: PasskeyStore;
  emailTokens: EmailTokenStore;
  /**
   * Runs `fn` only if no other holder of `name` runs it now (PostgreSQL: a session advisory lock
   * on a connection held for the duration, released after, also on error, and by the server if the
   * connection is lost; SQLite/memory: an in-process lock). Returns whether `fn` ran.
   */
  withMaintenanceLock(name: string, fn: () => Promise<void>): Promise<boolean>;
  /** Runs pending migrations; idempotent and safe to call from several instances at once. */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Thrown on a unique-key violation, a failed compare-and-set, or a record naming a user that does
 * not exist (a second factor or email token).
 */
export class StorageConflictError extends Error {
  readonly code = 'ERR_STORAGE_CONFLICT' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StorageConflictError';
  }
}
