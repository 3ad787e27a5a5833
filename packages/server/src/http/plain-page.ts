import type { FastifyReply } from 'fastify';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

/**
 * A small self-contained HTML page for a browser that reached an OAuth endpoint directly (the
 * end-session endpoint's errors): no script, no style, no link, and never any request input —
 * only the fixed title and message given here. Not stored by any cache.
 *
 * @example
 * ```ts
 * return sendPlainPage(reply, 400, 'Sign-out failed', 'The post_logout_redirect_uri is not registered.');
 * ```
 */
export function sendPlainPage(
  reply: FastifyReply,
  status: number,
  title: string,
  message: string,
): FastifyReply {
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)} · Hotel Keycard</title>
</head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(message)}</p>
</main>
</body>
</html>
`;
  return reply.code(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(html);
}
