import type { Generated } from 'kysely';

/**
 * Row shapes shared by the SQLite and PostgreSQL adapters. Times are integer milliseconds
 * (INTEGER / bigint), booleans are 0/1 integers and JSON values are text, so one set of
 * queries and row mappers serves both databases.
 */
export interface Database {
  users: UsersTable;
  clients: ClientsTable;
  audiences: AudiencesTable;
  roles: RolesTable;
  sessions: SessionsTable;
  refresh_tokens: RefreshTokensTable;
  signing_keys: SigningKeysTable;
  revocations: RevocationsTable;
  audit_events: AuditEventsTable;
  authorization_codes: AuthorizationCodesTable;
  consents: ConsentsTable;
  browser_sessions: BrowserSessionsTable;
  totp_factors: TotpFactorsTable;
  recovery_codes: RecoveryCodesTable;
  passkeys: PasskeysTable;
  email_tokens: EmailTokensTable;
}

export interface UsersTable {
  id: string;
  username: string;
  username_key: string;
  password_hash: string;
  roles: string;
  disabled: number;
  claims: string;
  created_at: number;
  updated_at: number;
  /** Migration 0010: the address, its lookup key (unique when not null) and when it was verified. */
  email: string | null;
  email_key: string | null;
  email_verified_at: number | null;
}

export interface ClientsTable {
  id: string;
  name: string;
  type: string;
  secret_hash: string | null;
  first_party: number;
  grants: string;
  audiences: string;
  scopes: string;
  created_at: number;
  /** Migration 0002: 0/1, 0/1 and a JSON array of exchange rules. */
  multi_audience: number;
  require_dpop: number;
  token_exchange: string;
  /** Migration 0008: JSON arrays of URIs, and a URI or null. */
  redirect_uris: string;
  post_logout_redirect_uris: string;
  backchannel_logout_uri: string | null;
  /** Migration 0009: a JWKS (JSON) for private_key_jwt, or null. */
  jwks: string | null;
}

export interface AudiencesTable {
  id: string;
  name: string;
  scopes: string;
  created_at: number;
  /** Migration 0002: RFC 8707 resource URI, unique when not null. */
  uri: string | null;
}

export interface RolesTable {
  name: string;
  scopes: string;
  created_at: number;
  /** Migration 0010: 0/1. */
  require_mfa: number;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  client_id: string;
  audiences: string;
  scopes: string;
  created_at: number;
  last_used_at: number;
  expires_at: number;
  revoked_at: number | null;
  revoked_reason: string | null;
  ip: string | null;
  user_agent: string | null;
  /** Migration 0002. */
  dpop_jkt: string | null;
  /** Migration 0009: the code flow's browser session, auth time, amr (JSON) and offline_access (0/1). */
  browser_session_id: string | null;
  auth_time: number | null;
  amr: string | null;
  offline: number;
}

export interface RefreshTokensTable {
  hash: string;
  session_id: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  replaced_by: string | null;
  successor_sealed: string | null;
}

export interface SigningKeysTable {
  kid: string;
  alg: string;
  state: string;
  public_jwk: string;
  private_sealed: string;
  created_at: number;
  activated_at: number | null;
  retired_at: number | null;
  remove_after: number | null;
}

export interface RevocationsTable {
  /** SQLite: AUTOINCREMENT; PostgreSQL: taken from revocation_head inside the append transaction. */
  cursor: Generated<number>;
  type: string;
  /** The sid, jti or sub, depending on `type`. */
  target: string;
  not_before: number | null;
  at: number;
  expires_at: number;
}

export interface AuditEventsTable {
  id: Generated<number>;
  at: number;
  type: string;
  actor: string | null;
  subject: string | null;
  ip: string | null;
  user_agent: string | null;
  detail: string;
}

/** Migration 0005. */
export interface AuthorizationCodesTable {
  code_hash: string;
  client_id: string;
  redirect_uri: string;
  code_challenge: string;
  user_id: string;
  sid: string;
  scopes: string;
  audiences: string;
  nonce: string | null;
  auth_time: number;
  amr: string;
  dpop_jkt: string | null;
  created_at: number;
  expires_at: number;
  consumed_at: number | null;
  issued_session_id: string | null;
  replayed_at: number | null;
}

/** Migration 0006. */
export interface ConsentsTable {
  user_id: string;
  client_id: string;
  scopes: string;
  audiences: string;
  created_at: number;
  updated_at: number;
}

/** Migration 0007. */
export interface BrowserSessionsTable {
  id: string;
  user_id: string;
  auth_time: number;
  amr: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  ended_at: number | null;
  ended_reason: string | null;
}

/** Migration 0010: one row per user; `user_id` references users (ON DELETE CASCADE), as below. */
export interface TotpFactorsTable {
  user_id: string;
  secret_sealed: string;
  created_at: number;
  confirmed_at: number | null;
  last_used_step: number | null;
}

/** Migration 0010: primary key (user_id, hash). */
export interface RecoveryCodesTable {
  user_id: string;
  hash: string;
  created_at: number;
  used_at: number | null;
}

/** Migration 0010: `credential_id` unique; transports a JSON array; backed_up 0/1. */
export interface PasskeysTable {
  id: string;
  user_id: string;
  credential_id: string;
  public_key: string;
  counter: number;
  transports: string;
  name: string;
  aaguid: string;
  backed_up: number;
  device_type: string;
  created_at: number;
  last_used_at: number | null;
}

/** Migration 0010. */
export interface EmailTokensTable {
  hash: string;
  kind: string;
  user_id: string;
  email: string;
  created_at: number;
  expires_at: number;
  consumed_at: number | null;
}
