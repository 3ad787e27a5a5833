/**
 * Records of the authorization-code flow (RFC 6749 4.1 with PKCE, OpenID Connect): one-time codes,
 * remembered consents and the front desk's browser sessions. Re-exported by types.ts.
 */

import type { PruneOptions } from './paging.js';

/** An authorization code as stored: only the SHA-256 of the code, never the code. */
export interface AuthorizationCodeRecord {
  codeHash: string; // SHA-256 hex of the code handed to the client
  clientId: string;
  /** The exact redirect_uri of the authorization request; the token request must repeat it. */
  redirectUri: string;
  /** PKCE `code_challenge` (RFC 7636), method S256 only: base64url(SHA-256(verifier)). */
  codeChallenge: string;
  userId: string;
  /** The browser session (`BrowserSessionRecord.id`) the user signed in with; the ID token's `sid`. */
  sid: string;
  scopes: string[];
  audiences: string[];
  nonce: string | null;
  /** When the user last authenticated (ms), for the ID token's `auth_time`. */
  authTime: number;
  /** Authentication methods (RFC 8176), e.g. ['pwd']. */
  amr: string[];
  /** RFC 9449 `dpop_jkt` of the authorization request: the token request's DPoP key must match. */
  dpopJkt: string | null;
  createdAt: number;
  /** The code is refused from this time on (ms); short, a minute or so. */
  expiresAt: number;
  /** Set by the one `consume` that returned 'ok'. */
  consumedAt: number | null;
  /** The sign-in session (`SessionRecord.id`) the exchange created, recorded by `markIssued`. */
  issuedSessionId: string | null;
  /** Set by the first `consume` that returned 'replayed'. */
  replayedAt: number | null;
}

/** A code as handed to `create`: nothing consumed, issued or replayed yet. */
export type NewAuthorizationCode = Omit<
  AuthorizationCodeRecord,
  'consumedAt' | 'issuedSessionId' | 'replayedAt'
>;

export type CodeConsumeResult =
  | { status: 'ok'; record: AuthorizationCodeRecord } // this call used the code: exchange it
  | { status: 'replayed'; record: AuthorizationCodeRecord } // used before: refuse, revoke what it issued
  | { status: 'expired' } // never used, past expiresAt
  | { status: 'missing' }; // unknown (or pruned)

export type CodeIssuedResult = 'ok' | 'replayed' | 'missing';

export interface AuthorizationCodeStore {
  /** Stores a new code; StorageConflictError when the hash exists. */
  create(code: NewAuthorizationCode): Promise<void>;
  get(codeHash: string): Promise<AuthorizationCodeRecord | undefined>;
  /**
   * Atomic one-time use. Of any number of calls for one code, even concurrent ones on several
   * connections or instances, exactly one returns 'ok' (the code was unused and `now` <
   * `expiresAt`); every later one returns 'replayed' with the record (its `issuedSessionId` once
   * `markIssued` ran) and sets `replayedAt` if unset. An unused code past its expiry is 'expired'.
   */
  consume(codeHash: string, now: number): Promise<CodeConsumeResult>;
  /**
   * Records the session the winning exchange created. Returns 'replayed' when a replay was seen
   * first (the replay found no session to revoke, so the caller must revoke `sessionId` itself),
   * 'missing' when there is no consumed code with this hash, else 'ok'.
   */
  markIssued(codeHash: string, sessionId: string): Promise<CodeIssuedResult>;
  /** Deletes codes whose expiry is before `before`, consumed or not, in bounded batches. */
  deleteExpired(before: number, opts?: PruneOptions): Promise<number>;
  /** Deletes every code issued to a client (when the client is deleted); returns how many. */
  deleteByClient(clientId: string): Promise<number>;
  /** Deletes every code issued for a user (when the user is deleted); returns how many. */
  deleteByUser(userId: string): Promise<number>;
}

/** What a user allowed a client: remembered so the consent page (and `prompt=none`) can skip asking. */
export interface ConsentRecord {
  userId: string;
  clientId: string;
  scopes: string[];
  audiences: string[];
  createdAt: number;
  updatedAt: number;
}

export interface ConsentStore {
  get(userId: string, clientId: string): Promise<ConsentRecord | undefined>;
  /**
   * Stores the consent of `consent.userId` for `consent.clientId` and returns what is stored.
   * `merge` (default): the union with a stored consent (its scopes and audiences first, then the
   * new ones), keeping its `createdAt`; concurrent merges lose nothing. `replace`: exactly these
   * scopes and audiences (still keeping a stored `createdAt`).
   */
  put(consent: ConsentRecord, opts?: { mode?: 'merge' | 'replace' }): Promise<ConsentRecord>;
  /** The user's consents, oldest first (createdAt, then clientId). */
  listByUser(userId: string): Promise<ConsentRecord[]>;
  delete(userId: string, clientId: string): Promise<boolean>;
  /** When a client is deleted: returns how many consents went. */
  deleteByClient(clientId: string): Promise<number>;
  /** When a user is deleted: returns how many consents went. */
  deleteByUser(userId: string): Promise<number>;
}

/** The front desk's single-sign-on session in one browser (its id lives in a `__Host-` cookie). */
export interface BrowserSessionRecord {
  id: string; // random; the ID tokens' `sid`
  userId: string;
  /** When the user authenticated (ms), for `auth_time` and `max_age`. */
  authTime: number;
  /** Authentication methods (RFC 8176), e.g. ['pwd']. */
  amr: string[];
  createdAt: number;
  lastSeenAt: number;
  /** No single sign-on through it from this time on (ms). */
  expiresAt: number;
  endedAt: number | null;
  endedReason: string | null; // 'logout' | 'user_deleted' | ...
}

export interface BrowserSessionStore {
  /** StorageConflictError when the id exists. */
  create(session: BrowserSessionRecord): Promise<void>;
  get(id: string): Promise<BrowserSessionRecord | undefined>;
  /**
   * Marks a live session (not ended, `expiresAt > at`) seen at `at`, moving its `expiresAt` to
   * `opts.expiresAt` when given (a sliding idle limit). Returns whether it was live.
   */
  touch(id: string, at: number, opts?: { expiresAt?: number }): Promise<boolean>;
  /**
   * The same person signed in again in this browser (`prompt=login`, `max_age`): a live session
   * (not ended, `expiresAt > at`) takes the new `authTime` and `amr`, is seen at `at`, and moves
   * its `expiresAt` to `update.expiresAt` when given; its id (the ID tokens' `sid`) stays. Returns
   * whether it was live (an ended or expired session is left as it is).
   */
  reauthenticate(
    id: string,
    at: number,
    update: { authTime: number; amr: string[]; expiresAt?: number },
  ): Promise<boolean>;
  /** Ends the session if it has not ended; true when this call ended it (the first reason stays). */
  end(id: string, at: number, reason: string): Promise<boolean>;
  /** Ends every not-yet-ended session of the user; returns the ids it ended. */
  endByUser(userId: string, at: number, reason: string): Promise<string[]>;
  /** The user's sessions, newest first (createdAt, then id); ended ones only on request. */
  listByUser(userId: string, opts?: { includeEnded?: boolean }): Promise<BrowserSessionRecord[]>;
  /** Deletes sessions that expired or ended before `before`, in bounded batches. */
  deleteExpired(before: number, opts?: PruneOptions): Promise<number>;
}
