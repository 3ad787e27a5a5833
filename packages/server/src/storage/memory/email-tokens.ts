import { type EmailTokenStore, StorageConflictError } from '../types.js';
import { requireUser } from './factors.js';
import { copy, type MemoryState } from './state.js';

/**
 * Mailed single-use links in memory, with the SQL adapters' semantics: `consume` checks and marks
 * the token without yielding in between, so exactly one of concurrent calls gets the record.
 */
export function memoryEmailTokens(state: MemoryState): EmailTokenStore {
  const tokens = state.emailTokens;
  const deleteWhere = (match: (token: { userId: string; kind: string; expiresAt: number }) => boolean) => {
    let deleted = 0;
    for (const [hash, token] of tokens) if (match(token) && tokens.delete(hash)) deleted += 1;
    return deleted;
  };
  return {
    async create(record) {
      if (tokens.has(record.hash)) throw new StorageConflictError('email token already exists');
      requireUser(state, record.userId);
      tokens.set(record.hash, copy(record));
    },
    async consume(hash, kind, now) {
      const token = tokens.get(hash);
      if (token === undefined || token.kind !== kind || token.consumedAt !== null) return undefined;
      if (token.expiresAt <= now) return undefined;
      token.consumedAt = now;
      return copy(token);
    },
    async deleteByUser(userId, kind) {
      return deleteWhere((token) => token.userId === userId && token.kind === kind);
    },
    async deleteExpired(before) {
      return deleteWhere((token) => token.expiresAt < before);
    },
  };
}
