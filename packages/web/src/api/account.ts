/** Account API calls with the signed-in user's API card. */
import type { AccountConsent, AccountConsents, AccountSessions } from '@keycard/protocol';
import type { SessionManager } from '../session/session-manager.js';
import type { SessionInfo } from './types.js';

/**
 * GET /api/sessions: the signed-in user's live sessions (times in epoch seconds).
 *
 * @example
 * const sessions = await listSessions(manager);
 */
export async function listSessions(session: SessionManager): Promise<SessionInfo[]> {
  return (await session.request<AccountSessions>('/api/sessions')).sessions;
}

/**
 * GET /api/account/consents: what the user allowed third-party apps, oldest first.
 *
 * @example
 * const consents = await listConsents(manager);
 */
export async function listConsents(session: SessionManager): Promise<AccountConsent[]> {
  return (await session.request<AccountConsents>('/api/account/consents')).consents;
}

/**
 * DELETE /api/account/consents/:clientId: forgets the consent and signs the app out everywhere,
 * offline access included.
 *
 * @example
 * await revokeConsent(manager, 'travel');
 */
export async function revokeConsent(session: SessionManager, clientId: string): Promise<void> {
  await session.request<void>(`/api/account/consents/${encodeURIComponent(clientId)}`, { method: 'DELETE' });
}
