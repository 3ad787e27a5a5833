import { type KeyStore, StorageConflictError } from '../types.js';
import { byCreated, copy, type MemoryState } from './state.js';

export function memoryKeys(state: MemoryState): KeyStore {
  return {
    async create(key) {
      if (state.keys.has(key.kid)) throw new StorageConflictError('key id already exists');
      if (key.state === 'current' && [...state.keys.values()].some((k) => k.state === 'current')) {
        throw new StorageConflictError('a current key already exists');
      }
      state.keys.set(key.kid, copy(key));
    },
    async list() {
      return copy([...state.keys.values()].sort(byCreated((k) => k.kid)));
    },
    async get(kid) {
      return copy(state.keys.get(kid));
    },
    async promote(nextKid, expectedCurrentKid, at, removeAfter) {
      // Checks first, writes after, no await in between: a failed promote changes nothing.
      const current = [...state.keys.values()].find((k) => k.state === 'current');
      if ((current?.kid ?? null) !== expectedCurrentKid) {
        throw new StorageConflictError('the current key is not the expected one');
      }
      const next = state.keys.get(nextKid);
      if (next?.state !== 'next') throw new StorageConflictError('the next key is not in state next');
      if (current) {
        current.state = 'retired';
        current.retiredAt = at;
        current.removeAfter = removeAfter;
      }
      next.state = 'current';
      next.activatedAt = at;
    },
    async delete(kid) {
      return state.keys.delete(kid);
    },
  };
}
