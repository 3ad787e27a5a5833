import type {
  AccountConsent,
  AccountMfa,
  AccountSession,
  AdminAudience,
  AdminClient,
  AdminKey,
  AdminRole,
  AdminSession,
  AdminUser,
  AuditEntry,
  MfaPasskey,
} from '@keycard/protocol';
import { toEpochSeconds, toEpochSecondsOrNull } from '@keycard/protocol';
import { publicJwks } from '../clients/index.js';
import type { KeyInfo } from '../keys/index.js';
import type { MfaSummary } from '../mfa/index.js';
import type {
  AudienceRecord,
  AuditEvent,
  ClientRecord,
  ConsentRecord,
  PasskeyRecord,
  RoleRecord,
  SessionRecord,
  UserRecord,
} from '../storage/index.js';

/*
 * Storage rows -> the records of @keycard/protocol that `/api/*` and `/api/admin/*` send. Storage
 * keeps milliseconds; the wire speaks epoch seconds. Each mapping names every field it sends, so
 * a column added to storage never leaks into an answer by accident.
 */

/** A user without its password hash or lookup key. */
export function wireUser(user: UserRecord): AdminUser {
  return {
    id: user.id,
    username: user.username,
    roles: user.roles,
    disabled: user.disabled,
    claims: user.claims,
    email: user.email,
    emailVerified: user.email !== null && user.emailVerifiedAt !== null,
    createdAt: toEpochSeconds(user.createdAt),
    updatedAt: toEpochSeconds(user.updatedAt),
  };
}

/** A client without its secret hash: only whether it has a secret, and its public keys. */
export function wireClient(client: ClientRecord): AdminClient {
  return {
    id: client.id,
    name: client.name,
    type: client.type,
    hasSecret: client.secretHash !== null,
    firstParty: client.firstParty,
    grants: client.grants,
    audiences: client.audiences,
    scopes: client.scopes,
    multiAudience: client.multiAudience,
    requireDpop: client.requireDpop,
    tokenExchange: client.tokenExchange,
    redirectUris: client.redirectUris,
    postLogoutRedirectUris: client.postLogoutRedirectUris,
    backchannelLogoutUri: client.backchannelLogoutUri,
    jwks: publicJwks(client.jwks),
    createdAt: toEpochSeconds(client.createdAt),
  };
}

export function wireAudience(audience: AudienceRecord): AdminAudience {
  return {
    id: audience.id,
    name: audience.name,
    scopes: audience.scopes,
    uri: audience.uri,
    createdAt: toEpochSeconds(audience.createdAt),
  };
}

export function wireRole(role: RoleRecord): AdminRole {
  return {
    name: role.name,
    scopes: role.scopes,
    require_mfa: role.requireMfa,
    createdAt: toEpochSeconds(role.createdAt),
  };
}

/** A passkey without its key, credential id, counter or AAGUID. */
export function wireMfaPasskey(passkey: PasskeyRecord): MfaPasskey {
  return {
    id: passkey.id,
    name: passkey.name,
    created_at: toEpochSeconds(passkey.createdAt),
    last_used_at: toEpochSecondsOrNull(passkey.lastUsedAt),
    backed_up: passkey.backedUp,
    device_type: passkey.deviceType,
  };
}

/** A person's factors for the account page and the admin: what exists, never a secret. */
export function wireAccountMfa(summary: MfaSummary): AccountMfa {
  return {
    totp: { enabled: summary.totp.enabled, confirmed_at: toEpochSecondsOrNull(summary.totp.confirmedAt) },
    passkeys: summary.passkeys.map(wireMfaPasskey),
    recovery_codes: { remaining: summary.recoveryCodesRemaining },
    required: summary.required,
  };
}

export function wireKey(key: KeyInfo): AdminKey {
  return {
    kid: key.kid,
    alg: key.alg,
    state: key.state,
    createdAt: toEpochSeconds(key.createdAt),
    activatedAt: toEpochSecondsOrNull(key.activatedAt),
    retiredAt: toEpochSecondsOrNull(key.retiredAt),
    removeAfter: toEpochSecondsOrNull(key.removeAfter),
  };
}

/** One of the caller's own sessions. */
export function wireAccountSession(session: SessionRecord, currentSessionId: string): AccountSession {
  return {
    id: session.id,
    clientId: session.clientId,
    createdAt: toEpochSeconds(session.createdAt),
    lastUsedAt: toEpochSeconds(session.lastUsedAt),
    expiresAt: toEpochSeconds(session.expiresAt),
    ip: session.ip,
    userAgent: session.userAgent,
    current: session.id === currentSessionId,
    offline: session.offline === true,
  };
}

/** A consent for the account page, with the client's display name. */
export function wireAccountConsent(consent: ConsentRecord, clientName: string): AccountConsent {
  return {
    clientId: consent.clientId,
    clientName,
    scopes: consent.scopes,
    audiences: consent.audiences,
    createdAt: toEpochSeconds(consent.createdAt),
    updatedAt: toEpochSeconds(consent.updatedAt),
  };
}

/** An active session for the admin list: no revocation bookkeeping, no key thumbprint. */
export function wireAdminSession(session: SessionRecord, username: string | null): AdminSession {
  return {
    id: session.id,
    userId: session.userId,
    username,
    clientId: session.clientId,
    audiences: session.audiences,
    scopes: session.scopes,
    createdAt: toEpochSeconds(session.createdAt),
    lastUsedAt: toEpochSeconds(session.lastUsedAt),
    expiresAt: toEpochSeconds(session.expiresAt),
    ip: session.ip,
    userAgent: session.userAgent,
    dpopBound: session.dpopJkt !== null,
  };
}

export function wireAuditEntry(event: AuditEvent): AuditEntry {
  return {
    id: event.id ?? 0,
    at: toEpochSeconds(event.at),
    type: event.type,
    actor: event.actor,
    subject: event.subject,
    ip: event.ip,
    userAgent: event.userAgent,
    detail: event.detail,
  };
}
