import { type KeyStore, StorageConflictError } from '../types.js';
import { count, orConflict, type SqlContext } from './context.js';
import { keyToRow, rowToKey } from './rows.js';

export function sqlKeys(ctx: SqlContext): KeyStore {
  const { db } = ctx;
  return {
    async create(key) {
      // A unique partial index on state = 'current' also makes a second current key a conflict.
      await orConflict(ctx, 'key id already exists or a current key exists', () =>
        db.insertInto('signing_keys').values(keyToRow(key)).execute(),
      );
    },
    async list() {
      const rows = await db
        .selectFrom('signing_keys')
        .selectAll()
        .orderBy('created_at')
        .orderBy('kid')
        .execute();
      return rows.map(rowToKey);
    },
    async get(kid) {
      const row = await db.selectFrom('signing_keys').selectAll().where('kid', '=', kid).executeTakeFirst();
      return row && rowToKey(row);
    },
    async promote(nextKid, expectedCurrentKid, at, removeAfter) {
      await orConflict(ctx, 'another instance rotated the signing keys first', () =>
        db.transaction().execute(async (trx) => {
          if (expectedCurrentKid !== null) {
            // Compare-and-set on the current row: a concurrent rotation holds its row lock, and
            // once it commits this WHERE no longer matches.
            const retired = await trx
              .updateTable('signing_keys')
              .set({ state: 'retired', retired_at: at, remove_after: removeAfter })
              .where('kid', '=', expectedCurrentKid)
              .where('state', '=', 'current')
              .executeTakeFirst();
            if (count(retired.numUpdatedRows) !== 1) {
              throw new StorageConflictError('the expected current key is no longer current');
            }
          } else {
            const current = await trx
              .selectFrom('signing_keys')
              .select('kid')
              .where('state', '=', 'current')
              .executeTakeFirst();
            if (current) throw new StorageConflictError('a current key exists already');
          }
          // If two first promotions race, the unique index on the current state rejects the later one.
          const promoted = await trx
            .updateTable('signing_keys')
            .set({ state: 'current', activated_at: at })
            .where('kid', '=', nextKid)
            .where('state', '=', 'next')
            .executeTakeFirst();
          if (count(promoted.numUpdatedRows) !== 1) {
            throw new StorageConflictError('the next key is missing or not in state next');
          }
        }),
      );
    },
    async delete(kid) {
      const result = await db.deleteFrom('signing_keys').where('kid', '=', kid).executeTakeFirst();
      return count(result.numDeletedRows) > 0;
    },
  };
}
