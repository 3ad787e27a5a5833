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
  'code_verifier',
  'client_assertion',
  'logout_token',
  'id_token_hint',
  'login_hint',
  'interaction',
  'subject_token',
  'actor_token',
  // `code` alone is a log line's error code (ERR_…): an authorization code only as a request field.
  'body.code',
  'query.code',
  'req.body.code',
  'req.query.code',
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
  '*.code_verifier',
  '*.client_assertion',
  '*.logout_token',
  '*.id_token_hint',
  '*.login_hint',
  '*.interaction',
  '*.subject_token',
  '*.actor_token',
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
