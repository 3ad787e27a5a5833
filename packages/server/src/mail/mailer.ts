import type { KeycardConfig } from '../config/index.js';
import type { Logger } from '../context.js';
import { type MailMessage, mailProblem } from './message.js';
import { createSmtpTransport, isTransient, type SendFailure, sendFailure } from './transport.js';

/**
 * The server's outgoing mail. `send` returns at once: the message waits in a bounded in-process
 * queue and is handed to the SMTP relay in the background, so no HTTP answer waits for (or
 * reveals anything through) the relay. A failure is logged with its codes only — the body holds a
 * secret link — and retried a few times when it may pass later.
 */
export interface Mailer {
  /** False when `mail.smtp` is not set: `send` then drops every message (the email flows are off). */
  readonly configured: boolean;
  /** Queues a message; never throws. A bad message, a full queue or a closed mailer is logged, not raised. */
  send(message: MailMessage): void;
  /** Resolves once nothing is queued, being sent or waiting for a retry (tests and close use it). */
  idle(): Promise<void>;
  /**
   * Takes no more mail, lets what is queued go out for up to `waitMs` (default
   * {@link mailCloseWaitMs}) without further retries, then drops what is left (logged) and
   * aborts attempts in flight.
   */
  close(waitMs?: number): Promise<void>;
}

/** Tuning for tests; the defaults suit a server. */
export interface MailerOptions {
  /** Attempts per message, the first included (default 3). */
  attempts?: number;
  /** Wait before the first retry, ms (default 2000); each later one waits twice as long. */
  retryDelayMs?: number;
}

/** Messages queued or in flight at once; beyond, new ones are dropped (logged). */
export const MAX_PENDING_MAIL = 1000;
/** Messages handed to the relay at once (one connection each). */
const CONCURRENCY = 2;
const MAX_CLOSE_WAIT_MS = 10_000;

/**
 * How long closing lets queued mail go out: twice `mail.timeoutMs` (one whole attempt), at most 10 s.
 *
 * @example
 * ```ts
 * mailCloseWaitMs({ timeoutMs: 10_000 }); // 10000
 * ```
 */
export function mailCloseWaitMs(mail: { timeoutMs: number }): number {
  return Math.min(2 * mail.timeoutMs, MAX_CLOSE_WAIT_MS);
}

/**
 * @example
 * ```ts
 * const mailer = createMailer(config.mail, logger);
 * mailer.send(passwordReset({ to: 'alice@example.com', username: 'alice', link, ttlMinutes: 30 }));
 * await mailer.close();
 * ```
 */
export function createMailer(
  config: KeycardConfig['mail'],
  logger: Logger,
  options: MailerOptions = {},
): Mailer {
  if (config.smtp === null || config.from === undefined) return unconfiguredMailer(logger);
  const attempts = options.attempts ?? 3;
  const retryDelayMs = options.retryDelayMs ?? 2000;
  const transport = createSmtpTransport(config.smtp, config.from, config.timeoutMs);
  const queue: MailMessage[] = [];
  /** Messages taken from the queue and not finished yet (sending, or waiting to retry). */
  let active = 0;
  /** Dropped for a full queue since the queue was last empty (one warning, then a count). */
  let dropped = 0;
  let closing = false;
  let closed: Promise<void> | undefined;
  /** Aborted when the close's wait is over: attempts in flight stop. */
  const aborting = new AbortController();
  const retryWaits = new Set<() => void>();
  let idleWaiters: (() => void)[] = [];

  const settled = () => queue.length === 0 && active === 0;

  function afterMessage(): void {
    active--;
    pump();
    if (!settled()) return;
    if (dropped > 0) {
      logger.warn({ mail: { dropped } }, 'mail queue was full: messages were dropped');
      dropped = 0;
    }
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  function pump(): void {
    while (active < CONCURRENCY && queue.length > 0) {
      const message = queue.shift()!;
      active++;
      void deliver(message).finally(afterMessage);
    }
  }

  /** Waits `ms` unless closing cuts it short; resolves whether it ran to its end. */
  const wait = (ms: number) =>
    new Promise<boolean>((resolve) => {
      const stop = () => {
        clearTimeout(timer);
        retryWaits.delete(stop);
        resolve(false);
      };
      const timer = setTimeout(() => {
        retryWaits.delete(stop);
        resolve(true);
      }, ms);
      timer.unref();
      retryWaits.add(stop);
    });

  async function deliver(message: MailMessage): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      let failure: SendFailure;
      try {
        // The whole attempt is bounded too: each phase alone could be kept barely alive.
        const signal = AbortSignal.any([aborting.signal, AbortSignal.timeout(2 * config.timeoutMs)]);
        await transport.sendOnce(message, signal);
        return;
      } catch (error) {
        failure = sendFailure(error);
      }
      const retry = attempt < attempts && isTransient(failure) && !closing;
      if (!retry) {
        const reason = aborting.signal.aborted ? 'mail not sent: the server is stopping' : 'mail not sent';
        logger.error({ mail: { ...failure, attempt } }, reason);
        return;
      }
      logger.warn({ mail: { ...failure, attempt } }, 'mail not sent yet: will retry');
      if (!(await wait(retryDelayMs * 2 ** (attempt - 1)))) {
        logger.error({ mail: { ...failure, attempt } }, 'mail not sent: the server is stopping');
        return;
      }
    }
  }

  const idle = () =>
    settled() ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve));

  return {
    configured: true,
    send(message) {
      try {
        if (closing) {
          logger.warn('mail not sent: the mailer is closed');
          return;
        }
        const problem = mailProblem(message);
        if (problem !== undefined) {
          logger.warn({ mail: { problem } }, 'mail not sent: the message is malformed');
          return;
        }
        if (queue.length + active >= MAX_PENDING_MAIL) {
          if (dropped++ === 0)
            logger.warn({ mail: { pending: MAX_PENDING_MAIL } }, 'mail queue is full: dropping messages');
          return;
        }
        queue.push(message);
        pump();
      } catch (error) {
        // A message whose getter throws, a logger that throws: the caller must not fail for it.
        // The error itself is not logged: it may quote the message.
        try {
          logger.error({ mail: { code: 'EINTERNAL', name: (error as Error)?.name } }, 'mail not sent');
        } catch {}
      }
    },
    idle,
    close(waitMs = mailCloseWaitMs(config)) {
      closed ??= (async () => {
        closing = true;
        // Retries would outlast the wait: the messages waiting for one are given up now.
        for (const stop of [...retryWaits]) stop();
        let timer: NodeJS.Timeout | undefined;
        const drained = await Promise.race([
          idle().then(() => true),
          new Promise<boolean>((resolve) => {
            timer = setTimeout(() => resolve(false), waitMs);
          }),
        ]);
        clearTimeout(timer);
        if (!drained) {
          const left = queue.length;
          queue.length = 0;
          if (left > 0) logger.error({ mail: { dropped: left } }, 'mail not sent: the server is stopping');
          aborting.abort();
          await idle();
        }
        transport.close();
      })();
      return closed;
    },
  };
}

/** `mail.smtp` unset: nothing is sent; a send is a bug in a flow that should have answered 404. */
function unconfiguredMailer(logger: Logger): Mailer {
  let warned = false;
  return {
    configured: false,
    send() {
      if (warned) return;
      warned = true;
      try {
        logger.warn('mail not sent: mail is not configured (mail.smtp)');
      } catch {}
    },
    idle: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}
