import { type PasskeyStore, type RecoveryCodeStore, StorageConflictError, type TotpStore } from '../types.js';
import { byCreated, copy, type MemoryState, recoveryCodeKey } from './state.js';

/*
 * Second factors in memory, with the SQL adapters' semantics. Each method runs from its check to
 * its write without yielding, so concurrent calls see each other's writes, as the database's row
 * locks make them do there.
 */

/** A record for a missing user is refused, as the SQL adapters' foreign keys refuse it. */
export function requireUser(state: MemoryState, userId: string): void {
  if (!state.users.has(userId)) throw new StorageConflictError('user does not exist');
}

/** Deletes everything that names the user: what ON DELETE CASCADE does in SQL. */
export function deleteFactorsOf(state: MemoryState, userId: string): void {
  state.totp.delete(userId);
  for (const [key, code] of state.recoveryCodes) if (code.userId === userId) state.recoveryCodes.delete(key);
  for (const [id, passkey] of state.passkeys) if (passkey.userId === userId) state.passkeys.delete(id);
  for (const [hash, token] of state.emailTokens) if (token.userId === userId) state.emailTokens.delete(hash);
}

export function memoryTotp(state: MemoryState): TotpStore {
  const { totp } = state;
  return {
    async put(record) {
      requireUser(state, record.userId);
      totp.set(record.userId, copy(record));
    },
    async get(userId) {
      return copy(totp.get(userId));
    },
    async confirm(userId, at, step) {
      const record = totp.get(userId);
      if (record === undefined || record.confirmedAt !== null) return false;
      record.confirmedAt = at;
      record.lastUsedStep = step;
      return true;
    },
    async useStep(userId, step) {
      const record = totp.get(userId);
      if (record === undefined || record.confirmedAt === null) return false;
      if (record.lastUsedStep !== null && record.lastUsedStep >= step) return false;
      record.lastUsedStep = step;
      return true;
    },
    async delete(userId) {
      return totp.delete(userId);
    },
  };
}

export function memoryRecoveryCodes(state: MemoryState): RecoveryCodeStore {
  const codes = state.recoveryCodes;
  const deleteByUser = (userId: string) => {
    let deleted = 0;
    for (const [key, code] of codes) if (code.userId === userId && codes.delete(key)) deleted += 1;
    return deleted;
  };
  return {
    async replace(userId, hashes, at) {
      // Every check before the first write: a refused replacement leaves the old codes.
      if (new Set(hashes).size !== hashes.length) throw new StorageConflictError('duplicate recovery code');
      if (hashes.length > 0) requireUser(state, userId);
      deleteByUser(userId);
      for (const hash of hashes)
        codes.set(recoveryCodeKey(userId, hash), { userId, hash, createdAt: at, usedAt: null });
    },
    async consume(userId, hash, at) {
      const code = codes.get(recoveryCodeKey(userId, hash));
      if (code === undefined || code.usedAt !== null) return false;
      code.usedAt = at;
      return true;
    },
    async countUnused(userId) {
      let unused = 0;
      for (const code of codes.values()) if (code.userId === userId && code.usedAt === null) unused += 1;
      return unused;
    },
    async deleteByUser(userId) {
      return deleteByUser(userId);
    },
  };
}

export function memoryPasskeys(state: MemoryState): PasskeyStore {
  const { passkeys } = state;
  const mine = (id: string, userId: string) => {
    const passkey = passkeys.get(id);
    return passkey?.userId === userId ? passkey : undefined;
  };
  return {
    async create(record) {
      if (passkeys.has(record.id)) throw new StorageConflictError('passkey id already exists');
      if ([...passkeys.values()].some((p) => p.credentialId === record.credentialId))
        throw new StorageConflictError('credential id already registered');
      requireUser(state, record.userId);
      passkeys.set(record.id, copy(record));
    },
    async get(id) {
      return copy(passkeys.get(id));
    },
    async getByCredentialId(credentialId) {
      return copy([...passkeys.values()].find((p) => p.credentialId === credentialId));
    },
    async listByUser(userId) {
      const list = [...passkeys.values()].filter((p) => p.userId === userId);
      return copy(list.sort(byCreated((p) => p.id)));
    },
    async recordUse(id, oldCounter, newCounter, at) {
      const passkey = passkeys.get(id);
      if (passkey === undefined || passkey.counter !== oldCounter) return false;
      passkey.counter = newCounter;
      passkey.lastUsedAt = at;
      return true;
    },
    async rename(id, userId, name) {
      const passkey = mine(id, userId);
      if (passkey === undefined) return false;
      passkey.name = name;
      return true;
    },
    async delete(id, userId) {
      return mine(id, userId) !== undefined && passkeys.delete(id);
    },
    async deleteByUser(userId) {
      let deleted = 0;
      for (const [id, p] of passkeys) if (p.userId === userId && passkeys.delete(id)) deleted += 1;
      return deleted;
    },
  };
}
