/**
 * A mail's plain text with its web links clickable. Only the text part is ever shown (never the
 * HTML body).
 */
import { linkParts } from '../../lib/mail-links.js';

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
