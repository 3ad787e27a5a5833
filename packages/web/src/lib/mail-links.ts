/**
 * A mail's plain text cut into text and links, for the Mailbox page: only `http:`/`https:`
 * addresses become links; everything else stays text (which Preact escapes when shown).
 */

/** A run of text, or a link. */
export type MailPart = { text: string } | { href: string; text: string };

const URL_PATTERN = /https?:\/\/[^\s<>"'`]+/g;
// Sentence punctuation right after a link is not part of it ("…/#/reset?token=abc.").
const TRAILING = /[.,;:!?)\]}]+$/;

/**
 * Splits `text` into text and link parts.
 *
 * @example
 * linkParts('Open https://desk.example/#/reset?token=x.'); // [{text:'Open '}, {href, text}, {text:'.'}]
 */
export function linkParts(text: string): MailPart[] {
  const parts: MailPart[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const start = match.index ?? 0;
    const raw = match[0];
    const url = raw.replace(TRAILING, '');
    let href: string | undefined;
    try {
      const parsed = new URL(url);
      if (parsed.protocol === 'http:' || parsed.protocol === 'https:') href = parsed.href;
    } catch {
      href = undefined;
    }
    if (href === undefined) continue;
    if (start > last) parts.push({ text: text.slice(last, start) });
    parts.push({ href, text: url });
    last = start + url.length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}
