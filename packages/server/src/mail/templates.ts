import { ServerError } from '../errors.js';
import type { MailMessage } from './message.js';

/**
 * The mails the server sends, as plain text and minimal HTML. Every value put into the HTML is
 * escaped (a username is user input), and a link must be http(s): a `javascript:` or `data:` URL
 * never becomes a button.
 */

/** Escapes text for HTML element content and double- or single-quoted attributes. */
export function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

function checkedLink(link: string): string {
  if (!/^https?:\/\//i.test(link) || !URL.canParse(link))
    throw new ServerError('ERR_INTERNAL', { message: 'A mailed link must be an http(s) URL' });
  return link;
}

/** A mail's parts in order: paragraphs, then an optional link, then closing paragraphs. */
interface Parts {
  before: string[];
  link?: { href: string; label: string };
  after: string[];
}

/** The plain-text body: the link on a line of its own, where a mail client makes it clickable. */
function textBody(parts: Parts): string {
  return [...parts.before, ...(parts.link ? [parts.link.href] : []), ...parts.after].join('\n\n');
}

/** A small HTML document, every value escaped; the link also written out for clients that hide it. */
function htmlBody(parts: Parts): string {
  const paragraph = (p: string) => `<p>${escapeHtml(p)}</p>`;
  const link =
    parts.link === undefined
      ? []
      : [
          `<p><a href="${escapeHtml(parts.link.href)}">${escapeHtml(parts.link.label)}</a></p>`,
          `<p style="font-size:small;color:#555">${escapeHtml(parts.link.href)}</p>`,
        ];
  return [
    '<!doctype html>',
    '<html><head><meta charset="utf-8"></head>',
    '<body style="font-family:sans-serif;line-height:1.5">',
    ...parts.before.map(paragraph),
    ...link,
    ...parts.after.map(paragraph),
    '</body></html>',
  ].join('\n');
}

function message(to: string, subject: string, parts: Parts): MailMessage {
  return { to, subject, text: textBody(parts), html: htmlBody(parts) };
}

/**
 * The password-reset mail: the link opens the reset page, once, for `ttlMinutes`.
 *
 * @example
 * ```ts
 * ctx.mailer.send(passwordReset({ to: email, username: 'alice', link: `${issuer}/#/reset?token=${token}`, ttlMinutes: 30 }));
 * ```
 */
export function passwordReset(input: {
  to: string;
  username: string;
  link: string;
  ttlMinutes: number;
}): MailMessage {
  const link = checkedLink(input.link);
  const minutes = Math.max(1, Math.round(input.ttlMinutes));
  return message(input.to, 'Reset your keycard password', {
    before: [
      `Hello ${input.username},`,
      `Someone asked to reset the password of your keycard account. To choose a new password, open this link within ${minutes} minutes (it works once):`,
    ],
    link: { href: link, label: 'Choose a new password' },
    after: ['If it was not you, ignore this mail: your password stays as it is.'],
  });
}

/**
 * The email-verification mail: the link confirms that this address belongs to the account.
 *
 * @example
 * ```ts
 * ctx.mailer.send(verifyEmail({ to: email, username: 'alice', link: `${issuer}/#/verify-email?token=${token}` }));
 * ```
 */
export function verifyEmail(input: { to: string; username: string; link: string }): MailMessage {
  const link = checkedLink(input.link);
  return message(input.to, 'Confirm your email address for keycard', {
    before: [
      `Hello ${input.username},`,
      'Please confirm that this email address belongs to your keycard account by opening this link:',
    ],
    link: { href: link, label: 'Confirm this address' },
    after: ['If you did not ask for this, ignore this mail: nothing changes.'],
  });
}

/**
 * The mail a sign-up with an address (or username) that already has an account sends to that
 * account's owner, instead of an error that would tell the requester the account exists.
 *
 * @example
 * ```ts
 * ctx.mailer.send(signupExisting({ to: user.email, username: user.username, resetLink }));
 * ```
 */
export function signupExisting(input: { to: string; username: string; resetLink?: string }): MailMessage {
  const before = [
    `Hello ${input.username},`,
    'Someone tried to create a keycard account with your email address or username. Your account already exists: you can keep signing in as before.',
  ];
  const after = ['If it was not you, ignore this mail: nothing changes.'];
  const subject = 'Your keycard account already exists';
  if (input.resetLink === undefined)
    return message(input.to, subject, {
      before: [...before, 'If you forgot your password, choose "Forgot password" on the sign-in page.'],
      after,
    });
  return message(input.to, subject, {
    before: [
      ...before,
      'If you forgot your password, you can choose a new one with this link (it works once):',
    ],
    link: { href: checkedLink(input.resetLink), label: 'Choose a new password' },
    after,
  });
}

/**
 * The notice mailed to an account's previous address when a change of address is confirmed: the
 * previous address no longer receives the reset links, so its owner must hear of the change from
 * it, in case it was not them.
 *
 * @example
 * ```ts
 * ctx.mailer.send(emailChanged({ to: 'alice@old.example', username: 'alice', newEmail: 'alice@new.example' }));
 * ```
 */
export function emailChanged(input: { to: string; username: string; newEmail: string }): MailMessage {
  return message(input.to, 'Your keycard email address was changed', {
    before: [
      `Hello ${input.username},`,
      `The email address of your keycard account was changed to ${input.newEmail}. Password reset links now go to that address, not to this one.`,
    ],
    after: [
      'If it was not you, someone else may be able to sign in to your account: sign in and change your password now, or contact your administrator if you cannot.',
    ],
  });
}
