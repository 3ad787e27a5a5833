import type BetterSqlite3 from 'better-sqlite3';
import type { RevocationStore } from '../types.js';

/** What `listAfter` last learned: as of `stamp`, no event has a cursor above `above`. */
interface Clear {
  dataVersion: number;
  appends: number;
  above: number;
}

/**
 * The revocation store with a `listAfter` that answers "nothing new" without a query when nothing
 * can have changed: the server's revocation index asks it on every token it issues or checks, and
 * the answer is almost always empty. Exact, not a cache with a lifetime:
 *
 * - Another connection's commit (the CLI, a second process on the same file) changes SQLite's
 *   `PRAGMA data_version` as seen by this connection, so the next call queries.
 * - This connection's own appends (only `append` writes revocations; keep every other write to the
 *   table, e.g. an import or a transactional append, off this connection) are counted once settled,
 *   and while one is in flight every call queries.
 *
 * Both are read before the query whose empty tail they vouch for, so a change that lands while
 * it runs is either in its rows or makes the next stamp differ. A stamp read inside another
 * caller's open transaction can only be older than the query's snapshot: one query too many,
 * never one too few.
 *
 * @example
 * ```ts
 * const revocations = watchedRevocations(sqlRevocations(db, sqliteCursorOps(db)), database);
 * ```
 */
export function watchedRevocations(
  store: RevocationStore,
  database: BetterSqlite3.Database,
): RevocationStore {
  const dataVersion = database.prepare('PRAGMA data_version').pluck();
  let appends = 0;
  // Appends started and not yet settled: their commit may already be visible to a query while
  // `appends` does not count it yet, so no answer comes without a query meanwhile.
  let pending = 0;
  let clear: Clear | undefined;
  return {
    ...store,
    async append(event) {
      pending += 1;
      try {
        return await store.append(event);
      } finally {
        // After the commit (or the failure): a stamp taken before it differs from every one after.
        pending -= 1;
        appends += 1;
      }
    },
    async listAfter(after, limit) {
      const version = dataVersion.get() as number;
      const mine = appends;
      if (
        pending === 0 &&
        clear !== undefined &&
        clear.dataVersion === version &&
        clear.appends === mine &&
        after >= clear.above
      ) {
        return [];
      }
      const events = await store.listAfter(after, limit);
      if (events.length < limit) {
        clear = { dataVersion: version, appends: mine, above: events.at(-1)?.cursor ?? after };
      }
      return events;
    },
  };
}
