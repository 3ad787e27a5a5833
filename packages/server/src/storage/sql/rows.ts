import type { Selectable } from 'kysely';
import type {
  AudienceRecord,
  AuditEvent,
  ClientRecord,
  KeyState,
  NewRevocationEvent,
  RefreshTokenRecord,
  RevocationEvent,
  RoleRecord,
  SessionRecord,
  SigningKeyRecord,
  UserRecord,
} from '../types.js';
import type { Database } from './schema.js';

type Row<T extends keyof Database> = Selectable<Database[T]>;

const json = (value: unknown): string => JSON.stringify(value);
// Numbers are coerced too: a driver may hand back bigint columns as strings.
const num = (value: number | string): number => Number(value);
const numOrNull = (value: number | string | null): number | null => (value === null ? null : Number(value));
function parse<T>(text: string): T {
  return JSON.parse(text) as T;
}

export const userToRow = (u: UserRecord): Row<'users'> => ({
  id: u.id,
  username: u.username,
  username_key: u.usernameKey,
  password_hash: u.passwordHash,
  roles: json(u.roles),
  disabled: u.disabled ? 1 : 0,
  claims: json(u.claims),
  created_at: u.createdAt,
  updated_at: u.updatedAt,
  // A JS caller may leave the email fields out: no address.
  email: u.email ?? null,
  email_key: u.emailKey ?? null,
  email_verified_at: u.emailVerifiedAt ?? null,
});

export const rowToUser = (r: Row<'users'>): UserRecord => ({
  id: r.id,
  username: r.username,
  usernameKey: r.username_key,
  passwordHash: r.password_hash,
  roles: parse(r.roles),
  disabled: Boolean(Number(r.disabled)),
  claims: parse(r.claims),
  email: r.email,
  emailKey: r.email_key,
  emailVerifiedAt: numOrNull(r.email_verified_at),
  createdAt: num(r.created_at),
  updatedAt: num(r.updated_at),
});

export const clientToRow = (c: ClientRecord): Row<'clients'> => ({
  id: c.id,
  name: c.name,
  type: c.type,
  secret_hash: c.secretHash,
  first_party: c.firstParty ? 1 : 0,
  grants: json(c.grants),
  audiences: json(c.audiences),
  scopes: json(c.scopes),
  created_at: c.createdAt,
  multi_audience: c.multiAudience ? 1 : 0,
  require_dpop: c.requireDpop ? 1 : 0,
  token_exchange: json(c.tokenExchange),
  // A JS caller may leave the code-flow fields out: store the defaults.
  redirect_uris: json(c.redirectUris ?? []),
  post_logout_redirect_uris: json(c.postLogoutRedirectUris ?? []),
  backchannel_logout_uri: c.backchannelLogoutUri ?? null,
  jwks: c.jwks === undefined || c.jwks === null ? null : json(c.jwks),
});

export const rowToClient = (r: Row<'clients'>): ClientRecord => ({
  id: r.id,
  name: r.name,
  type: r.type as ClientRecord['type'],
  secretHash: r.secret_hash,
  firstParty: Boolean(Number(r.first_party)),
  grants: parse(r.grants),
  audiences: parse(r.audiences),
  scopes: parse(r.scopes),
  multiAudience: Boolean(Number(r.multi_audience)),
  requireDpop: Boolean(Number(r.require_dpop)),
  tokenExchange: parse(r.token_exchange),
  redirectUris: parse(r.redirect_uris),
  postLogoutRedirectUris: parse(r.post_logout_redirect_uris),
  backchannelLogoutUri: r.backchannel_logout_uri,
  jwks: r.jwks === null ? null : parse(r.jwks),
  createdAt: num(r.created_at),
});

export const rowToAudience = (r: Row<'audiences'>): AudienceRecord => ({
  id: r.id,
  name: r.name,
  scopes: parse(r.scopes),
  uri: r.uri,
  createdAt: num(r.created_at),
});

export const rowToRole = (r: Row<'roles'>): RoleRecord => ({
  name: r.name,
  scopes: parse(r.scopes),
  requireMfa: Number(r.require_mfa) === 1,
  createdAt: num(r.created_at),
});

export const sessionToRow = (s: SessionRecord): Row<'sessions'> => ({
  id: s.id,
  user_id: s.userId,
  client_id: s.clientId,
  audiences: json(s.audiences),
  scopes: json(s.scopes),
  created_at: s.createdAt,
  last_used_at: s.lastUsedAt,
  expires_at: s.expiresAt,
  revoked_at: s.revokedAt,
  revoked_reason: s.revokedReason,
  ip: s.ip,
  user_agent: s.userAgent,
  dpop_jkt: s.dpopJkt,
  browser_session_id: s.browserSessionId ?? null,
  auth_time: s.authTime ?? null,
  amr: s.amr === undefined || s.amr === null ? null : json(s.amr),
  offline: s.offline === true ? 1 : 0,
});

export const rowToSession = (r: Row<'sessions'>): SessionRecord => ({
  id: r.id,
  userId: r.user_id,
  clientId: r.client_id,
  audiences: parse(r.audiences),
  scopes: parse(r.scopes),
  createdAt: num(r.created_at),
  lastUsedAt: num(r.last_used_at),
  expiresAt: num(r.expires_at),
  revokedAt: numOrNull(r.revoked_at),
  revokedReason: r.revoked_reason,
  ip: r.ip,
  userAgent: r.user_agent,
  dpopJkt: r.dpop_jkt,
  browserSessionId: r.browser_session_id,
  authTime: numOrNull(r.auth_time),
  amr: r.amr === null ? null : parse(r.amr),
  offline: Number(r.offline) === 1,
});

export const refreshTokenToRow = (t: RefreshTokenRecord): Row<'refresh_tokens'> => ({
  hash: t.hash,
  session_id: t.sessionId,
  created_at: t.createdAt,
  expires_at: t.expiresAt,
  used_at: t.usedAt,
  replaced_by: t.replacedBy,
  successor_sealed: t.successorSealed,
});

export const rowToRefreshToken = (r: Row<'refresh_tokens'>): RefreshTokenRecord => ({
  hash: r.hash,
  sessionId: r.session_id,
  createdAt: num(r.created_at),
  expiresAt: num(r.expires_at),
  usedAt: numOrNull(r.used_at),
  replacedBy: r.replaced_by,
  successorSealed: r.successor_sealed,
});

export const keyToRow = (k: SigningKeyRecord): Row<'signing_keys'> => ({
  kid: k.kid,
  alg: k.alg,
  state: k.state,
  public_jwk: json(k.publicJwk),
  private_sealed: k.privateSealed,
  created_at: k.createdAt,
  activated_at: k.activatedAt,
  retired_at: k.retiredAt,
  remove_after: k.removeAfter,
});

export const rowToKey = (r: Row<'signing_keys'>): SigningKeyRecord => ({
  kid: r.kid,
  alg: r.alg,
  state: r.state as KeyState,
  publicJwk: parse(r.public_jwk),
  privateSealed: r.private_sealed,
  createdAt: num(r.created_at),
  activatedAt: numOrNull(r.activated_at),
  retiredAt: numOrNull(r.retired_at),
  removeAfter: numOrNull(r.remove_after),
});

/** The columns of a revocation row, without its cursor. */
export function revocationToRow(e: NewRevocationEvent) {
  const base = { type: e.type, at: e.at, expires_at: e.expiresAt };
  switch (e.type) {
    case 'session':
      return { ...base, target: e.sid, not_before: null };
    case 'token':
      return { ...base, target: e.jti, not_before: null };
    case 'key':
      return { ...base, target: e.kid, not_before: null };
    case 'subject':
      return { ...base, target: e.sub, not_before: e.notBefore };
    case 'role':
      return { ...base, target: e.role, not_before: e.notBefore };
  }
}

export function rowToRevocation(r: Row<'revocations'>): RevocationEvent {
  const base = { cursor: num(r.cursor), at: num(r.at), expiresAt: num(r.expires_at) };
  switch (r.type) {
    case 'session':
      return { cursor: base.cursor, type: 'session', sid: r.target, at: base.at, expiresAt: base.expiresAt };
    case 'token':
      return { cursor: base.cursor, type: 'token', jti: r.target, at: base.at, expiresAt: base.expiresAt };
    case 'key':
      return { cursor: base.cursor, type: 'key', kid: r.target, at: base.at, expiresAt: base.expiresAt };
    case 'role':
      return {
        cursor: base.cursor,
        type: 'role',
        role: r.target,
        notBefore: num(r.not_before ?? 0),
        at: base.at,
        expiresAt: base.expiresAt,
      };
    default:
      return {
        cursor: base.cursor,
        type: 'subject',
        sub: r.target,
        notBefore: num(r.not_before ?? 0),
        at: base.at,
        expiresAt: base.expiresAt,
      };
  }
}

export const auditToRow = (e: AuditEvent) => ({
  at: e.at,
  type: e.type,
  actor: e.actor,
  subject: e.subject,
  ip: e.ip,
  user_agent: e.userAgent,
  detail: json(e.detail),
});

export const rowToAudit = (r: Row<'audit_events'>): AuditEvent => ({
  id: num(r.id),
  at: num(r.at),
  type: r.type,
  actor: r.actor,
  subject: r.subject,
  ip: r.ip,
  userAgent: r.user_agent,
  detail: parse(r.detail),
});
