/**
 * A mail's plain text with its web links clickable. Only the text part is ever shown (never the
 * HTML body), and only `http:`/`https:` addresses become links; everything else stays text that
 * Preact escapes.
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

/** The mail's text, links clickable. */
export function MailText({ text }: { text: string }) {
  return (
    <pre class="mail-text" data-testid="mail-text">
      {linkParts(text).map((part, i) =>
        'href' in part ? (
          <a key={i} href={part.href} rel="noopener noreferrer" data-testid="mail-link">
            {part.text}
          </a>
        ) : (
          part.text
        ),
      )}
    </pre>
  );
}
