import { type BrowserSessionStore, StorageConflictError } from '../types.js';
import { compareText, copy, type MemoryState } from './state.js';

/** Newest first, ties broken by id (descending), as the SQL adapters order them. */
const newestFirst = (a: { createdAt: number; id: string }, b: { createdAt: number; id: string }) =>
  b.createdAt - a.createdAt || compareText(b.id, a.id);

/** Browser sessions in memory, with the SQL adapters' semantics. */
export function memoryBrowserSessions(state: MemoryState): BrowserSessionStore {
  const sessions = state.browserSessions;
  return {
    async create(session) {
      if (sessions.has(session.id)) throw new StorageConflictError('browser session id already exists');
      sessions.set(session.id, copy(session));
    },
    async get(id) {
      return copy(sessions.get(id));
    },
    async touch(id, at, opts) {
      const session = sessions.get(id);
      if (session === undefined || session.endedAt !== null || session.expiresAt <= at) return false;
      session.lastSeenAt = at;
      if (opts?.expiresAt !== undefined) session.expiresAt = opts.expiresAt;
      return true;
    },
    async reauthenticate(id, at, update) {
      const session = sessions.get(id);
      if (session === undefined || session.endedAt !== null || session.expiresAt <= at) return false;
      session.authTime = update.authTime;
      session.amr = [...update.amr];
      session.lastSeenAt = at;
      if (update.expiresAt !== undefined) session.expiresAt = update.expiresAt;
      return true;
    },
    async end(id, at, reason) {
      const session = sessions.get(id);
      if (session === undefined || session.endedAt !== null) return false;
      session.endedAt = at;
      session.endedReason = reason;
      return true;
    },
    async endByUser(userId, at, reason) {
      const ended: string[] = [];
      for (const session of sessions.values()) {
        if (session.userId !== userId || session.endedAt !== null) continue;
        session.endedAt = at;
        session.endedReason = reason;
        ended.push(session.id);
      }
      return ended.sort(compareText);
    },
    async listByUser(userId, opts) {
      const mine = [...sessions.values()].filter(
        (s) => s.userId === userId && (opts?.includeEnded || s.endedAt === null),
      );
      return copy(mine.sort(newestFirst));
    },
    async deleteExpired(before) {
      let deleted = 0;
      for (const [id, s] of sessions) {
        const over = s.expiresAt < before || (s.endedAt !== null && s.endedAt < before);
        if (over && sessions.delete(id)) deleted += 1;
      }
      return deleted;
    },
  };
}
