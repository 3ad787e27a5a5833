import type { FastifyInstance } from 'fastify';
import type { KeycardConfig } from '../config/index.js';

/**
 * The CSP for the web app: no inline scripts, no framing, same-origin everything except that the
 * front-desk page may call the configured door services (`ui.doors`) and the demo mailbox (`ui.mailbox`).
 */
export function contentSecurityPolicy(config: KeycardConfig): string {
  const urls = [
    ...config.ui.doors.map((door) => door.url),
    ...(config.ui.mailbox ? [config.ui.mailbox] : []),
  ];
  const doors = [...new Set(urls.map((url) => new URL(url).origin))];
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    ["connect-src 'self'", ...doors].join(' '),
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Headers on every response; the CSP on HTML. */
export function registerSecurityHeaders(app: FastifyInstance, config: KeycardConfig): void {
  const csp = contentSecurityPolicy(config);
  // An https issuer: browsers must never fall back to http for this host (one year, RFC 6797).
  const hsts = config.issuer?.startsWith('https://') === true;
  // A callback hook (not async): it runs on every answer, and a promise per answer is waste.
  app.addHook('onSend', (request, reply, payload, done) => {
    if (hsts) reply.header('strict-transport-security', 'max-age=31536000');
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    // Account and admin answers are personal: never stored by a shared cache.
    if (
      (request.url.startsWith('/api/') || request.url.startsWith('/oauth/')) &&
      !reply.hasHeader('cache-control')
    ) {
      reply.header('cache-control', 'no-store');
    }
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && type.startsWith('text/html')) {
      // The page the server renders itself (server-page.ts) sets a stricter one.
      if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', csp);
      reply.header('cross-origin-opener-policy', 'same-origin');
    }
    done(null, payload);
  });
}
