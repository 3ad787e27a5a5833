import type { RevocationEvent } from '../storage/index.js';
import type { InvalidationTarget } from './types.js';

/** The in-process subscriber lists of a coordinator: a throwing subscriber never stops the others. */
export interface LocalListeners {
  onRevocation(callback: (event: RevocationEvent) => void): () => void;
  onInvalidation(callback: (what: InvalidationTarget) => void): () => void;
  revocation(event: RevocationEvent): void;
  invalidation(what: InvalidationTarget): void;
  clear(): void;
}

export function createLocalListeners(): LocalListeners {
  const revocations = new Set<(event: RevocationEvent) => void>();
  const invalidations = new Set<(what: InvalidationTarget) => void>();
  const call = <T>(set: Set<(value: T) => void>, value: T) => {
    for (const listener of [...set]) {
      try {
        listener(value);
      } catch {
        // A broken subscriber must not stop the others.
      }
    }
  };
  return {
    onRevocation(callback) {
      revocations.add(callback);
      return () => revocations.delete(callback);
    },
    onInvalidation(callback) {
      invalidations.add(callback);
      return () => invalidations.delete(callback);
    },
    revocation: (event) => call(revocations, event),
    invalidation: (what) => call(invalidations, what),
    clear() {
      revocations.clear();
      invalidations.clear();
    },
  };
}
