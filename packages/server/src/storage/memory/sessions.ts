import { type RefreshTokenStore, type SessionStore, StorageConflictError } from '../types.js';
import { compareText, copy, keysetPage, type MemoryState } from './state.js';

/** Newest first, ties broken by id: the order every adapter uses for session lists. */
const newestFirst = (a: { createdAt: number; id: string }, b: { createdAt: number; id: string }) =>
  b.createdAt - a.createdAt || compareText(a.id, b.id);

export function memorySessions(state: MemoryState): SessionStore {
  return {
    async create(session) {
      if (state.sessions.has(session.id)) throw new StorageConflictError('session id already exists');
      // Stored as the SQL adapters read it back: the code-flow fields are null / false when absent.
      state.sessions.set(session.id, {
        ...copy(session),
        browserSessionId: session.browserSessionId ?? null,
        authTime: session.authTime ?? null,
        amr: session.amr === undefined || session.amr === null ? null : [...session.amr],
        offline: session.offline === true,
      });
    },
    async get(id) {
      return copy(state.sessions.get(id));
    },
    async listByUser(userId, opts) {
      const all = [...state.sessions.values()].filter(
        (s) => s.userId === userId && (opts?.includeRevoked || s.revokedAt === null),
      );
      return copy(all.sort(newestFirst));
    },
    async listByBrowserSession(browserSessionId, now) {
      const all = [...state.sessions.values()].filter(
        (s) => s.browserSessionId === browserSessionId && s.revokedAt === null && s.expiresAt > now,
      );
      return copy(all.sort((a, b) => -newestFirst(a, b)));
    },
    async listActive(opts) {
      const all = [...state.sessions.values()].filter((s) => s.revokedAt === null && s.expiresAt > opts.now);
      return copy(keysetPage(all, (s) => s.id, opts, true));
    },
    async touch(id, at) {
      const session = state.sessions.get(id);
      if (session) session.lastUsedAt = at;
    },
    async revoke(id, at, reason) {
      const session = state.sessions.get(id);
      if (!session || session.revokedAt !== null) return false;
      session.revokedAt = at;
      session.revokedReason = reason;
      return true;
    },
    async revokeByUser(userId, at, reason, exceptId) {
      const revoked: string[] = [];
      for (const session of [...state.sessions.values()].sort(newestFirst)) {
        if (session.userId !== userId || session.revokedAt !== null || session.id === exceptId) continue;
        session.revokedAt = at;
        session.revokedReason = reason;
        revoked.push(session.id);
      }
      return revoked;
    },
    async deleteExpired(before) {
      let count = 0;
      for (const [id, session] of state.sessions) {
        if (session.expiresAt >= before) continue;
        state.sessions.delete(id);
        // A deleted session's refresh tokens can never be used again: drop them with it.
        for (const [hash, token] of state.refreshTokens) {
          if (token.sessionId === id) state.refreshTokens.delete(hash);
        }
        count++;
      }
      return count;
    },
  };
}

export function memoryRefreshTokens(state: MemoryState): RefreshTokenStore {
  return {
    async create(token) {
      if (state.refreshTokens.has(token.hash)) throw new StorageConflictError('refresh token already exists');
      state.refreshTokens.set(token.hash, copy(token));
    },
    async get(hash) {
      return copy(state.refreshTokens.get(hash));
    },
    async consume(hash, at, successor) {
      // No await between the check and the write: atomic within this process.
      const token = state.refreshTokens.get(hash);
      if (!token) return { status: 'not_found' };
      if (token.usedAt !== null) return { status: 'already_used', token: copy(token) };
      const record = successor.record;
      if (record !== undefined) {
        if (record.hash !== successor.hash)
          throw new Error('successor.record.hash must equal successor.hash');
        if (state.refreshTokens.has(record.hash))
          throw new StorageConflictError('refresh token already exists');
        state.refreshTokens.set(record.hash, copy(record));
      }
      token.usedAt = at;
      token.replacedBy = successor.hash;
      token.successorSealed = successor.sealed;
      return { status: 'consumed', token: copy(token) };
    },
    async clearSealedBefore(before) {
      let count = 0;
      for (const token of state.refreshTokens.values()) {
        if (token.successorSealed === null || token.usedAt === null || token.usedAt >= before) continue;
        token.successorSealed = null;
        count++;
      }
      return count;
    },
    async deleteBySession(sessionId) {
      let count = 0;
      for (const [hash, token] of state.refreshTokens) {
        if (token.sessionId !== sessionId) continue;
        state.refreshTokens.delete(hash);
        count++;
      }
      return count;
    },
    async deleteExpired(before) {
      let count = 0;
      for (const [hash, token] of state.refreshTokens) {
        if (token.expiresAt >= before) continue;
        state.refreshTokens.delete(hash);
        count++;
      }
      return count;
    },
    async deleteUsedBefore(before) {
      let count = 0;
      for (const [hash, token] of state.refreshTokens) {
        if (token.usedAt === null || token.usedAt >= before) continue;
        state.refreshTokens.delete(hash);
        count++;
      }
      return count;
    },
  };
}
