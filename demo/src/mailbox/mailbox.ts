import { PortInUseError } from '../hotel/ports.js';
import { type MailboxHttp, startMailboxHttp } from './mailbox-http.js';
import { type MailSink, startMailSink } from './sink.js';

/** The hotel's mailbox: the SMTP sink the front desk mails to, and its read-only HTTP listing. */
export interface Mailbox {
  readonly sink: MailSink;
  /** `GET` it for the received mail, newest first (`ui.mailbox`). */
  readonly url: string;
  /** The front desk's `mail` configuration: the sink, a demo sender address. */
  readonly mailConfig: { smtp: { host: string; port: number; secure: false }; from: string };
  close(): Promise<void>;
}

/** The demo front desk's sender address (a reserved example domain: nothing is ever delivered). */
export const DEMO_MAIL_FROM = 'front-desk@hotel.example';

/**
 * Starts the sink on 127.0.0.1 (an ephemeral port) and the mailbox listing on `port` (0: a free
 * one), both loopback only: the mailed links are secrets even in a demo.
 *
 * @example
 * ```ts
 * const mailbox = await startMailbox({ port: 4005, origins: ['http://127.0.0.1:4000'] });
 * const config = loadConfig({ overrides: { mail: mailbox.mailConfig, ui: { mailbox: mailbox.url } } });
 * ```
 */
export async function startMailbox(opts: { port: number; origins: readonly string[] }): Promise<Mailbox> {
  const sink = await startMailSink();
  let http: MailboxHttp;
  try {
    http = await startMailboxHttp(sink, { port: opts.port, origins: opts.origins });
  } catch (error) {
    await sink.close();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE')
      throw new PortInUseError('mailbox', opts.port);
    throw error;
  }
  return {
    sink,
    url: http.url,
    mailConfig: { smtp: { host: sink.host, port: sink.port, secure: false }, from: DEMO_MAIL_FROM },
    async close() {
      await http.close();
      await sink.close();
    },
  };
}
