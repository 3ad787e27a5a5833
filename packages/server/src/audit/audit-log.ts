import type { Clock, Logger, RequestInfo } from '../context.js';
import type { AuditEvent, Storage } from '../storage/index.js';

/** Audit event types the server records. */
export type AuditType =
  | 'login.success'
  | 'login.failure'
  | 'token.refresh'
  | 'token.refresh_grace'
  | 'token.exchange'
  | 'token.code'
  | 'code.replayed'
  | 'token.reuse_detected'
  | 'token.issue'
  | 'token.revoke'
  | 'session.revoke'
  | 'browser_session.end'
  | 'logout.backchannel'
  | 'consent.revoke'
  | 'user.register'
  | 'user.password_change'
  | 'password.reset_requested'
  | 'password.reset'
  | 'signup.requested'
  | 'email.verified'
  | 'email.change_requested'
  | 'key.rotate'
  | 'authorize.code'
  | 'consent.granted'
  | 'consent.denied'
  // Second factors and account recovery (issue 13): never a code, secret or link in their detail.
  | 'mfa.totp_enrolled'
  | 'mfa.totp_removed'
  | 'mfa.recovery_codes_generated'
  | 'mfa.recovery_code_used'
  | 'mfa.failed'
  | 'mfa.locked'
  | 'mfa.reset'
  | 'passkey.registered'
  | 'passkey.removed'
  | 'passkey.renamed'
  | 'passkey.clone_suspected'
  | 'password.reset_requested'
  | 'password.reset'
  | 'email.verified'
  | 'signup.requested'
  | `admin.${string}`;

/**
 * Appends audit events. `record` queues the event and returns at once; queued events are written
 * in batches (one multi-row insert) on the next turn of the event loop, or as soon as 100 wait.
 * `flush()` writes everything queued so far; the server flushes before it closes storage and
 * before it answers an audit query. A failing write is logged, never turned into a failed request.
 */
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
  /** Writes every event recorded before this call. */
  flush(): Promise<void>;
}

const BATCH = 100;

/**
 * Creates the audit log over `storage.audit`. Callers pass only safe details: never
 * passwords, tokens or secrets.
 *
 * @example
 * ```ts
 * await audit.record('login.failure', { subject: userId, request, detail: { reason: 'password' } });
 * await audit.flush(); // before closing storage
 * ```
 */
export function createAuditLog(deps: { storage: Storage; clock: Clock; logger: Logger }): AuditLog {
  let queue: AuditEvent[] = [];
  let scheduled = false;
  // Batches are written one after another, so ids keep the order events were recorded in.
  let chain: Promise<void> = Promise.resolve();

  const take = (): Promise<void> => {
    const batch = queue;
    queue = [];
    chain = chain.then(async () => {
      try {
        await deps.storage.audit.appendMany(batch);
      } catch (err) {
        deps.logger.error({ err, events: batch.length }, 'audit write failed');
      }
    });
    return chain;
  };

  return {
    async record(type, fields) {
      queue.push({
        at: deps.clock(),
        type,
        actor: fields.actor ?? null,
        subject: fields.subject ?? null,
        ip: fields.request?.ip ?? null,
        userAgent: fields.request?.userAgent?.slice(0, 512) ?? null,
        detail: fields.detail ?? {},
      });
      // A busy loop of requests may not yield to setImmediate for a while: cap the queue.
      if (queue.length >= BATCH) void take();
      else if (!scheduled) {
        scheduled = true;
        setImmediate(() => {
          scheduled = false;
          if (queue.length > 0) void take();
        });
      }
    },
    async flush() {
      if (queue.length > 0) void take();
      await chain;
    },
  };
}
