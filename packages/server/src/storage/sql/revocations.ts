import type { Kysely } from 'kysely';
import { inBatches } from '../paging.js';
import type { NewRevocationEvent, RevocationEvent, RevocationStore } from '../types.js';
import { compiledOnce } from './compiled.js';
import { count } from './context.js';
import { rowToRevocation } from './rows.js';
import type { Database } from './schema.js';

/** What differs between databases: how a cursor is assigned and where the highest one is kept. */
export interface CursorOps {
  append(event: NewRevocationEvent): Promise<RevocationEvent>;
  latestCursor(): Promise<number>;
}

/** The revocation feed over a dialect's cursor assignment; reads and cleanup are shared. */
export function sqlRevocations(db: Kysely<Database>, ops: CursorOps): RevocationStore {
  // Asked by the revocation index on every token (where nothing answers it sooner): compiled once.
  const after = compiledOnce(
    db.selectFrom('revocations').selectAll().where('cursor', '>', 0).orderBy('cursor').limit(0),
    2,
  );
  return {
    append: ops.append,
    latestCursor: ops.latestCursor,
    async listAfter(cursor, limit) {
      const { rows } = await after(db, [cursor, Math.max(0, limit)]);
      return rows.map(rowToRevocation);
    },
    async deleteExpired(before, opts) {
      return inBatches(opts, async (size) => {
        const batch = db
          .selectFrom('revocations')
          .select('cursor')
          .where('expires_at', '<', before)
          .limit(size);
        const result = await db.deleteFrom('revocations').where('cursor', 'in', batch).executeTakeFirst();
        return count(result.numDeletedRows);
      });
    },
  };
}
