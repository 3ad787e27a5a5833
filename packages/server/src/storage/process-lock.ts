/**
 * The maintenance lock of storages only this process can reach (memory, and SQLite, whose file
 * one process owns): a set of held names. A second caller while `name` is held does not wait, it
 * is told its turn was taken (false), as with PostgreSQL's pg_try_advisory_lock.
 *
 * @example
 * ```ts
 * const withMaintenanceLock = inProcessLock(new Set());
 * await withMaintenanceLock('prune', async () => prune()); // true: it ran
 * ```
 */
export function inProcessLock(held: Set<string>) {
  return async (name: string, fn: () => Promise<void>): Promise<boolean> => {
    if (held.has(name)) return false;
    held.add(name);
    try {
      await fn();
      return true;
    } finally {
      held.delete(name);
    }
  };
}
