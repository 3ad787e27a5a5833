import { BACKCHANNEL_LOGOUT_EVENT, LOGOUT_TOKEN_TYP, type LogoutTokenClaims } from '@keycard/protocol';
import type { ServerContext } from '../context.js';
import { randomToken } from '../crypto/index.js';

/**
 * OpenID Connect Back-Channel Logout 1.0: when a browser session ends, each client that signed the
 * user in through it and registered a `backchannel_logout_uri` gets a signed logout token, POSTed
 * from the server (never through the browser, so no page waits for it).
 *
 * Each attempt is bounded (`backchannelLogout.timeoutMs`); a client that is unreachable, times out
 * or answers 5xx/429/408 is retried after `retryDelayMs`, then twice as long each time, until
 * `attempts` ran. Any other non-2xx answer is final: the client looked at the token and refused it.
 * Every attempt is audited (`logout.backchannel`) and counted (`keycard_backchannel_logout_total`).
 * Each attempt carries a fresh token (new `jti`, `iat`, two-minute `exp`), so a late retry never
 * sends an expired one.
 *
 * Closing (a server stopping, a CLI command ending) takes no new deliveries but gives those under
 * way time to finish: {@link closeWaitMs} (the time their attempts may take, at most 10 s). A
 * retry due later than that is dropped at once; what is still running when it is over is aborted
 * (both audited `aborted`).
 */

/** One client to tell that a browser session ended. */
export interface BackchannelLogoutNotice {
  clientId: string;
  /** The client's registered `backchannel_logout_uri`. */
  uri: string;
  userId: string;
  /** The browser session that ended (the ID tokens' `sid`). */
  sid: string;
}

/** The background sender of logout tokens; one per server. */
export interface BackchannelLogout {
  /** Starts delivering in the background and returns at once. */
  send(notice: BackchannelLogoutNotice): void;
  /** Resolves once every delivery started so far has finished (delivered, refused, given up or aborted). */
  idle(): Promise<void>;
  /**
   * Ignores later sends, lets deliveries under way finish for up to `waitMs` (default
   * {@link closeWaitMs}), then drops pending retries and aborts attempts in flight; resolves when
   * all have stopped.
   */
  close(waitMs?: number): Promise<void>;
}

/** What `createBackchannelLogout` reads (`issuer` is read at each attempt: it is known once the socket is bound). */
export type BackchannelLogoutDeps = Pick<
  ServerContext,
  'config' | 'issuer' | 'keys' | 'clock' | 'audit' | 'metrics' | 'logger'
>;

type Result = 'delivered' | 'refused' | 'failed' | 'timeout' | 'aborted' | 'dropped';

/** Lifetime of a logout token, seconds (the specification suggests two minutes). */
export const LOGOUT_TOKEN_TTL = 120;
/** Deliveries (with their retries) that may be pending at once; beyond, new ones are dropped and audited. */
const MAX_PENDING = 1000;
const RETRYABLE_STATUS = new Set([408, 429]);
/** The longest a close waits for deliveries under way. */
const MAX_CLOSE_WAIT_MS = 10_000;

/**
 * How long closing waits for deliveries under way: `attempts × timeoutMs`, never more than 10 s,
 * so a CLI command or a stopping server tells the clients without hanging on one that is down.
 *
 * @example
 * ```ts
 * closeWaitMs({ backchannelLogout: { attempts: 4, timeoutMs: 5000 } }); // 10000
 * ```
 */
export function closeWaitMs(config: { backchannelLogout: { attempts: number; timeoutMs: number } }): number {
  const { attempts, timeoutMs } = config.backchannelLogout;
  return Math.min(attempts * timeoutMs, MAX_CLOSE_WAIT_MS);
}

/**
 * @example
 * ```ts
 * const backchannel = createBackchannelLogout(ctx);
 * backchannel.send({ clientId: 'travel', uri: 'https://travel.example/bcl', userId, sid });
 * await backchannel.close();
 * ```
 */
export function createBackchannelLogout(deps: BackchannelLogoutDeps): BackchannelLogout {
  const { timeoutMs, attempts, retryDelayMs } = deps.config.backchannelLogout;
  /** Aborted when the close's wait is over: attempts in flight stop. */
  const aborting = new AbortController();
  /** While closing: when (performance.now) what is left is aborted. */
  let deadline: number | undefined;
  let closed: Promise<void> | undefined;
  const running = new Set<Promise<void>>();
  const waits = new Map<() => void, number>();

  const record = (notice: BackchannelLogoutNotice, attempt: number, result: Result, extra = {}) => {
    deps.metrics.backchannelLogout.inc({ result });
    void deps.audit.record('logout.backchannel', {
      actor: 'system',
      subject: notice.clientId,
      detail: { sid: notice.sid, attempt, result, ...extra },
    });
  };

  /** Waits `ms` unless closing ends it first; resolves whether the wait ran to its end. */
  const wait = (ms: number) =>
    new Promise<boolean>((resolve) => {
      const endsAt = performance.now() + ms;
      if (aborting.signal.aborted || (deadline !== undefined && endsAt > deadline)) {
        resolve(false);
        return;
      }
      const stop = () => {
        clearTimeout(timer);
        waits.delete(stop);
        resolve(false);
      };
      const timer = setTimeout(() => {
        waits.delete(stop);
        resolve(true);
      }, ms);
      timer.unref();
      waits.set(stop, endsAt);
    });

  async function attemptOnce(notice: BackchannelLogoutNotice): Promise<{ result: Result; status?: number }> {
    const now = Math.floor(deps.clock() / 1000);
    const claims: LogoutTokenClaims = {
      iss: deps.issuer,
      aud: notice.clientId,
      iat: now,
      exp: now + LOGOUT_TOKEN_TTL,
      jti: randomToken(16),
      sub: notice.userId,
      sid: notice.sid,
      events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
    };
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const onAbort = () => controller.abort();
    aborting.signal.addEventListener('abort', onAbort);
    try {
      const { token } = await deps.keys.sign({ ...claims }, { typ: LOGOUT_TOKEN_TYP });
      const response = await fetch(notice.uri, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ logout_token: token }).toString(),
        // A redirect is an answer, never followed: the token goes to the registered URI only.
        redirect: 'manual',
        signal: controller.signal,
      });
      await response.body?.cancel().catch(() => {});
      if (response.ok) return { result: 'delivered', status: response.status };
      const retry = response.status >= 500 || RETRYABLE_STATUS.has(response.status);
      return { result: retry ? 'failed' : 'refused', status: response.status };
    } catch {
      if (aborting.signal.aborted) return { result: 'aborted' };
      return { result: timedOut ? 'timeout' : 'failed' };
    } finally {
      clearTimeout(timer);
      aborting.signal.removeEventListener('abort', onAbort);
    }
  }

  async function deliver(notice: BackchannelLogoutNotice): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const { result, status } = await attemptOnce(notice);
      const final = result !== 'failed' && result !== 'timeout';
      if (final || attempt >= attempts) {
        record(notice, attempt, result, status === undefined ? {} : { status });
        if (result !== 'delivered' && result !== 'aborted') {
          deps.logger.warn(
            { clientId: notice.clientId, attempt, result, status },
            'back-channel logout failed',
          );
        }
        return;
      }
      const delay = retryDelayMs * 2 ** (attempt - 1);
      record(notice, attempt, result, { ...(status === undefined ? {} : { status }), retryInMs: delay });
      if (!(await wait(delay))) {
        record(notice, attempt + 1, 'aborted');
        return;
      }
    }
  }

  async function idle(): Promise<void> {
    while (running.size > 0) await Promise.all([...running]);
  }

  return {
    send(notice) {
      if (closed !== undefined) return;
      if (running.size >= MAX_PENDING) {
        record(notice, 0, 'dropped');
        deps.logger.warn({ clientId: notice.clientId }, 'back-channel logout dropped: too many pending');
        return;
      }
      const task: Promise<void> = deliver(notice)
        .catch((err: unknown) => deps.logger.error({ err }, 'back-channel logout failed'))
        .finally(() => running.delete(task));
      running.add(task);
    },
    idle,
    close(waitMs = closeWaitMs(deps.config)) {
      closed ??= (async () => {
        deadline = performance.now() + waitMs;
        // A retry due after the deadline would only be aborted then: drop it now.
        for (const [stop, endsAt] of [...waits]) if (endsAt > deadline) stop();
        const timer = setTimeout(() => {
          aborting.abort();
          for (const stop of [...waits.keys()]) stop();
        }, waitMs);
        await idle();
        clearTimeout(timer);
      })();
      return closed;
    },
  };
}
