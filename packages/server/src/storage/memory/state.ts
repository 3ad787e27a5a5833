import type { ListCursor, PageOptions } from '../paging.js';
import type {
  AudienceRecord,
  AuditEvent,
  AuthorizationCodeRecord,
  BrowserSessionRecord,
  ClientRecord,
  ConsentRecord,
  EmailTokenRecord,
  PasskeyRecord,
  RecoveryCodeRecord,
  RefreshTokenRecord,
  RevocationEvent,
  RoleRecord,
  SessionRecord,
  SigningKeyRecord,
  TotpRecord,
  UserRecord,
} from '../types.js';

/** Everything the memory adapter holds; shared by its stores so cascades stay consistent. */
export interface MemoryState {
  users: Map<string, UserRecord>;
  clients: Map<string, ClientRecord>;
  audiences: Map<string, AudienceRecord>;
  roles: Map<string, RoleRecord>;
  sessions: Map<string, SessionRecord>;
  refreshTokens: Map<string, RefreshTokenRecord>;
  keys: Map<string, SigningKeyRecord>;
  revocations: RevocationEvent[];
  lastCursor: number;
  audit: AuditEvent[];
  lastAuditId: number;
  authorizationCodes: Map<string, AuthorizationCodeRecord>;
  /** Keyed by {@link consentKey}. */
  consents: Map<string, ConsentRecord>;
  browserSessions: Map<string, BrowserSessionRecord>;
  /** By user id. */
  totp: Map<string, TotpRecord>;
  /** Keyed by {@link recoveryCodeKey}. */
  recoveryCodes: Map<string, RecoveryCodeRecord>;
  passkeys: Map<string, PasskeyRecord>;
  /** By hash. */
  emailTokens: Map<string, EmailTokenRecord>;
}

/** The memory adapter's key of a (user, hash) recovery code. */
export const recoveryCodeKey = (userId: string, hash: string): string => JSON.stringify([userId, hash]);

/** The memory adapter's key of a (user, client) consent. */
export const consentKey = (userId: string, clientId: string): string => JSON.stringify([userId, clientId]);

export function createMemoryState(): MemoryState {
  return {
    users: new Map(),
    clients: new Map(),
    audiences: new Map(),
    roles: new Map(),
    sessions: new Map(),
    refreshTokens: new Map(),
    keys: new Map(),
    revocations: [],
    lastCursor: 0,
    audit: [],
    lastAuditId: 0,
    authorizationCodes: new Map(),
    consents: new Map(),
    browserSessions: new Map(),
    totp: new Map(),
    recoveryCodes: new Map(),
    passkeys: new Map(),
    emailTokens: new Map(),
  };
}

/** Records go in and come out as deep copies so no caller can mutate stored state. */
export const copy = <T>(value: T): T => structuredClone(value);

/** Oldest first, ties broken by id: the order every adapter's list() uses. */
export function byCreated<T extends { createdAt: number }>(key: (item: T) => string) {
  return (a: T, b: T): number => a.createdAt - b.createdAt || compareText(key(a), key(b));
}

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * One keyset page of `items` in (createdAt, key) order, ascending (or descending with `newest`):
 * the rows after `opts.after`, at most `opts.limit`.
 */
export function keysetPage<T extends { createdAt: number }>(
  items: T[],
  key: (item: T) => string,
  opts: PageOptions | undefined,
  newest = false,
): T[] {
  const cmp = (a: { createdAt: number; key: string }, b: ListCursor) =>
    a.createdAt - b.createdAt || compareText(a.key, b.key);
  const sign = newest ? -1 : 1;
  const sorted = items.sort(
    (a, b) => sign * cmp({ createdAt: a.createdAt, key: key(a) }, listCursorOf(b, key)),
  );
  const { after } = opts ?? {};
  const rest =
    after === undefined ? sorted : sorted.filter((i) => sign * cmp(listCursorOf(i, key), after) > 0);
  return opts?.limit === undefined ? rest : rest.slice(0, Math.max(0, opts.limit));
}

const listCursorOf = <T extends { createdAt: number }>(item: T, key: (item: T) => string): ListCursor => ({
  createdAt: item.createdAt,
  key: key(item),
});
