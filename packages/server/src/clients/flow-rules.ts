import { ServerError } from '../errors.js';
import type { ClientRecord } from '../storage/index.js';
import { checkRedirectUris } from './redirect-uri.js';

/**
 * What a client of the authorization-code flow registers beside its grants: where the browser is
 * sent back after sign-in and sign-out, where back-channel logout is delivered, and how a
 * confidential client proves who it is (a secret, public keys for `private_key_jwt`, or both).
 */

/** Most redirect URIs (and, separately, post-logout redirect URIs) one client may register. */
export const MAX_CLIENT_URIS = 20;
/** Longest back-channel logout URI accepted. */
export const MAX_BACKCHANNEL_LOGOUT_URI_LENGTH = 2048;

const LOOPBACK_HOSTNAMES = new Set(['127.0.0.1', '[::1]', 'localhost']);

/**
 * Why a back-channel logout URI (OIDC Back-Channel Logout 1.0 §2.2) cannot be registered, or
 * undefined when it can: an absolute https URL (http only on a loopback host, for local
 * development), without a fragment or user info.
 *
 * @example
 * ```ts
 * backchannelLogoutUriProblem('https://app.example.com/logout'); // undefined
 * backchannelLogoutUriProblem('http://app.example.com/logout'); // 'must use https …'
 * ```
 */
export function backchannelLogoutUriProblem(uri: string): string | undefined {
  if (typeof uri !== 'string' || uri.length === 0) return 'must be a non-empty string';
  if (uri.length > MAX_BACKCHANNEL_LOGOUT_URI_LENGTH)
    return `must be at most ${MAX_BACKCHANNEL_LOGOUT_URI_LENGTH} characters`;
  if (uri.includes('#')) return 'must not contain a fragment (#)';
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.username !== '' || url.password !== '') return 'must not contain user info';
  if (url.protocol === 'https:') return url.hostname === '' ? 'must name a host' : undefined;
  if (url.protocol === 'http:') {
    return LOOPBACK_HOSTNAMES.has(url.hostname)
      ? undefined
      : 'must use https (http only on the loopback hosts 127.0.0.1, [::1] and localhost)';
  }
  return 'must use https (http only on the loopback hosts 127.0.0.1, [::1] and localhost)';
}

/**
 * Checks the code-flow fields and credentials of a client about to be stored. Throws
 * ERR_VALIDATION naming the field. Its `jwks`, if any, were checked by `checkClientJwks`.
 * `ownRedirectUri` is a redirect URI of the server's own (the built-in web app's `{issuer}/`):
 * accepted whatever its form, for that client only.
 */
export function checkFlowFields(client: ClientRecord, ownRedirectUri?: string): void {
  const invalid = (message: string) => new ServerError('ERR_VALIDATION', { message });
  const codeFlow = client.grants.includes('authorization_code');
  for (const field of ['redirectUris', 'postLogoutRedirectUris'] as const) {
    const uris = client[field];
    if (uris.length > MAX_CLIENT_URIS) throw invalid(`${field}: at most ${MAX_CLIENT_URIS} URIs`);
    checkRedirectUris(field, uris, field === 'redirectUris' ? ownRedirectUri : undefined);
  }
  if (codeFlow && client.redirectUris.length === 0)
    throw invalid('redirectUris: the authorization_code grant needs at least one redirect URI');
  if (!codeFlow && client.redirectUris.length > 0)
    throw invalid(
      'redirectUris: only a client with the authorization_code grant is redirected to; add the grant or remove them',
    );
  // Logout across apps ends the sign-ins of the front desk's browser sessions, which only the
  // code flow starts: another client would never be called back nor sent back.
  if (!codeFlow && client.postLogoutRedirectUris.length > 0)
    throw invalid(
      'postLogoutRedirectUris: only a client with the authorization_code grant signs in through the browser; add the grant or remove them',
    );
  if (client.backchannelLogoutUri !== null) {
    if (!codeFlow)
      throw invalid(
        'backchannelLogoutUri: only a client with the authorization_code grant has browser sign-ins to end; add the grant or remove it',
      );
    const problem = backchannelLogoutUriProblem(client.backchannelLogoutUri);
    if (problem !== undefined) throw invalid(`backchannelLogoutUri: ${problem}`);
  }
  checkCredentials(client);
}

/** A confidential client authenticates with a secret, its keys (`private_key_jwt`), or either. */
function checkCredentials(client: ClientRecord): void {
  const hasKeys = client.jwks !== undefined && client.jwks !== null;
  if (client.type === 'public' && hasKeys)
    throw new ServerError('ERR_VALIDATION', {
      message: 'jwks: a public client has no credentials; register keys on a confidential client',
    });
  if (client.type === 'confidential' && client.secretHash === null && !hasKeys)
    throw new ServerError('ERR_VALIDATION', {
      message: 'secret: a confidential client needs a client secret, jwks (private_key_jwt), or both',
    });
}
