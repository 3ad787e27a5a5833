/**
 * The demo's mailbox (`ui.mailbox`): a read-only listing of what the front desk mailed, served by
 * the demo on loopback. Read cross-origin without cookies; only its text parts are ever shown.
 */
import { AppError } from '../lib/errors.js';

/** One mail as the Mailbox page shows it (the HTML body is never rendered, so never kept). */
export interface MailboxMail {
  id: number;
  to: string[];
  from: string;
  subject: string;
  text: string;
  /** When it arrived, ms since the epoch. */
  receivedAt: number;
}

function mailFrom(value: unknown): MailboxMail | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const m = value as Record<string, unknown>;
  const to = Array.isArray(m['to']) ? m['to'].filter((t): t is string => typeof t === 'string') : [];
  if (typeof m['id'] !== 'number' || typeof m['receivedAt'] !== 'number') return undefined;
  return {
    id: m['id'],
    to,
    from: typeof m['from'] === 'string' ? m['from'] : '',
    subject: typeof m['subject'] === 'string' ? m['subject'] : '',
    text: typeof m['text'] === 'string' ? m['text'] : '',
    receivedAt: m['receivedAt'],
  };
}

/**
 * The mails at `url`, newest first. Throws AppError ERR_NETWORK or ERR_BAD_RESPONSE.
 *
 * @example
 * const mails = await listMailbox(config.mailbox);
 */
export async function listMailbox(url: string): Promise<MailboxMail[]> {
  let response: Response;
  try {
    response = await fetch(url, {
      credentials: 'omit',
      cache: 'no-store',
      headers: { Accept: 'application/json' },
      signal: AbortSignal.timeout(10_000),
    });
  } catch (cause) {
    throw AppError.of('ERR_NETWORK', { cause });
  }
  if (!response.ok) throw AppError.of('ERR_BAD_RESPONSE', { status: response.status });
  let body: unknown;
  try {
    body = await response.json();
  } catch (cause) {
    throw AppError.of('ERR_BAD_RESPONSE', { status: response.status, cause });
  }
  if (!Array.isArray(body)) throw AppError.of('ERR_BAD_RESPONSE', { status: response.status });
  const mails = body.map(mailFrom).filter((m): m is MailboxMail => m !== undefined);
  return mails.sort((a, b) => b.receivedAt - a.receivedAt || b.id - a.id);
}
