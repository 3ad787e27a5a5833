import type { FastifyReply } from 'fastify';
import { sha256Base64 } from '../crypto/index.js';

/**
 * The small HTML page the server renders itself, for a browser that reached an endpoint directly
 * and must not be sent anywhere: `/oauth/authorize` when it must not redirect (an unknown client,
 * an unregistered redirect URI, a malformed request) or cannot serve the sign-in pages, and
 * `/oauth/logout` when it refuses a request or has nowhere to send the browser. Every other page
 * is the web app's. It never repeats what the request sent (only keycard's own fixed sentences),
 * and it is locked down on its own: no script at all, its one inline style allowed by hash, no
 * framing, no form target, no base URL, no referrer.
 */

const STYLE = [
  'body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2330;background:#f6f3ec}',
  'main{max-width:34rem;margin:12vh auto;padding:2rem 2.25rem;background:#fff;border-radius:10px;',
  'box-shadow:0 1px 2px rgb(28 36 55/8%),0 4px 16px rgb(28 36 55/6%);border-top:4px solid #c9a45c}',
  'h1{margin:0 0 .75rem;font-size:1.35rem;color:#1c2437}p{margin:.5rem 0}',
  '.detail{margin-top:1.25rem;font-size:.875rem;color:#5f6472}',
  'code{font-family:ui-monospace,Menlo,Consolas,monospace;background:#f1ede4;padding:.1rem .3rem;border-radius:4px}',
].join('');

/** The page's Content-Security-Policy: nothing but its own inline style. */
export const SERVER_PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${sha256Base64(STYLE)}'`,
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

/** What the page says: a title, a sentence for the person, and a technical line for the app's developers. */
export interface ServerPageText {
  title: string;
  message: string;
  /** e.g. `invalid_request: redirect_uri is missing` — a fixed sentence of keycard's, never request input. */
  detail?: string;
}

/** The page's HTML. */
export function serverPageHtml(text: ServerPageText): string {
  const detail =
    text.detail === undefined
      ? ''
      : `<p class="detail">For the app's developers: <code>${escapeHtml(text.detail)}</code></p>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex">
<title>${escapeHtml(text.title)} · Hotel Keycard</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${escapeHtml(text.title)}</h1>
<p>${escapeHtml(text.message)}</p>
${detail}
</main>
</body>
</html>
`;
}

/**
 * Sends the page with `status`, never cached, with its own CSP (the security-headers hook keeps a
 * CSP a route set).
 *
 * @example
 * ```ts
 * return sendServerPage(reply, 400, { title: 'Sign-out failed', message: 'The client is unknown.' });
 * ```
 */
export function sendServerPage(reply: FastifyReply, status: number, text: ServerPageText): FastifyReply {
  return reply
    .code(status)
    .header('content-security-policy', SERVER_PAGE_CSP)
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(serverPageHtml(text));
}
