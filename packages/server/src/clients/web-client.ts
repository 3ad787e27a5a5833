import { type ServerContext, WEB_CLIENT_ID } from '../context.js';
import type { ClientGrant, ClientRecord } from '../storage/index.js';

/**
 * The built-in web app (`keycard-web`) signs in through the authorization-code flow like any app:
 * the server sends the browser back to where it serves the app, the issuer's root. That URI is the
 * server's own, so it is registered whatever its form (also `http://localhost:…`, which the
 * registration rules refuse for every other client), and it follows the issuer at each start.
 */

/** The grants of the built-in web app: the code flow and its refresh; `password` for `/api/login`. */
export const WEB_CLIENT_GRANTS: readonly ClientGrant[] = ['password', 'refresh_token', 'authorization_code'];

/**
 * Where the built-in web app receives its authorization response: `{issuer}/`.
 *
 * @example
 * ```ts
 * webAppRedirectUri('https://keycard.example.com'); // 'https://keycard.example.com/'
 * ```
 */
export function webAppRedirectUri(issuer: string): string {
  return `${issuer.replace(/\/+$/, '')}/`;
}

/** What {@link alignWebClient} reads. */
export type AlignWebClientDeps = Pick<ServerContext, 'storage' | 'issuer' | 'directory'>;

/**
 * Makes the stored `keycard-web` a client of the code flow at this issuer: it gets the
 * authorization_code grant if it lacks it (a database seeded by an older version), and its redirect
 * URIs become exactly `{issuer}/` — no other one, since a first-party client signs a browser in
 * without asking and its every redirect URI must be the server's own. An admin who deleted the
 * client keeps it deleted. Returns whether the record changed.
 *
 * @example
 * ```ts
 * await alignWebClient(ctx); // after the issuer is known (the socket is bound)
 * ```
 */
export async function alignWebClient(ctx: AlignWebClientDeps): Promise<boolean> {
  const client = await ctx.storage.clients.get(WEB_CLIENT_ID);
  if (client === undefined) return false;
  const redirectUri = webAppRedirectUri(ctx.issuer);
  const grants: ClientGrant[] = client.grants.includes('authorization_code')
    ? client.grants
    : [...client.grants, 'authorization_code'];
  if (grants === client.grants && client.redirectUris.length === 1 && client.redirectUris[0] === redirectUri)
    return false;
  const next: ClientRecord = { ...client, grants, redirectUris: [redirectUri] };
  if (!(await ctx.storage.clients.update(next))) return false;
  ctx.directory.invalidate();
  return true;
}
