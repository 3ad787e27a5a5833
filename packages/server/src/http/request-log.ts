import type { FastifyRequest } from 'fastify';

/**
 * What a request's log line says of it. A URL can carry secrets and personal data in its query —
 * `id_token_hint` at `/oauth/logout`, `login_hint`, `state` and `nonce` at `/oauth/authorize` — so
 * the line keeps the path and the query's parameter names, with values only for these few, which
 * are never secret nor about a person.
 */
export const LOGGED_QUERY_VALUES: ReadonlySet<string> = new Set([
  'response_type',
  'response_mode',
  'client_id',
  'prompt',
  'max_age',
  'code_challenge_method',
  'grant_type',
  'token_type_hint',
]);

/** Longest name or shown value kept, and most parameters listed: a log line stays small. */
const MAX_PART = 64;
const MAX_PARAMS = 30;

const clip = (text: string) =>
  encodeURIComponent(text.length > MAX_PART ? `${text.slice(0, MAX_PART)}…` : text);

/**
 * The URL as a log line may show it: the path, then each query parameter's name, with `=value`
 * only for {@link LOGGED_QUERY_VALUES}.
 *
 * @example
 * ```ts
 * loggableUrl('/oauth/logout?id_token_hint=eyJ…&client_id=app'); // '/oauth/logout?id_token_hint&client_id=app'
 * ```
 */
export function loggableUrl(url: string): string {
  const at = url.indexOf('?');
  if (at === -1) return url;
  const parts: string[] = [];
  for (const [name, value] of new URLSearchParams(url.slice(at + 1))) {
    if (parts.length === MAX_PARAMS) {
      parts.push('…');
      break;
    }
    parts.push(LOGGED_QUERY_VALUES.has(name) ? `${clip(name)}=${clip(value)}` : clip(name));
  }
  return `${url.slice(0, at)}?${parts.join('&')}`;
}

/**
 * Fastify's `req` log serializer with {@link loggableUrl} in place of the raw URL (and nothing of
 * the headers or the body, which hold cookies, credentials and proofs).
 */
export function serializeRequest(request: FastifyRequest) {
  return {
    method: request.method,
    url: loggableUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}
