/**
 * Admin API calls (Bearer token with scope `admin`). Answers are the records of
 * @keycard/protocol (times in epoch seconds); keyset-paged lists are read whole, page by page,
 * following their `next` cursor.
 */
import type {
  AccountMfa,
  AdminAudience,
  AdminClient,
  AdminKey,
  AdminKeys,
  AdminRole,
  AdminRoleInput,
  AdminSession,
  AdminUser,
  AdminUserListed,
  AuditEntry,
  AuditPage,
  AuditQuery,
  CreatedClient,
  KeyRotation,
  KeyWithdrawal,
  NewAdminClient,
  Page,
} from '@keycard/protocol';
import type { SessionManager } from '../session/session-manager.js';
import { readAllPages } from './pages.js';

export type {
  AdminAudience,
  AdminClient,
  AdminKey,
  AdminRole,
  AdminSession,
  AdminUser,
  AdminUserListed,
  AuditEntry,
};

/** A user's second factors as the console sees them (`GET /api/admin/users/:id/mfa`). */
export type UserFactors = AccountMfa;

/** Audit filters; `since` (inclusive) is in epoch seconds. */
export type AuditFilter = Omit<AuditQuery, 'before'> & { before?: number };

/** What the admin console sends to create a client. */
export type NewClient = NewAdminClient;

/** What the admin console sends to save an audience. */
export interface AudienceInput {
  id: string;
  name?: string;
  scopes?: string[];
  uri?: string | null;
}

/** The client secret of a create-client answer (confidential clients only, shown once). */
export function secretFrom(created: CreatedClient): string | undefined {
  return created.secret;
}

/** Query string for GET /api/admin/audit; empty filters are left out. */
export function auditQuery(filter: AuditFilter): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filter)) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** Typed admin calls bound to the signed-in session. */
export function adminApi(session: SessionManager) {
  const id = encodeURIComponent;
  const list = <Key extends string, Item>(path: string, key: Key) =>
    readAllPages<Key, Item>((q) => session.request<Page<Key, Item>>(`${path}${q}`), key);
  return {
    /** Each user with who enrolled what (`mfa`: a confirmed TOTP, how many passkeys). */
    listUsers: () => list<'users', AdminUserListed>('/api/admin/users', 'users'),
    createUser: (body: {
      username: string;
      password: string;
      roles: string[];
      claims?: Record<string, unknown>;
    }) => session.request<AdminUser>('/api/admin/users', { method: 'POST', body }),
    updateUser: (
      userId: string,
      patch: { roles?: string[]; disabled?: boolean; claims?: Record<string, unknown> },
    ) => session.request<AdminUser>(`/api/admin/users/${id(userId)}`, { method: 'PATCH', body: patch }),
    deleteUser: (userId: string) =>
      session.request<void>(`/api/admin/users/${id(userId)}`, { method: 'DELETE' }),
    userFactors: (userId: string) => session.request<UserFactors>(`/api/admin/users/${id(userId)}/mfa`),
    /** Removes every second factor and recovery code of the user (audited `mfa.reset`). */
    resetUserFactors: (userId: string) =>
      session.request<void>(`/api/admin/users/${id(userId)}/mfa`, { method: 'DELETE' }),

    listClients: () => list<'clients', AdminClient>('/api/admin/clients', 'clients'),
    createClient: (body: NewClient) =>
      session.request<CreatedClient>('/api/admin/clients', { method: 'POST', body }),
    deleteClient: (clientId: string) =>
      session.request<void>(`/api/admin/clients/${id(clientId)}`, { method: 'DELETE' }),

    listAudiences: () => list<'audiences', AdminAudience>('/api/admin/audiences', 'audiences'),
    saveAudience: (body: AudienceInput) =>
      session.request<AdminAudience>('/api/admin/audiences', { method: 'POST', body }),
    deleteAudience: (audienceId: string) =>
      session.request<void>(`/api/admin/audiences/${id(audienceId)}`, { method: 'DELETE' }),

    listRoles: () => list<'roles', AdminRole>('/api/admin/roles', 'roles'),
    saveRole: (body: AdminRoleInput) =>
      session.request<AdminRole>('/api/admin/roles', { method: 'POST', body }),
    deleteRole: (name: string) => session.request<void>(`/api/admin/roles/${id(name)}`, { method: 'DELETE' }),

    listKeys: async () => (await session.request<AdminKeys>('/api/admin/keys')).keys,
    rotateKeys: () => session.request<KeyRotation>('/api/admin/keys/rotate', { method: 'POST', body: {} }),
    revokeKey: (kid: string) =>
      session.request<KeyWithdrawal>(`/api/admin/keys/${id(kid)}/revoke`, { method: 'POST', body: {} }),

    listSessions: () => list<'sessions', AdminSession>('/api/admin/sessions', 'sessions'),
    revokeSession: (sessionId: string) =>
      session.request<void>(`/api/admin/sessions/${id(sessionId)}`, { method: 'DELETE' }),

    /** One page of the audit log, newest first; `next` is the `before` of the next page (null: none). */
    listAudit: async (filter: AuditFilter) => {
      const body = await session.request<AuditPage>(`/api/admin/audit${auditQuery(filter)}`);
      return { entries: body.events, next: body.next === null ? null : Number(body.next) };
    },
  };
}

export type AdminApi = ReturnType<typeof adminApi>;
