import { mergeLists } from '../merge-lists.js';
import {
  type AuthorizationCodeRecord,
  type AuthorizationCodeStore,
  type ConsentStore,
  StorageConflictError,
} from '../types.js';
import { byCreated, consentKey, copy, type MemoryState } from './state.js';

/**
 * Authorization codes in memory, with the SQL adapters' semantics. Each method runs from its check
 * to its write without yielding, so concurrent calls see each other's writes, as the database's
 * row locks make them do there.
 */
export function memoryAuthorizationCodes(state: MemoryState): AuthorizationCodeStore {
  const codes = state.authorizationCodes;
  const deleteWhere = (match: (code: AuthorizationCodeRecord) => boolean) => {
    let deleted = 0;
    for (const [hash, code] of codes) if (match(code) && codes.delete(hash)) deleted += 1;
    return deleted;
  };
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
      return deleteWhere((code) => code.expiresAt < before);
    },
    async deleteByClient(clientId) {
      return deleteWhere((code) => code.clientId === clientId);
    },
    async deleteByUser(userId) {
      return deleteWhere((code) => code.userId === userId);
    },
  };
}

/** Consents in memory, with the SQL adapters' semantics. */
export function memoryConsents(state: MemoryState): ConsentStore {
  const { consents } = state;
  const deleteWhere = (match: (userId: string, clientId: string) => boolean) => {
    let deleted = 0;
    for (const [key, c] of consents) if (match(c.userId, c.clientId) && consents.delete(key)) deleted += 1;
    return deleted;
  };
  return {
    async get(userId, clientId) {
      return copy(consents.get(consentKey(userId, clientId)));
    },
    async put(consent, opts) {
      const key = consentKey(consent.userId, consent.clientId);
      const current = consents.get(key);
      const merge = (opts?.mode ?? 'merge') === 'merge' && current !== undefined;
      const next = copy({
        ...consent,
        createdAt: current?.createdAt ?? consent.createdAt,
        scopes: merge ? mergeLists(current.scopes, consent.scopes) : consent.scopes,
        audiences: merge ? mergeLists(current.audiences, consent.audiences) : consent.audiences,
      });
      consents.set(key, next);
      return copy(next);
    },
    async listByUser(userId) {
      const mine = [...consents.values()].filter((c) => c.userId === userId);
      return copy(mine.sort(byCreated((c) => c.clientId)));
    },
    async delete(userId, clientId) {
      return consents.delete(consentKey(userId, clientId));
    },
    async deleteByClient(clientId) {
      return deleteWhere((_, c) => c === clientId);
    },
    async deleteByUser(userId) {
      return deleteWhere((u) => u === userId);
    },
  };
}
