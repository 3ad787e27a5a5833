import { type AuthorizationCodeStore, StorageConflictError } from '../types.js';
import { copy, type MemoryState } from './state.js';

/**
 * Authorization codes in memory, with the SQL adapters' semantics. Each method runs from its check
 * to its write without yielding, so concurrent calls see each other's writes, as the database's
 * row locks make them do there.
 */
export function memoryAuthorizationCodes(state: MemoryState): AuthorizationCodeStore {
  const codes = state.authorizationCodes;
  return {
    async create(code) {
      if (codes.has(code.codeHash)) throw new StorageConflictError('authorization code already exists');
      codes.set(code.codeHash, { ...copy(code), consumedAt: null, issuedSessionId: null, replayedAt: null });
    },
    async get(codeHash) {
      return copy(codes.get(codeHash));
    },
    async consume(codeHash, now) {
      const code = codes.get(codeHash);
      if (code === undefined) return { status: 'missing' };
      if (code.consumedAt !== null) {
        code.replayedAt ??= now;
        return { status: 'replayed', record: copy(code) };
      }
      if (code.expiresAt <= now) return { status: 'expired' };
      code.consumedAt = now;
      return { status: 'ok', record: copy(code) };
    },
    async markIssued(codeHash, sessionId) {
      const code = codes.get(codeHash);
      if (code === undefined || code.consumedAt === null) return 'missing';
      code.issuedSessionId = sessionId;
      return code.replayedAt === null ? 'ok' : 'replayed';
    },
    async deleteExpired(before) {
      let deleted = 0;
      for (const [hash, code] of codes) {
        if (code.expiresAt < before && codes.delete(hash)) deleted += 1;
      }
      return deleted;
    },
  };
}
