/**
 * The records of the account and admin APIs (`/api/*`, `/api/admin/*`). Every time is in epoch
 * seconds; `null` means "has not happened".
 */

/**
 * A keyset-paged list as the server sends it: the items under their own name (`users`,
 * `clients`, …) and the `next` cursor (pass it as `after=`; `null` on the last page).
 *
 * @example
 * ```ts
 * const page: Page<'users', AdminUser> = await (await fetch('/api/admin/users')).json();
 * ```
 */
export type Page<Key extends string, Item> = { [K in Key]: Item[] } & { next: string | null };

/** `GET /api/me`. */
export interface Me {
  id: string;
  username: string;
  roles: string[];
  claims: Record<string, unknown>;
  session_id: string;
  scope: string;
  /** Always the API audience (`keycard`): the account API accepts no other card. */
  aud: string;
  /** The account's email address, `null` when it has none. */
  email: string | null;
  /** Whether the owner proved they read mail at `email` (only a verified address gets reset links). */
  email_verified: boolean;
}

/** One of the caller's own sessions (`GET /api/sessions`). */
export interface AccountSession {
  id: string;
  clientId: string;
  createdAt: number;
  lastUsedAt: number;
  expiresAt: number;
  ip: string | null;
  userAgent: string | null;
  /** The session of the card that asked. */
  current: boolean;
  /** Granted `offline_access`: it outlives signing out of the apps (revoke it here or under "Apps you allowed"). */
  offline: boolean;
}

/** `GET /api/sessions`. */
export interface AccountSessions {
  sessions: AccountSession[];
}

/** What the caller allowed a client (`GET /api/account/consents`). */
export interface AccountConsent {
  clientId: string;
  clientName: string;
  scopes: string[];
  audiences: string[];
  createdAt: number;
  updatedAt: number;
}

/** `GET /api/account/consents`: oldest first. */
export interface AccountConsents {
  consents: AccountConsent[];
}

/** `POST /api/register`. */
export interface RegisteredUser {
  id: string;
  username: string;
  roles: string[];
}

/** A user (`/api/admin/users`). */
export interface AdminUser {
  id: string;
  username: string;
  roles: string[];
  disabled: boolean;
  claims: Record<string, unknown>;
  /** The user's email address, `null` when none. */
  email: string | null;
  /** Whether the address is verified (set by an admin, or proven by a mailed link). */
  emailVerified: boolean;
  createdAt: number;
  updatedAt: number;
}

/** A user in the admin list: the record and which second factors they set up (who enrolled). */
export interface AdminUserListed extends AdminUser {
  /** Whether a TOTP is confirmed, and how many passkeys. */
  mfa: { totp: boolean; passkeys: number };
}

/** Grant types a client can be registered for. */
export type ClientGrant =
  | 'password'
  | 'refresh_token'
  | 'client_credentials'
  | 'authorization_code'
  | 'urn:ietf:params:oauth:grant-type:token-exchange';

/**
 * One public key a client registered for `private_key_jwt` (RFC 7523): its public members only,
 * always with `kid` and `alg`.
 */
export interface ClientJwk {
  kty: string;
  kid: string;
  alg: string;
  use?: string;
  key_ops?: string[];
  crv?: string;
  x?: string;
  y?: string;
  n?: string;
  e?: string;
}

/** A client (`/api/admin/clients`); its secret is never in it. */
export interface AdminClient {
  id: string;
  name: string;
  type: 'public' | 'confidential';
  /** Whether it has a client secret (shown once, at creation; never again). */
  hasSecret: boolean;
  firstParty: boolean;
  grants: ClientGrant[];
  audiences: string[];
  scopes: string[];
  multiAudience: boolean;
  requireDpop: boolean;
  tokenExchange: { from: string; to: string; scopes: string[] }[];
  /** Where the authorization-code flow may send the browser back. */
  redirectUris: string[];
  /** Where RP-initiated logout may send the browser back. */
  postLogoutRedirectUris: string[];
  /** OpenID Connect Back-Channel Logout endpoint, or null. */
  backchannelLogoutUri: string | null;
  /** The public keys it signs `private_key_jwt` assertions with, or null. */
  jwks: { keys: ClientJwk[] } | null;
  createdAt: number;
}

/**
 * `POST /api/admin/clients` body. `secret: false` registers a confidential client without a secret
 * (it authenticates with its `jwks`); a confidential client gets a secret by default.
 */
export interface NewAdminClient {
  id: string;
  type: 'public' | 'confidential';
  grants: ClientGrant[];
  name?: string;
  firstParty?: boolean;
  audiences?: string[];
  scopes?: string[];
  multiAudience?: boolean;
  requireDpop?: boolean;
  tokenExchange?: { from: string; to: string; scopes: string[] }[];
  redirectUris?: string[];
  postLogoutRedirectUris?: string[];
  backchannelLogoutUri?: string | null;
  jwks?: { keys: Record<string, unknown>[] } | null;
  secret?: boolean;
}

/** `POST /api/admin/clients`: the client, and for a confidential client its secret, shown this once. */
export interface CreatedClient extends AdminClient {
  secret?: string;
}

/** An audience, i.e. a service a card can be for (`/api/admin/audiences`). */
export interface AdminAudience {
  id: string;
  name: string;
  scopes: string[];
  /** RFC 8707 resource indicator naming this audience. */
  uri: string | null;
  createdAt: number;
}

/** A role and the scopes it grants (`/api/admin/roles`). */
export interface AdminRole {
  name: string;
  scopes: string[];
  /** Its holders must sign in with a second factor, and its admins make changes only with a card of such a sign-in. */
  require_mfa: boolean;
  createdAt: number;
}

/** `POST /api/admin/roles` body: creates or replaces a role (`require_mfa` left out keeps the role's). */
export interface AdminRoleInput {
  name: string;
  scopes?: string[];
  require_mfa?: boolean;
}

/** A signing key (`GET /api/admin/keys`): published `next`, signing `current`, or `retired`. */
export interface AdminKey {
  kid: string;
  alg: string;
  state: 'next' | 'current' | 'retired';
  createdAt: number;
  activatedAt: number | null;
  retiredAt: number | null;
  /** When a retired key leaves the JWKS. */
  removeAfter: number | null;
}

/** `GET /api/admin/keys`. */
export interface AdminKeys {
  keys: AdminKey[];
}

/** `POST /api/admin/keys/rotate`: key ids after the rotation. */
export interface KeyRotation {
  current: string;
  retired: string | null;
  next: string;
}

/** `POST /api/admin/keys/:kid/revoke`: key ids after the withdrawal. */
export interface KeyWithdrawal {
  revoked: string;
  current: string | null;
  next: string | null;
}

/** An active session of any user (`GET /api/admin/sessions`). */
export interface AdminSession {
  id: string;
  userId: string;
  /** `null` when the user has been deleted. */
  username: string | null;
  clientId: string;
  audiences: string[];
  scopes: string[];
  createdAt: number;
  lastUsedAt: number;
  expiresAt: number;
  ip: string | null;
  userAgent: string | null;
  /** Whether the session's refresh tokens are bound to a DPoP key. */
  dpopBound: boolean;
}

/** One audit log entry (`GET /api/admin/audit`), newest first. */
export interface AuditEntry {
  id: number;
  at: number;
  type: string;
  actor: string | null;
  subject: string | null;
  ip: string | null;
  userAgent: string | null;
  detail: Record<string, unknown>;
}

/**
 * `GET /api/admin/audit` query: `since` (inclusive) and `until` (exclusive) are epoch seconds;
 * `before` is the `next` of the previous page (an entry id).
 */
export interface AuditQuery {
  type?: string;
  actor?: string;
  subject?: string;
  since?: number;
  until?: number;
  limit?: number;
  before?: number;
}

/** `GET /api/admin/audit`: `next` is the `before` of the next page, `null` after the last. */
export interface AuditPage {
  events: AuditEntry[];
  next: string | null;
}
