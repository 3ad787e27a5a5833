/**
 * Admin API calls (Bearer token with scope `admin`). Lists are read with `listFrom`, which
 * accepts `{ users: [...] }`-style answers or bare arrays; keyset-paged lists are read whole,
 * page by page, following their `next` cursor.
 */
import { listFrom, nextCursor, readAllPages } from '../lib/lists.js';
import type { SessionManager } from '../session/session-manager.js';
import type { SessionInfo } from './types.js';

export interface AdminUser {
  id: string;
  username: string;
  roles: string[];
  disabled: boolean;
  claims?: Record<string, unknown>;
  createdAt?: number | string;
}

export interface AdminClient {
  id: string;
  name?: string;
  type?: 'public' | 'confidential';
  firstParty?: boolean;
  grants?: string[];
  audiences?: string[];
  scopes?: string[];
  createdAt?: number | string;
}

export interface AdminAudience {
  id: string;
  name?: string;
  scopes?: string[];
}

export interface AdminRole {
  name: string;
  scopes?: string[];
}

export interface AdminKey {
  kid: string;
  alg: string;
  state: 'next' | 'current' | 'retired' | string;
  createdAt?: number | string | null;
  activatedAt?: number | string | null;
  retiredAt?: number | string | null;
  removeAfter?: number | string | null;
}

export interface AdminSession extends SessionInfo {
  userId?: string;
  username?: string;
}

export interface AuditEntry {
  id?: number;
  at: number | string;
  type: string;
  actor: string | null;
  subject: string | null;
  ip?: string | null;
  userAgent?: string | null;
  detail?: Record<string, unknown>;
}

export interface AuditFilter {
  type?: string;
  actor?: string;
  subject?: string;
  /** Milliseconds since the epoch. */
  since?: number;
  limit?: number;
  before?: number;
}

/** The client secret in a create-client answer (shown once), whatever the field is called. */
export function secretFrom(body: unknown): string | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const record = body as Record<string, unknown>;
  for (const key of ['client_secret', 'clientSecret', 'secret']) {
    if (typeof record[key] === 'string') return record[key] as string;
  }
  return record['client'] ? secretFrom(record['client']) : undefined;
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
  return {
    listUsers: () => readAllPages<AdminUser>((q) => session.request(`/api/admin/users${q}`), 'users'),
    createUser: (body: {
      username: string;
      password: string;
      roles: string[];
      claims?: Record<string, unknown>;
    }) => session.request<unknown>('/api/admin/users', { method: 'POST', body }),
    updateUser: (
      userId: string,
      patch: { roles?: string[]; disabled?: boolean; claims?: Record<string, unknown> },
    ) => session.request<unknown>(`/api/admin/users/${id(userId)}`, { method: 'PATCH', body: patch }),
    deleteUser: (userId: string) =>
      session.request<void>(`/api/admin/users/${id(userId)}`, { method: 'DELETE' }),

    listClients: () => readAllPages<AdminClient>((q) => session.request(`/api/admin/clients${q}`), 'clients'),
    createClient: (body: Omit<AdminClient, 'createdAt'>) =>
      session.request<unknown>('/api/admin/clients', { method: 'POST', body }),
    deleteClient: (clientId: string) =>
      session.request<void>(`/api/admin/clients/${id(clientId)}`, { method: 'DELETE' }),

    listAudiences: () =>
      readAllPages<AdminAudience>((q) => session.request(`/api/admin/audiences${q}`), 'audiences'),
    saveAudience: (body: AdminAudience) =>
      session.request<unknown>('/api/admin/audiences', { method: 'POST', body }),
    deleteAudience: (audienceId: string) =>
      session.request<void>(`/api/admin/audiences/${id(audienceId)}`, { method: 'DELETE' }),

    listRoles: () => readAllPages<AdminRole>((q) => session.request(`/api/admin/roles${q}`), 'roles'),
    saveRole: (body: AdminRole) => session.request<unknown>('/api/admin/roles', { method: 'POST', body }),
    deleteRole: (name: string) => session.request<void>(`/api/admin/roles/${id(name)}`, { method: 'DELETE' }),

    listKeys: async () => listFrom<AdminKey>(await session.request('/api/admin/keys'), 'keys'),
    rotateKeys: () => session.request<unknown>('/api/admin/keys/rotate', { method: 'POST', body: {} }),
    revokeKey: (kid: string) =>
      session.request<unknown>(`/api/admin/keys/${id(kid)}/revoke`, { method: 'POST', body: {} }),

    listSessions: () =>
      readAllPages<AdminSession>((q) => session.request(`/api/admin/sessions${q}`), 'sessions'),
    revokeSession: (sessionId: string) =>
      session.request<void>(`/api/admin/sessions/${id(sessionId)}`, { method: 'DELETE' }),

    /** One page of the audit log, newest first; `next` is the `before` of the next page (null: none). */
    listAudit: async (filter: AuditFilter) => {
      const body = await session.request(`/api/admin/audit${auditQuery(filter)}`);
      const next = nextCursor(body);
      return { entries: listFrom<AuditEntry>(body, 'events'), next: next === null ? null : Number(next) };
    },
  };
}

export type AdminApi = ReturnType<typeof adminApi>;
