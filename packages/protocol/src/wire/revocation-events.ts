/**
 * The revocation feed's events (`GET /revocations`, `GET /revocations/stream`). Every time is in
 * epoch seconds. `cursor` is the event's position in the feed; a reader resumes after it.
 */
interface EventBase {
  cursor: number;
  /** When the revocation was made (seconds, rounded down). */
  at: number;
  /** After this (seconds) no card the event could match is still valid; readers may forget it. */
  expiresAt: number;
}

/** One session (refresh-token family, `sid`) ended: every card with that `sid` is refused. */
export interface SessionRevocationEvent extends EventBase {
  type: 'session';
  sid: string;
}

/** One card (`jti`) revoked. */
export interface TokenRevocationEvent extends EventBase {
  type: 'token';
  jti: string;
}

/** Every card of `sub` issued before `notBefore` (see `isRevokedByNotBefore`). */
export interface SubjectRevocationEvent extends EventBase {
  type: 'subject';
  sub: string;
  /** Seconds: cards with `iat < notBefore` are refused (`revocationNotBefore` of the revocation time). */
  notBefore: number;
}

/** Every card whose `roles` hold `role`, issued before `notBefore` (the `subject` rule). */
export interface RoleRevocationEvent extends EventBase {
  type: 'role';
  role: string;
  /** Seconds, as in {@link SubjectRevocationEvent.notBefore}. */
  notBefore: number;
}

/** A withdrawn signing key: every card it signed is refused, whatever its `iat`. */
export interface KeyRevocationEvent extends EventBase {
  type: 'key';
  kid: string;
}

/** One event of the revocation feed. */
export type RevocationEvent =
  | SessionRevocationEvent
  | TokenRevocationEvent
  | SubjectRevocationEvent
  | RoleRevocationEvent
  | KeyRevocationEvent;

/** The kinds of revocation event. */
export type RevocationEventType = RevocationEvent['type'];

/** `GET /revocations?after=<cursor>`: one page of the feed. */
export interface RevocationPage {
  events: RevocationEvent[];
  /** Where to continue (`after=`). */
  cursor: number;
  /** The `after` position is not in this history: drop what you hold and continue from `cursor`. */
  reset?: true;
  /** More events are waiting: ask again at once. */
  more?: true;
}

/** `data` of the stream's `reset` and `synced` events. */
export interface RevocationStreamPosition {
  cursor: number;
}
