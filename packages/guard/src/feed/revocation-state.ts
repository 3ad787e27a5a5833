import { isRevokedByNotBefore, type RevocationEvent as WireRevocationEvent } from '@keycard/protocol';

/**
 * A revocation event as published by the issuer (`@keycard/protocol`, docs/http-api.md "Revocation
 * feed"). Times in seconds; the cursor is optional here (events the guard is handed directly).
 */
export type RevocationEvent = WireRevocationEvent extends infer E
  ? E extends WireRevocationEvent
    ? Omit<E, 'cursor'> & { cursor?: string | number }
    : never
  : never;

/** Checks the shape of a feed event; anything else is ignored rather than trusted. */
export function parseRevocationEvent(value: unknown): RevocationEvent | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const e = value as Record<string, unknown>;
  if (typeof e['at'] !== 'number' || typeof e['expiresAt'] !== 'number') return undefined;
  if (e['type'] === 'session' && typeof e['sid'] === 'string') return e as RevocationEvent;
  if (e['type'] === 'token' && typeof e['jti'] === 'string') return e as RevocationEvent;
  if (e['type'] === 'key' && typeof e['kid'] === 'string') return e as RevocationEvent;
  if (e['type'] === 'subject' && typeof e['sub'] === 'string' && typeof e['notBefore'] === 'number') {
    return e as RevocationEvent;
  }
  if (
    e['type'] === 'role' &&
    typeof e['role'] === 'string' &&
    e['role'] !== '' &&
    typeof e['notBefore'] === 'number'
  ) {
    return e as RevocationEvent;
  }
  return undefined;
}

const PRUNE_EVERY_MS = 60_000;

/**
 * What the guard knows has been revoked: session ids, token ids and per-subject and per-role "not before" times, each
 * kept until its `expiresAt` plus the guard's own clock leeway: the guard accepts a token until
 * `exp + leeway`, so forgetting at `expiresAt` (when the issuer may prune the event) would let a
 * revoked token through again. Lookups are plain Map reads so they can run on every cached hit.
 * @example
 * const state = new RevocationState(5); // the guard's `leeway`, in seconds
 * state.apply({ type: 'session', sid: 's1', at: 1700000000, expiresAt: 1700000900 }, Date.now());
 */
export class RevocationState {
  readonly sessions = new Map<string, number>();
  readonly tokens = new Map<string, number>();
  /** sub → [notBefore, expiresAt] */
  readonly subjects = new Map<string, [number, number]>();
  /** role → [notBefore, expiresAt]: one entry per revoked role name, so bounded by the issuer's roles. */
  readonly roles = new Map<string, [number, number]>();
  /**
   * Withdrawn signing key ids. Never pruned: whoever stole the key can sign new cards for ever, and
   * a stale JWKS copy must never bring the key back. One entry per compromised key.
   */
  readonly keys = new Set<string>();
  #nextPruneAt = 0;

  /** @param leewaySeconds the guard's clock leeway: entries live until `expiresAt + leewaySeconds`. */
  constructor(private readonly leewaySeconds = 0) {}

  /**
   * True when a token with these claims is revoked. A subject or role revocation with no `iat` to
   * compare wins. Each check is skipped while its map is empty, so the warm path stays a few reads.
   */
  isRevoked(
    sub: string,
    sid: string | undefined,
    jti: string | undefined,
    iat: number | undefined,
    roles?: readonly string[],
  ): boolean {
    if (sid !== undefined && this.sessions.size !== 0 && this.sessions.has(sid)) return true;
    if (jti !== undefined && this.tokens.size !== 0 && this.tokens.has(jti)) return true;
    if (this.subjects.size !== 0) {
      const entry = this.subjects.get(sub);
      if (entry !== undefined && isRevokedByNotBefore(iat, entry[0])) return true;
    }
    if (this.roles.size !== 0 && roles !== undefined) {
      for (let i = 0; i < roles.length; i++) {
        const entry = this.roles.get(roles[i]!);
        if (entry !== undefined && isRevokedByNotBefore(iat, entry[0])) return true;
      }
    }
    return false;
  }

  apply(event: RevocationEvent, nowMs: number): void {
    if (nowMs >= this.#nextPruneAt) this.prune(nowMs);
    if (event.type === 'key') {
      this.keys.add(event.kid);
      return;
    }
    if (event.expiresAt <= this.#horizon(nowMs)) return;
    if (event.type === 'session') keepLatest(this.sessions, event.sid, event.expiresAt);
    else if (event.type === 'token') keepLatest(this.tokens, event.jti, event.expiresAt);
    else if (event.type === 'role') keepLatestNotBefore(this.roles, event.role, event);
    else keepLatestNotBefore(this.subjects, event.sub, event);
  }

  /** Forgets entries whose `expiresAt + leeway` has passed. */
  prune(nowMs: number): void {
    const horizon = this.#horizon(nowMs);
    this.#nextPruneAt = nowMs + PRUNE_EVERY_MS;
    for (const [k, exp] of this.sessions) if (exp <= horizon) this.sessions.delete(k);
    for (const [k, exp] of this.tokens) if (exp <= horizon) this.tokens.delete(k);
    for (const [k, v] of this.subjects) if (v[1] <= horizon) this.subjects.delete(k);
    for (const [k, v] of this.roles) if (v[1] <= horizon) this.roles.delete(k);
  }

  /** An entry with `expiresAt` at or before this (seconds) can match no token the guard still accepts. */
  #horizon(nowMs: number): number {
    return nowMs / 1000 - this.leewaySeconds;
  }
}

function keepLatest(map: Map<string, number>, key: string, expiresAt: number): void {
  const prior = map.get(key);
  if (prior === undefined || prior < expiresAt) map.set(key, expiresAt);
}

function keepLatestNotBefore(
  map: Map<string, [number, number]>,
  key: string,
  event: { notBefore: number; expiresAt: number },
): void {
  const prior = map.get(key);
  map.set(key, [Math.max(prior?.[0] ?? 0, event.notBefore), Math.max(prior?.[1] ?? 0, event.expiresAt)]);
}

/** Whether a cached/verified token is matched by one revocation event. */
export function eventMatches(
  event: RevocationEvent,
  sub: string,
  sid: string | undefined,
  jti: string | undefined,
  iat: number | undefined,
  roles?: readonly string[],
): boolean {
  if (event.type === 'session') return sid === event.sid;
  if (event.type === 'token') return jti === event.jti;
  // Cache entries do not record their kid: the guard clears its whole cache on a key event.
  if (event.type === 'key') return true;
  const before = isRevokedByNotBefore(iat, event.notBefore);
  if (event.type === 'role') return before && roles?.includes(event.role) === true;
  return sub === event.sub && before;
}
