import { describe, expect, it } from 'vitest';
import {
  emailChanged,
  escapeHtml,
  type MailMessage,
  passwordReset,
  signupExisting,
  verifyEmail,
} from '../src/index.js';

/** The mails' texts: every interpolated value escaped in the HTML, only http(s) links. */

const HOSTILE_NAME = `<script>alert("x")</script>&'`;
const HOSTILE_LINK = `https://keycard.example/#/reset?token=abc&next="><img src=x onerror=alert(1)>`;

const templates: [string, (input: { to: string; username: string; link: string }) => MailMessage][] = [
  ['passwordReset', (i) => passwordReset({ ...i, ttlMinutes: 30 })],
  ['verifyEmail', (i) => verifyEmail(i)],
  ['signupExisting', (i) => signupExisting({ to: i.to, username: i.username, resetLink: i.link })],
];

describe('mail templates', () => {
  it('escapes & < > " and \'', () => {
    expect(escapeHtml(`a&b<c>d"e'f`)).toBe('a&amp;b&lt;c&gt;d&quot;e&#39;f');
  });

  it.each(templates)(
    '%s escapes the username and the link in the HTML, and keeps them as typed in the text',
    (_, make) => {
      const mail = make({ to: 'alice@example.com', username: HOSTILE_NAME, link: HOSTILE_LINK });
      expect(mail.to).toBe('alice@example.com');
      expect(mail.html).not.toContain('<script');
      expect(mail.html).not.toContain('<img');
      expect(mail.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;');
      expect(mail.html).toContain(`href="${escapeHtml(HOSTILE_LINK)}"`);
      // The only tags are the template's own.
      const tags = new Set([...mail.html.matchAll(/<\/?([a-z!]+)/gi)].map((m) => m[1]!.toLowerCase()));
      expect([...tags].sort()).toEqual(['!doctype', 'a', 'body', 'head', 'html', 'meta', 'p']);
      expect(mail.text).toContain(HOSTILE_NAME);
      expect(mail.text).toContain(`\n\n${HOSTILE_LINK}\n\n`);
      expect(mail.subject).not.toMatch(/[\r\n]/);
    },
  );

  it.each(templates)('%s refuses a link that is not http(s)', (_, make) => {
    for (const link of ['javascript:alert(1)', 'data:text/html,<b>x</b>', '/#/reset?token=x', 'https://']) {
      expect(() => make({ to: 'a@example.com', username: 'alice', link }), link).toThrow(
        expect.objectContaining({ code: 'ERR_INTERNAL' }),
      );
    }
  });

  it('says how long a reset link lives, and a sign-up for an existing account without a link points to the sign-in page', () => {
    const reset = passwordReset({
      to: 'a@example.com',
      username: 'alice',
      link: HOSTILE_LINK,
      ttlMinutes: 30,
    });
    expect(reset.text).toContain('within 30 minutes');
    const existing = signupExisting({ to: 'a@example.com', username: 'alice' });
    expect(existing.text).toContain('Forgot password');
    expect(existing.html).not.toContain('<a ');
  });

  it('the notice of a changed address escapes the username and the new address, and carries no link', () => {
    const hostileAddress = `"<img src=x onerror=alert(1)>"@evil.example`;
    const mail = emailChanged({ to: 'alice@old.example', username: HOSTILE_NAME, newEmail: hostileAddress });
    expect(mail.to).toBe('alice@old.example');
    expect(mail.html).not.toContain('<script');
    expect(mail.html).not.toContain('<img');
    expect(mail.html).toContain(escapeHtml(hostileAddress));
    const tags = new Set([...mail.html.matchAll(/<\/?([a-z!]+)/gi)].map((m) => m[1]!.toLowerCase()));
    expect([...tags].sort()).toEqual(['!doctype', 'body', 'head', 'html', 'meta', 'p']);
    expect(mail.text).toContain(hostileAddress);
    expect(mail.subject).not.toMatch(/[\r\n]/);
  });
});
