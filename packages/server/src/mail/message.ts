/**
 * One mail to one person. The text and HTML bodies may hold a secret (a reset or verification
 * link): they go to the relay and nowhere else — never into a log line or an error.
 *
 * @example
 * ```ts
 * const message: MailMessage = passwordReset({ to: 'alice@example.com', username: 'alice', link, ttlMinutes: 30 });
 * ```
 */
export interface MailMessage {
  /** One address (`alice@example.com`): no display name, no list. */
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Why a message was refused before it reached the queue (logged; the message itself never is). */
export type MailProblem = 'recipient' | 'subject' | 'body';

/** The longest body (each of text and HTML), in characters: ours are a few hundred. */
export const MAX_BODY_CHARS = 100_000;
const MAX_SUBJECT_CHARS = 200;

/**
 * A single bare address. No comma, semicolon, angle bracket, quote or whitespace: an address a
 * person typed into a sign-up form can never become a second recipient or a header.
 */
const SINGLE_ADDRESS = /^[^\s@<>()[\]\\,;:"]{1,64}@[^\s@<>()[\]\\,;:"]{1,253}$/u;

/**
 * Checks a message before it is queued: one recipient, a one-line subject, bounded bodies.
 *
 * @example
 * ```ts
 * mailProblem({ to: 'a@example.com, b@example.com', subject: 's', text: '', html: '' }); // 'recipient'
 * ```
 */
export function mailProblem(message: MailMessage): MailProblem | undefined {
  if (typeof message.to !== 'string' || message.to.length > 254 || !SINGLE_ADDRESS.test(message.to))
    return 'recipient';
  if (
    typeof message.subject !== 'string' ||
    message.subject.length > MAX_SUBJECT_CHARS ||
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
    /[\u0000-\u001f\u007f]/.test(message.subject)
  )
    return 'subject';
  if (
    typeof message.text !== 'string' ||
    typeof message.html !== 'string' ||
    message.text.length > MAX_BODY_CHARS ||
    message.html.length > MAX_BODY_CHARS
  )
    return 'body';
  return undefined;
}
