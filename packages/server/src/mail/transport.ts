import { isIP } from 'node:net';
import type { KeycardConfig } from '../config/index.js';
import type { MailMessage } from './message.js';

/**
 * The SMTP side of the mailer: nodemailer, loaded on the first mail (a server without mail never
 * loads it), one connection per message, every phase bounded by `mail.timeoutMs`.
 */

/** The relay settings of a configured mailer. */
export type SmtpConfig = NonNullable<KeycardConfig['mail']['smtp']>;

/** Sends one message, once; rejects with nodemailer's error. */
export interface SmtpTransport {
  sendOnce(message: MailMessage, signal: AbortSignal): Promise<void>;
  close(): void;
}

/** What a failed attempt is logged as: codes only. The message, its link and the relay's reply text never are. */
export interface SendFailure {
  /** nodemailer's step code (`ECONNECTION`, `ETIMEDOUT`, `EAUTH`, `EENVELOPE`, …) or `EABORT`. */
  code: string;
  /** The system error under it (`ECONNREFUSED`, `ENOTFOUND`), when there is one. */
  cause?: string;
  /** The relay's SMTP reply code (421, 550, …), when it answered. */
  responseCode?: number;
  /** The SMTP command that failed (`CONN`, `AUTH PLAIN`, `RCPT TO`, `DATA`). */
  command?: string;
}

/** Loopback relays (a local MTA) may speak without TLS; any other must offer STARTTLS. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  return h === '::1' || h.startsWith('::ffff:127.');
}

/**
 * @example
 * ```ts
 * const transport = createSmtpTransport(config.mail.smtp, config.mail.from, config.mail.timeoutMs);
 * await transport.sendOnce(message, AbortSignal.timeout(20_000));
 * ```
 */
export function createSmtpTransport(smtp: SmtpConfig, from: string, timeoutMs: number): SmtpTransport {
  type Transporter = ReturnType<typeof import('nodemailer').createTransport>;
  let loading: Promise<Transporter> | undefined;
  const transporter = () => {
    loading ??= import('nodemailer').then((nodemailer) =>
      nodemailer.createTransport({
        host: smtp.host,
        port: smtp.port,
        secure: smtp.secure,
        // Links in our mail open accounts: never sent in clear past this machine.
        requireTLS: !smtp.secure && !isLoopback(smtp.host),
        auth: smtp.user === undefined ? undefined : { user: smtp.user, pass: smtp.password ?? '' },
        connectionTimeout: timeoutMs,
        greetingTimeout: timeoutMs,
        socketTimeout: timeoutMs,
        dnsTimeout: timeoutMs,
        // Only the strings we pass: no file path or URL is ever read into a mail.
        disableFileAccess: true,
        disableUrlAccess: true,
        maxRecipients: 1,
        logger: false,
      }),
    );
    return loading;
  };
  return {
    async sendOnce(message, signal) {
      const transport = await transporter();
      await transport.sendMail({
        from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        // RFC 3834: no out-of-office replies to a machine.
        headers: { 'auto-submitted': 'auto-generated' },
        signal,
      });
    },
    close() {
      void loading?.then((t) => t.close()).catch(() => {});
    },
  };
}

const CODE = /^[A-Z][A-Z0-9_]{1,40}$/;
const COMMAND = /^[A-Z][A-Z ]{1,20}$/;

/**
 * The loggable part of a send error: codes that say what went wrong, never `message` or
 * `response` (the relay may quote what it was sent).
 *
 * @example
 * ```ts
 * logger.warn({ mail: sendFailure(err) }, 'mail not sent');
 * ```
 */
export function sendFailure(error: unknown): SendFailure {
  const e = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  const pick = (value: unknown, shape: RegExp) =>
    typeof value === 'string' && shape.test(value) ? value : undefined;
  const failure: SendFailure = { code: pick(e.code, CODE) ?? 'EUNKNOWN' };
  const cause = pick(e.originalCode, CODE);
  if (cause !== undefined) failure.cause = cause;
  if (typeof e.responseCode === 'number' && Number.isInteger(e.responseCode))
    failure.responseCode = e.responseCode;
  const command = pick(e.command, COMMAND);
  if (command !== undefined) failure.command = command;
  return failure;
}

/** Connection-level codes worth another attempt (the relay may be restarting or briefly unreachable). */
const TRANSIENT = new Set(['ECONNECTION', 'ESOCKET', 'ETIMEDOUT', 'EDNS', 'EABORT']);

/**
 * Whether another attempt may succeed: a 4xx reply (RFC 5321: transient) or a lost, refused or
 * timed-out connection. A 5xx reply, a refused login or a TLS failure will fail the same way again.
 */
export function isTransient(failure: SendFailure): boolean {
  if (failure.responseCode !== undefined) return failure.responseCode >= 400 && failure.responseCode < 500;
  return TRANSIENT.has(failure.code);
}
