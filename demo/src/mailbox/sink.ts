import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';

/**
 * A local SMTP server that keeps what it receives in memory: the demo hotel's "mailbox" and the
 * tests' mail catcher (test/support/mail-sink.ts re-exports this one implementation). Loopback
 * only, no TLS and no login (nothing leaves this machine), bounded: at most {@link MAX_MAILS}
 * messages of at most {@link MAX_MAIL_BYTES} each, the oldest dropped first.
 */

/** One received message, as the mailbox shows it. */
export interface ReceivedMail {
  /** Order of arrival in this sink, from 1. */
  id: number;
  /** The envelope's recipients (who the sender really addressed, whatever the headers say). */
  to: string[];
  /** The `From:` header as written (`"Hotel" <desk@hotel.example>`), or the envelope sender. */
  from: string;
  subject: string;
  text: string;
  /** The HTML body, '' when the message had none. */
  html: string;
  /** When it arrived, ms since the epoch. */
  receivedAt: number;
}

/** A running sink. */
export interface MailSink {
  readonly host: string;
  readonly port: number;
  /** What arrived, oldest first (at most {@link MAX_MAILS}). */
  readonly messages: readonly ReceivedMail[];
  /** The first message (already here or still to come) that `pred` accepts; rejects after `timeoutMs`. */
  waitFor(pred: (mail: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  /** Stops listening and ends open connections. */
  close(): Promise<void>;
}

/** Messages kept; older ones are dropped. */
export const MAX_MAILS = 200;
/** The largest message accepted (advertised as SIZE; a bigger one is refused with 552). */
export const MAX_MAIL_BYTES = 1024 * 1024;
const MAX_RECIPIENTS = 50;

/** `waitFor` gave up. */
export class MailWaitTimeoutError extends Error {
  readonly code = 'ERR_DEMO_MAIL_TIMEOUT';
  constructor(timeoutMs: number) {
    super(`No matching mail arrived within ${timeoutMs} ms`);
    this.name = 'MailWaitTimeoutError';
  }
}

/** Reads the DATA stream, keeping at most the size limit in memory. */
function readMessage(stream: SMTPServerDataStream): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    stream.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes <= MAX_MAIL_BYTES) chunks.push(chunk);
    });
    stream.once('error', reject);
    stream.once('end', () => resolve(stream.sizeExceeded ? undefined : Buffer.concat(chunks)));
  });
}

/**
 * Starts the sink on 127.0.0.1 and an ephemeral port (unless told otherwise).
 *
 * @example
 * ```ts
 * const sink = await startMailSink();
 * // config: { mail: { smtp: { host: '127.0.0.1', port: sink.port }, from: 'desk@hotel.example' } }
 * const mail = await sink.waitFor((m) => m.to.includes('alice@hotel.example'), 5000);
 * await sink.close();
 * ```
 */
export async function startMailSink(opts: { host?: string; port?: number } = {}): Promise<MailSink> {
  const host = opts.host ?? '127.0.0.1';
  const messages: ReceivedMail[] = [];
  const waiters = new Set<(mail: ReceivedMail) => void>();
  let nextId = 1;

  const keep = (mail: ReceivedMail) => {
    messages.push(mail);
    if (messages.length > MAX_MAILS) messages.splice(0, messages.length - MAX_MAILS);
    for (const waiter of [...waiters]) waiter(mail);
  };

  const onData = (
    stream: SMTPServerDataStream,
    session: SMTPServerSession,
    done: (err?: Error | null) => void,
  ): void => {
    readMessage(stream)
      .then(async (raw) => {
        if (raw === undefined) {
          done(Object.assign(new Error('Message too large'), { responseCode: 552 }));
          return;
        }
        const parsed = await simpleParser(raw, { skipTextToHtml: true, skipImageLinks: true });
        const envelopeFrom = session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address;
        keep({
          id: nextId++,
          to: session.envelope.rcptTo.slice(0, MAX_RECIPIENTS).map((r) => r.address),
          from: parsed.from?.text ?? envelopeFrom,
          subject: parsed.subject ?? '',
          text: parsed.text ?? '',
          html: typeof parsed.html === 'string' ? parsed.html : '',
          receivedAt: Date.now(),
        });
        done();
      })
      .catch(() => done(Object.assign(new Error('Message not understood'), { responseCode: 554 })));
  };

  const server = new SMTPServer({
    banner: 'keycard demo mail sink',
    // Loopback only: no TLS to negotiate and no login to check.
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    size: MAX_MAIL_BYTES,
    maxClients: 20,
    socketTimeout: 30_000,
    closeTimeout: 1000,
    disableReverseLookup: true,
    logger: false,
    onRcptTo(_address, session, callback) {
      callback(
        session.envelope.rcptTo.length >= MAX_RECIPIENTS
          ? Object.assign(new Error('Too many recipients'), { responseCode: 452 })
          : null,
      );
    },
    onData,
  });
  server.on('error', () => {
    // A client that misbehaves ends its own connection; the sink keeps serving.
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const port = (server.server.address() as AddressInfo).port;

  return {
    host,
    port,
    messages,
    waitFor(pred, timeoutMs = 5000) {
      const found = messages.find(pred);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new MailWaitTimeoutError(timeoutMs));
        }, timeoutMs);
        const waiter = (mail: ReceivedMail) => {
          if (!pred(mail)) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(mail);
        };
        waiters.add(waiter);
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
