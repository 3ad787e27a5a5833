/** Account API calls with the signed-in user's API card. */
import type { AccountSessions } from '@keycard/protocol';
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
