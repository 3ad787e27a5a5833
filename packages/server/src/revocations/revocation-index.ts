import { fromEpochSeconds, isRevokedByNotBefore, revocationNotBefore } from '@keycard/protocol';
import type { Clock } from '../context.js';
import type { RevocationEvent, Storage } from '../storage/index.js';

/** Claims the index looks at (times in seconds, as in tokens). */
export interface RevocableClaims {
  jti?: unknown;
  sid?: unknown;
  sub?: unknown;
  iat?: unknown;
  /** The card's `roles` (an array of names, as this server issues it). */
  roles?: unknown;
}

/** Why a card is revoked. */
export type RevocationReason = 'session' | 'token' | 'subject' | 'role';

/**
 * The server's own view of the revocation feed, used to check tokens it is shown (Bearer
 * calls, introspection, inspect). It catches up from storage on every check, so an event
 * appended by any instance counts at once; memory holds only a cache of the stored events.
 * On SQLite that catching up costs no query while no connection has committed a revocation
 * (storage/sqlite/revocation-watch.ts); on PostgreSQL it is one indexed query: a NOTIFY from
 * another instance can arrive after the next request, so it cannot stand in for the read.
 */
export interface RevocationIndex {
  /** Why the token is revoked, or null. */
  check(claims: RevocableClaims): Promise<RevocationReason | null>;
  /**
   * The latest `notBefore` (epoch seconds, as on the feed) of a subject revocation for `sub` or a
   * role revocation for any of `roles`, after catching up: a card for them with an earlier `iat`
   * would be born revoked.
   */
  subjectNotBefore(sub: string, roles?: readonly string[]): Promise<number | undefined>;
  /**
   * Whether `role` was revoked (deleted, or lost a scope) at or after `since` (ms), as of the last
   * `sync()`: a cached copy of it may then predate the change, so token issuance reads it fresh.
   */
  roleRevokedSince(role: string, since: number): boolean;
  sync(): Promise<void>;
}

/**
 * @example
 * ```ts
 * const index = createRevocationIndex(storage, Date.now);
 * if (await index.check(payload)) throw new ServerError('ERR_INVALID_TOKEN');
 * ```
 */
export function createRevocationIndex(storage: Storage, clock: Clock): RevocationIndex {
  let cursor = 0;
  const sessions = new Map<string, number>();
  const tokens = new Map<string, number>();
  // notBefore in epoch seconds (revocationNotBefore of the stored ms), expiresAt in ms.
  const subjects = new Map<string, { notBefore: number; expiresAt: number }>();
  const roles = new Map<string, { notBefore: number; expiresAt: number }>();
  let syncing: Promise<void> | undefined;
  let lastPrune = 0;
  let lastHeadCheck = Number.NEGATIVE_INFINITY;

  const apply = (event: RevocationEvent) => {
    if (event.type === 'session') sessions.set(event.sid, event.expiresAt);
    else if (event.type === 'token') tokens.set(event.jti, event.expiresAt);
    // A withdrawn key leaves storage, so the server's own verification keys no longer hold it.
    else if (event.type === 'key') return;
    else if (event.type === 'role') keepLatest(roles, event.role, event);
    else keepLatest(subjects, event.sub, event);
  };

  const prune = (now: number) => {
    if (now - lastPrune < 60_000) return;
    lastPrune = now;
    for (const [k, exp] of sessions) if (exp < now) sessions.delete(k);
    for (const [k, exp] of tokens) if (exp < now) tokens.delete(k);
    for (const [k, v] of subjects) if (v.expiresAt < now) subjects.delete(k);
    for (const [k, v] of roles) if (v.expiresAt < now) roles.delete(k);
  };

  const readNew = async () => {
    for (;;) {
      const events = await storage.revocations.listAfter(cursor, 1000);
      for (const event of events) apply(event);
      const last = events.at(-1);
      if (last !== undefined) cursor = last.cursor;
      if (events.length < 1000) break;
    }
  };

  const doSync = async () => {
    await readNew();
    // After a restore or a fail-over the store's history can end below our cursor: follow it
    // down (keeping what we hold) or every later event would be skipped. Checked at most once a second.
    if (performance.now() - lastHeadCheck >= 1000) {
      lastHeadCheck = performance.now();
      const latest = await storage.revocations.latestCursor();
      if (latest < cursor) {
        cursor = latest;
        await readNew();
      }
    }
    prune(clock());
  };

  let queued: Promise<void> | undefined;
  const sync = (): Promise<void> => {
    if (syncing === undefined) {
      syncing = doSync().finally(() => {
        syncing = undefined;
      });
      return syncing;
    }
    // A query already in flight may predate the caller's event: queue one more, shared by all waiting.
    queued ??= syncing.then(() => {
      queued = undefined;
      return sync();
    });
    return queued;
  };

  return {
    sync,
    roleRevokedSince(role, since) {
      const revoked = roles.get(role);
      // notBefore is the second after the revocation, so this errs towards a fresh read.
      return revoked !== undefined && fromEpochSeconds(revoked.notBefore) >= since;
    },
    async subjectNotBefore(sub, held = []) {
      await sync();
      let latest = subjects.get(sub)?.notBefore;
      for (const role of held) {
        const notBefore = roles.get(role)?.notBefore;
        if (notBefore !== undefined && (latest === undefined || notBefore > latest)) latest = notBefore;
      }
      return latest;
    },
    async check(claims) {
      await sync();
      if (typeof claims.sid === 'string' && sessions.has(claims.sid)) return 'session';
      if (typeof claims.jti === 'string' && tokens.has(claims.jti)) return 'token';
      // The guards' rule (@keycard/protocol), in seconds: no `iat`, revoked.
      const iat = typeof claims.iat === 'number' ? claims.iat : undefined;
      if (typeof claims.sub === 'string') {
        const subject = subjects.get(claims.sub);
        if (subject !== undefined && isRevokedByNotBefore(iat, subject.notBefore)) return 'subject';
      }
      if (roles.size !== 0 && Array.isArray(claims.roles)) {
        for (const role of claims.roles) {
          const revoked = typeof role === 'string' ? roles.get(role) : undefined;
          if (revoked !== undefined && isRevokedByNotBefore(iat, revoked.notBefore)) return 'role';
        }
      }
      return null;
    },
  };
}

/**
 * Merges revocations of the same subject or role: the later not-before (stored ms turned into the
 * feed's seconds by revocationNotBefore), kept until the later expiry.
 */
function keepLatest(
  map: Map<string, { notBefore: number; expiresAt: number }>,
  key: string,
  event: { notBefore: number; expiresAt: number },
): void {
  const prev = map.get(key);
  const notBefore = revocationNotBefore(event.notBefore);
  map.set(key, {
    notBefore: Math.max(prev?.notBefore ?? notBefore, notBefore),
    expiresAt: Math.max(prev?.expiresAt ?? event.expiresAt, event.expiresAt),
  });
}
