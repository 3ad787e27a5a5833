import type { FastifyRequest } from 'fastify';
import pino, { type Logger } from 'pino';

/** Paths pino replaces with `[redacted]`: credentials must never reach a log line. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers.dpop',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'password',
  'newPassword',
  'currentPassword',
  'refresh_token',
  'refreshToken',
  'client_secret',
  'clientSecret',
  'access_token',
  'accessToken',
  'token',
  'secret',
  'masterKey',
  '*.password',
  '*.newPassword',
  '*.currentPassword',
  '*.refresh_token',
  '*.refreshToken',
  '*.client_secret',
  '*.clientSecret',
  '*.access_token',
  '*.accessToken',
  '*.token',
  '*.secret',
  '*.masterKey',
];

/**
 * The server's pino logger with redaction.
 *
 * @example
 * ```ts
 * const logger = createLogger('info');
 * ```
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, destination);
}

/**
 * Query parameters whose values never reach a log line: tokens (an `id_token_hint` is a whole ID
 * token), credentials a client might put in a URL, and personal data (`login_hint`).
 */
const SECRET_QUERY_PARAMETERS = new Set([
  'id_token_hint',
  'login_hint',
  'access_token',
  'refresh_token',
  'code',
  'code_verifier',
  'client_secret',
  'client_assertion',
  'password',
]);

/**
 * A request URL for the log: the values of {@link SECRET_QUERY_PARAMETERS} replaced by
 * `[redacted]`, everything else as sent.
 *
 * @example
 * ```ts
 * redactedUrl('/oauth/logout?id_token_hint=eyJ…&state=s'); // '/oauth/logout?id_token_hint=[redacted]&state=s'
 * ```
 */
export function redactedUrl(url: string): string {
  const at = url.indexOf('?');
  if (at === -1) return url;
  const pairs = url
    .slice(at + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawName = eq === -1 ? pair : pair.slice(0, eq);
      let name = rawName;
      try {
        name = decodeURIComponent(rawName.replace(/\+/g, ' '));
      } catch {
        // A malformed escape: judged as written.
      }
      return SECRET_QUERY_PARAMETERS.has(name) ? `${rawName}=[redacted]` : pair;
    });
  return `${url.slice(0, at)}?${pairs.join('&')}`;
}

/** Fastify's request log fields, with the URL's secrets redacted ({@link redactedUrl}). */
export function requestSerializer(request: FastifyRequest) {
  return {
    method: request.method,
    url: redactedUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}
