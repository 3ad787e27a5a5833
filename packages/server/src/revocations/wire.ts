import type { RevocationEvent } from '../storage/index.js';

/**
 * The feed's wire shape (docs/http-api.md, "Revocation feed"). Storage keeps milliseconds; the
 * feed speaks seconds like the tokens it revokes.
 */
export function toWire(event: RevocationEvent) {
  const at = Math.floor(event.at / 1000);
  const expiresAt = Math.ceil(event.expiresAt / 1000);
  switch (event.type) {
    case 'session':
      return { cursor: event.cursor, type: event.type, sid: event.sid, at, expiresAt };
    case 'token':
      return { cursor: event.cursor, type: event.type, jti: event.jti, at, expiresAt };
    case 'key':
      return { cursor: event.cursor, type: event.type, kid: event.kid, at, expiresAt };
    case 'subject':
      return {
        cursor: event.cursor,
        type: event.type,
        sub: event.sub,
        notBefore: wireNotBefore(event),
        at,
        expiresAt,
      };
    case 'role':
      return {
        cursor: event.cursor,
        type: event.type,
        role: event.role,
        notBefore: wireNotBefore(event),
        at,
        expiresAt,
      };
  }
}

/**
 * Storage refuses a card when `iat * 1000 <= notBefore` (ms); a guard refuses it when
 * `iat < notBefore` (s). The next whole second makes the two the same test for every integer `iat`:
 * a token issued in the same second as the revocation counts as revoked, one issued in the next
 * second does not.
 */
function wireNotBefore(event: { notBefore: number }): number {
  return Math.floor(event.notBefore / 1000) + 1;
}

/** One `revocation` Server-Sent Event; its `id` is the cursor a reconnecting reader resumes after. */
export function sseRevocation(event: RevocationEvent): string {
  return `id: ${event.cursor}\nevent: revocation\ndata: ${JSON.stringify(toWire(event))}\n\n`;
}

/** A reset: the reader's position is not in this history; it continues from `cursor` (sent as the id too). */
export function sseReset(cursor: number): string {
  return `id: ${cursor}\nevent: reset\ndata: ${JSON.stringify({ cursor })}\n\n`;
}

/** Sent once per stream when the backlog is written: the reader is caught up to `cursor`. */
export function sseSynced(cursor: number): string {
  return `event: synced\ndata: ${JSON.stringify({ cursor })}\n\n`;
}
