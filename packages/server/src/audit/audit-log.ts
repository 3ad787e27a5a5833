import type { Clock, Logger, RequestInfo } from '../context.js';
import type { Storage } from '../storage/index.js';

/** Audit event types the server records. */
export type AuditType =
  | 'login.success'
  | 'login.failure'
  | 'token.refresh'
  | 'token.reuse_detected'
  | 'token.issue'
  | 'token.revoke'
  | 'session.revoke'
  | 'user.register'
  | 'user.password_change'
  | 'key.rotate'
  | `admin.${string}`;

/** Appends audit events; a failing write is logged, never turned into a failed request. */
export interface AuditLog {
  record(
    type: AuditType,
    fields: {
      actor?: string | null;
      subject?: string | null;
      request?: RequestInfo;
      detail?: Record<string, unknown>;
    },
  ): Promise<void>;
}

/**
 * Creates the audit log over `storage.audit`. Callers pass only safe details: never
 * passwords, tokens or secrets.
 *
 * @example
 * ```ts
 * await audit.record('login.failure', { subject: userId, request, detail: { reason: 'password' } });
 * ```
 */
export function createAuditLog(deps: { storage: Storage; clock: Clock; logger: Logger }): AuditLog {
  return {
    async record(type, fields) {
      try {
        await deps.storage.audit.append({
          at: deps.clock(),
          type,
          actor: fields.actor ?? null,
          subject: fields.subject ?? null,
          ip: fields.request?.ip ?? null,
          userAgent: fields.request?.userAgent?.slice(0, 512) ?? null,
          detail: fields.detail ?? {},
        });
      } catch (err) {
        deps.logger.error({ err, type }, 'audit write failed');
      }
    },
  };
}
