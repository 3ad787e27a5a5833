import type { RecoveryCodeStore } from '../types.js';
import { count, orUserConflict, type SqlContext } from './context.js';

/**
 * Recovery codes on SQLite and PostgreSQL. `consume` is one conditional UPDATE (`used_at IS NULL`),
 * so of racing calls for one code exactly one matches, as for authorization codes.
 */
export function sqlRecoveryCodes(ctx: SqlContext): RecoveryCodeStore {
  const { db } = ctx;
  return {
    async replace(userId, hashes, at) {
      await orUserConflict(ctx, 'duplicate recovery code', () =>
        db.transaction().execute(async (trx) => {
          // Lock the user's row first (a no-op UPDATE: PostgreSQL's row lock, SQLite's write lock),
          // so racing replacements run one after the other: without it each DELETE would miss the
          // other's uncommitted rows and both sets would survive.
          await trx
            .updateTable('users')
            .set((eb) => ({ updated_at: eb.ref('updated_at') }))
            .where('id', '=', userId)
            .execute();
          await trx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
          if (hashes.length === 0) return;
          await trx
            .insertInto('recovery_codes')
            .values(hashes.map((hash) => ({ user_id: userId, hash, created_at: at, used_at: null })))
            .execute();
        }),
      );
    },
    async consume(userId, hash, at) {
      const result = await db
        .updateTable('recovery_codes')
        .set({ used_at: at })
        .where('user_id', '=', userId)
        .where('hash', '=', hash)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      return count(result.numUpdatedRows) > 0;
    },
    async countUnused(userId) {
      const row = await db
        .selectFrom('recovery_codes')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('user_id', '=', userId)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      return count(row?.n);
    },
    async deleteByUser(userId) {
      const result = await db.deleteFrom('recovery_codes').where('user_id', '=', userId).executeTakeFirst();
      return count(result.numDeletedRows);
    },
  };
}
