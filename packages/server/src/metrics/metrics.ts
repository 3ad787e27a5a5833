import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';

/** The server's Prometheus counters, on a registry owned by one server instance. */
export interface Metrics {
  readonly registry: Registry;
  readonly logins: Counter<'result'>;
  readonly tokensIssued: Counter<'grant'>;
  readonly refreshes: Counter;
  readonly reuseDetected: Counter;
  readonly revocations: Counter<'type'>;
  /** `/oauth/userinfo` answers by result (`ok`, `invalid_token`, `insufficient_scope`). */
  readonly userinfo: Counter<'result'>;
  /** Back-Channel Logout delivery attempts by result (`delivered`, `refused`, `failed`, `timeout`, `aborted`, `dropped`). */
  readonly backchannelLogout: Counter<'result'>;
  /**
   * `/oauth/authorize` outcomes by result: `code` (a code issued), `interaction` (sent to the sign-in
   * or consent page), `page_error` (an error page, no redirect), or the OAuth error sent to the client
   * (`access_denied`, `login_required`, `consent_required`, `invalid_request`, …).
   */
  readonly authorizations: Counter<'result'>;
  /** 1 while a shared coordinator backend (`redis`, `postgres-notify`) is reachable, else 0. */
  readonly coordinatorUp: Gauge<'backend'>;
}

/**
 * Creates a fresh registry (never prom-client's global one, so several servers can share a process).
 *
 * @example
 * ```ts
 * const metrics = createMetrics();
 * metrics.logins.inc({ result: 'success' });
 * const text = await metrics.registry.metrics();
 * ```
 */
export function createMetrics(
  opts: { defaultMetrics?: boolean; coordinatorHealth?: () => Array<{ name: string; up: boolean }> } = {},
): Metrics {
  const registry = new Registry();
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'keycard_' });
  const registers = [registry];
  return {
    registry,
    logins: new Counter({
      name: 'keycard_logins_total',
      help: 'Sign-in attempts by result (success, failure, throttled)',
      labelNames: ['result'],
      registers,
    }),
    tokensIssued: new Counter({
      name: 'keycard_tokens_issued_total',
      help: 'Access tokens issued by grant',
      labelNames: ['grant'],
      registers,
    }),
    refreshes: new Counter({
      name: 'keycard_refresh_total',
      help: 'Successful refresh-token rotations',
      registers,
    }),
    reuseDetected: new Counter({
      name: 'keycard_refresh_reuse_detected_total',
      help: 'Refresh-token reuse detections (each revoked a session)',
      registers,
    }),
    revocations: new Counter({
      name: 'keycard_revocations_total',
      help: 'Revocation events published by type',
      labelNames: ['type'],
      registers,
    }),
    userinfo: new Counter({
      name: 'keycard_userinfo_total',
      help: 'UserInfo requests by result (ok, invalid_token, insufficient_scope)',
      labelNames: ['result'],
      registers,
    }),
    backchannelLogout: new Counter({
      name: 'keycard_backchannel_logout_total',
      help: 'Back-Channel Logout delivery attempts by result (delivered, refused, failed, timeout, aborted, dropped)',
      labelNames: ['result'],
      registers,
    }),
    authorizations: new Counter({
      name: 'keycard_authorizations_total',
      help: 'Authorization-endpoint outcomes by result (code, interaction, page_error, or the OAuth error sent)',
      labelNames: ['result'],
      registers,
    }),
    coordinatorUp: new Gauge({
      name: 'keycard_coordinator_up',
      help: 'Whether a shared coordinator backend is reachable (1) or not (0), by backend',
      labelNames: ['backend'],
      registers,
      collect() {
        for (const { name, up } of opts.coordinatorHealth?.() ?? []) this.set({ backend: name }, up ? 1 : 0);
      },
    }),
  };
}
