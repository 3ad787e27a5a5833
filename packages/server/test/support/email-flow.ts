// Helpers for the email-flow tests: a real keycard server whose mail goes to the demo's SMTP sink
// (the one implementation, test/support/mail-sink.ts), and the links read back out of that mail.
import { type MailSink, type ReceivedMail, startMailSink } from '../../../../test/support/mail-sink.js';
import type { CreateServerOptions, KeycardConfigInput } from '../../src/index.js';
import { type Running, startServer } from '../helpers.js';

export const MAIL_FROM = 'front-desk@hotel.example';

/** A server on loopback with `mail.smtp` pointing at a fresh sink; closing closes both. */
export async function startMailServer(
  config: KeycardConfigInput = {},
  options: CreateServerOptions & { dir?: string } = {},
): Promise<{ r: Running; sink: MailSink }> {
  const sink = await startMailSink();
  const r = await startServer(
    { mail: { smtp: { host: '127.0.0.1', port: sink.port }, from: MAIL_FROM }, ...config },
    options,
  ).catch(async (error: unknown) => {
    await sink.close();
    throw error;
  });
  const close = r.close.bind(r);
  r.close = async () => {
    await close();
    await sink.close();
  };
  return { r, sink };
}

/** The token of the one link in a mail's text body (`…/#/reset?token=…` or `…/#/verify-email?token=…`). */
export function tokenOf(mail: ReceivedMail, route: 'reset' | 'verify-email'): string {
  const match = new RegExp(`/#/${route}\\?token=([A-Za-z0-9_-]+)`).exec(mail.text);
  if (match?.[1] === undefined) throw new Error(`no ${route} link in the mail "${mail.subject}"`);
  return match[1];
}

/** The first mail to `to` after the `seen` first ones whose subject matches. */
export function nextMail(
  sink: MailSink,
  to: string,
  subject: RegExp,
  seen = 0,
  timeoutMs = 10_000,
): Promise<ReceivedMail> {
  // Compared case-insensitively: the envelope may carry the domain lower-cased.
  const address = to.toLowerCase();
  return sink.waitFor(
    (m) => m.id > seen && m.to.some((t) => t.toLowerCase() === address) && subject.test(m.subject),
    timeoutMs,
  );
}

/** The id of the newest mail in the sink (0 when none): a later `nextMail` looks only past it. */
export function lastMailId(sink: MailSink): number {
  return sink.messages.at(-1)?.id ?? 0;
}

/**
 * Waits until the work the email endpoints leave for after their answer is done: each such task
 * ends by auditing (`type`), so once `count` events of that type are stored, every mail those
 * requests queued is in the mailer; then until the mailer has handed it all to the sink (or
 * failed). Lets a test say "no mail was sent" without sleeping.
 */
export async function settled(r: Running, type: string, count: number, timeoutMs = 10_000): Promise<void> {
  const { audit, storage, mailer } = r.server.services;
  const until = Date.now() + timeoutMs;
  for (;;) {
    await audit.flush();
    const events = await storage.audit.list({ type, limit: 1000 });
    if (events.length >= count) break;
    if (Date.now() > until)
      throw new Error(`${events.length} of ${count} ${type} events after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await mailer.idle();
}

export const RESET_SUBJECT = /Reset your keycard password/;
export const VERIFY_SUBJECT = /Confirm your email address/;
export const EXISTS_SUBJECT = /already exists/;
export const CHANGED_SUBJECT = /email address was changed/;
