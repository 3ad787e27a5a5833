import type { RevocationEvent as WireRevocationEvent } from '@keycard/protocol';
import { REVOCATION_EVENT_NAMES, revocationNotBefore, toEpochSeconds } from '@keycard/protocol';
import type { RevocationEvent } from '../storage/index.js';

/**
 * The feed's wire shape (docs/http-api.md, "Revocation feed"). Storage keeps milliseconds; the
 * feed speaks seconds like the tokens it revokes. `notBefore` is `revocationNotBefore` of the
 * stored instant, the value the server's own index compares with.
 */
export function toWire(event: RevocationEvent): WireRevocationEvent {
  const at = toEpochSeconds(event.at);
  // Rounded up: a reader must not forget the event before the last card it matches has expired.
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
        notBefore: revocationNotBefore(event.notBefore),
        at,
        expiresAt,
      };
    case 'role':
      return {
        cursor: event.cursor,
        type: event.type,
        role: event.role,
        notBefore: revocationNotBefore(event.notBefore),
        at,
        expiresAt,
      };
  }
}

/** One `revocation` Server-Sent Event; its `id` is the cursor a reconnecting reader resumes after. */
export function sseRevocation(event: RevocationEvent): string {
  return `id: ${event.cursor}\nevent: ${REVOCATION_EVENT_NAMES.revocation}\ndata: ${JSON.stringify(toWire(event))}\n\n`;
}

/** A reset: the reader's position is not in this history; it continues from `cursor` (sent as the id too). */
export function sseReset(cursor: number): string {
  return `id: ${cursor}\nevent: ${REVOCATION_EVENT_NAMES.reset}\ndata: ${JSON.stringify({ cursor })}\n\n`;
}

/** Sent once per stream when the backlog is written: the reader is caught up to `cursor`. */
export function sseSynced(cursor: number): string {
  return `event: ${REVOCATION_EVENT_NAMES.synced}\ndata: ${JSON.stringify({ cursor })}\n\n`;
}
