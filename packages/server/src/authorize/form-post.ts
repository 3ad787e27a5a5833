import type { ServerContext } from '../context.js';
import { refusalRedirect } from './refuse.js';
import { parseAuthorizationRequest } from './request.js';
import type { AuthorizeOutcome } from './start.js';

/**
 * The longest query a POST authorization request is sent on with: 8 KiB, what proxies and servers
 * commonly take in a request line (the parser bounds every parameter it knows; others are free).
 */
export const MAX_FORWARDED_QUERY = 8192;

/** What {@link answerAuthorizationForm} reads. */
export type AuthorizationFormDeps = Pick<ServerContext, 'directory' | 'metrics' | 'issuer'>;

/**
 * A `POST /oauth/authorize` (a form, OIDC Core §3.1.2.1) is judged like the query (an error page
 * for an unknown client or redirect URI, every other error back to the client), and a valid one is
 * sent on as the same parameters to `GET` with a 303. A cross-site form POST carries no
 * `SameSite=Lax` cookie, so answered here it would always find nobody signed in: no single sign-on
 * and `prompt=none` always `login_required`. The GET that follows is a top-level navigation, which
 * carries the front-desk cookie.
 *
 * @example
 * ```ts
 * const outcome = await answerAuthorizationForm(ctx, new URLSearchParams(body), `${ctx.issuer}/oauth/authorize`);
 * ```
 */
export async function answerAuthorizationForm(
  ctx: AuthorizationFormDeps,
  params: URLSearchParams,
  endpoint: string,
): Promise<AuthorizeOutcome> {
  const parsed = await parseAuthorizationRequest(params, (id) => ctx.directory.client(id));
  if (parsed.kind === 'redirect-error')
    return { kind: 'redirect', location: refusalRedirect(ctx, parsed, parsed.error, parsed.description) };
  const query = params.toString();
  if (parsed.kind === 'page-error' || query.length > MAX_FORWARDED_QUERY) {
    ctx.metrics.authorizations.inc({ result: 'page_error' });
    return parsed.kind === 'page-error'
      ? { kind: 'page-error', error: parsed.error, description: parsed.description }
      : {
          kind: 'page-error',
          error: 'invalid_request',
          description: `the form is longer than ${MAX_FORWARDED_QUERY} characters once encoded`,
        };
  }
  // Counted by the GET it becomes.
  return { kind: 'redirect', location: `${endpoint}?${query}` };
}
