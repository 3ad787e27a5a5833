import { IDENTITY_SCOPES, type UserInfo } from '@keycard/protocol';
import type { UserRecord } from '../storage/index.js';

const IDENTITY = new Set<string>(IDENTITY_SCOPES);

/**
 * The OpenID Connect scope of a session that outlives its browser session (Core §11). Never part
 * of a default grant: a client must ask for it by name.
 */
export const OFFLINE_ACCESS = 'offline_access';

/**
 * Whether a scope is an OpenID Connect scope (`openid`, `profile`, `email`, `offline_access`). Identity
 * scopes are not audience scopes: a client gets them when its registered scopes include them
 * (roles do not grant them), they reach only user cards, and no audience's registered scopes make
 * a card carry them — they are read by `/oauth/userinfo` and the ID token, never by a door.
 */
export function isIdentityScope(scope: string): boolean {
  return IDENTITY.has(scope);
}

/**
 * The holder's own claims that `scopes` allow (OpenID Connect Core §5.4): `profile` gives
 * `preferred_username` and `updated_at`; `email` gives `email` and `email_verified`. They come from
 * the account's address when it has one (`email_verified` whether it is proven): a user-defined
 * claim named `email` never overrides it, since relying parties may trust a verified address as an
 * identity. Only an account without an address falls back to its `email` claim (an admin sets
 * those; `email_verified` false unless the claims say `true`), as before accounts had addresses.
 *
 * @example
 * ```ts
 * identityClaims(user, ['openid', 'profile']); // { preferred_username: 'alice', updated_at: 1767225600 }
 * ```
 */
export function identityClaims(user: UserRecord, scopes: readonly string[]): Omit<UserInfo, 'sub'> {
  const claims: Omit<UserInfo, 'sub'> = {};
  if (scopes.includes('profile')) {
    claims.preferred_username = user.username;
    claims.updated_at = Math.floor(user.updatedAt / 1000);
  }
  if (!scopes.includes('email')) return claims;
  if (user.email !== null) {
    claims.email = user.email;
    claims.email_verified = user.emailVerifiedAt !== null;
    return claims;
  }
  const email = user.claims['email'];
  if (typeof email === 'string' && email !== '') {
    claims.email = email;
    claims.email_verified = user.claims['email_verified'] === true;
  }
  return claims;
}
