/** Revocation feed and audit log records of the storage contract (re-exported by types.ts). */

import type { PruneOptions } from './paging.js';

export type RevocationEvent =
  | { cursor: number; type: 'session'; sid: string; at: number; expiresAt: number }
  | { cursor: number; type: 'token'; jti: string; at: number; expiresAt: number }
  | { cursor: number; type: 'subject'; sub: string; notBefore: number; at: number; expiresAt: number }
  /** Every card whose `roles` claim holds `role`, issued up to `notBefore`: one event, however many holders. */
  | { cursor: number; type: 'role'; role: string; notBefore: number; at: number; expiresAt: number }
  /** A withdrawn signing key: every card it signed is refused, whatever its `iat`. */
  | { cursor: number; type: 'key'; kid: string; at: number; expiresAt: number };

/** A revocation event before the store assigns its cursor. */
export type NewRevocationEvent = RevocationEvent extends infer E
  ? E extends RevocationEvent
    ? Omit<E, 'cursor'>
    : never
  : never;

export interface RevocationStore {
  /** Appends an event and returns it with its cursor: strictly increasing, never reused. */
  append(event: NewRevocationEvent): Promise<RevocationEvent>;
  /** Events with cursor > after, oldest first, at most `limit`. */
  listAfter(after: number, limit: number): Promise<RevocationEvent[]>;
  latestCursor(): Promise<number>;
  /** Deletes events whose `expiresAt` is before `before` (no token they could match lives), in batches. */
  deleteExpired(before: number, opts?: PruneOptions): Promise<number>;
}

export interface AuditEvent {
  id?: number;
  at: number;
  type: string; // 'login.success' | 'login.failure' | 'token.refresh' | 'token.reuse_detected' | 'session.revoke' | 'key.rotate' | 'admin.*' ...
  actor: string | null; // user id, client id or 'system'
  subject: string | null; // what the event is about (user id, session id, kid ...)
  ip: string | null;
  userAgent: string | null;
  detail: Record<string, unknown>; // never secrets
}

export interface AuditStore {
  append(event: AuditEvent): Promise<void>;
  /** Appends several events in order, all or none (one transaction); `[]` does nothing. */
  appendMany(events: AuditEvent[]): Promise<void>;
  list(filter: {
    type?: string; // exact type or a prefix ending in '.' ('admin.')
    actor?: string;
    subject?: string;
    since?: number;
    until?: number;
    limit: number;
    beforeId?: number; // pagination: newest first
  }): Promise<AuditEvent[]>;
  /** Deletes events recorded before `before` (audit retention), in bounded batches. */
  deleteBefore(before: number, opts?: PruneOptions): Promise<number>;
}
