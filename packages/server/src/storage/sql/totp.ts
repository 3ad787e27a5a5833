import type { Selectable } from 'kysely';
import type { TotpRecord, TotpStore } from '../types.js';
import { count, orUserConflict, type SqlContext } from './context.js';
import type { TotpFactorsTable } from './schema.js';

const numOrNull = (value: number | string | null): number | null => (value === null ? null : Number(value));

const rowToTotp = (r: Selectable<TotpFactorsTable>): TotpRecord => ({
  userId: r.user_id,
  secretSealed: r.secret_sealed,
  createdAt: Number(r.created_at),
  confirmedAt: numOrNull(r.confirmed_at),
  lastUsedStep: numOrNull(r.last_used_step),
});

/**
 * TOTP authenticators on SQLite and PostgreSQL. `confirm` and `useStep` are each one conditional
 * UPDATE: on PostgreSQL a concurrent UPDATE of the row waits for the first one's commit and then
 * re-checks its WHERE against the new row (READ COMMITTED), on SQLite statements run one at a time
 * under the write lock. So a step is accepted once, across connections and instances.
 */
export function sqlTotp(ctx: SqlContext): TotpStore {
  const { db } = ctx;
  return {
    async put(record) {
      const row = {
        secret_sealed: record.secretSealed,
        created_at: record.createdAt,
        confirmed_at: record.confirmedAt,
        last_used_step: record.lastUsedStep,
      };
      // One statement: an enrolment started again replaces the row, never two rows for one user.
      await orUserConflict(ctx, 'totp record already exists', () =>
        db
          .insertInto('totp_factors')
          .values({ user_id: record.userId, ...row })
          .onConflict((oc) => oc.column('user_id').doUpdateSet(row))
          .execute(),
      );
    },
    async get(userId) {
      const row = await db
        .selectFrom('totp_factors')
        .selectAll()
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return row && rowToTotp(row);
    },
    async confirm(userId, at, step) {
      const result = await db
        .updateTable('totp_factors')
        .set({ confirmed_at: at, last_used_step: step })
        .where('user_id', '=', userId)
        .where('confirmed_at', 'is', null)
        .executeTakeFirst();
      return count(result.numUpdatedRows) > 0;
    },
    async useStep(userId, step) {
      const result = await db
        .updateTable('totp_factors')
        .set({ last_used_step: step })
        .where('user_id', '=', userId)
        .where('confirmed_at', 'is not', null)
        .where((eb) => eb.or([eb('last_used_step', 'is', null), eb('last_used_step', '<', step)]))
        .executeTakeFirst();
      return count(result.numUpdatedRows) > 0;
    },
    async delete(userId) {
      const result = await db.deleteFrom('totp_factors').where('user_id', '=', userId).executeTakeFirst();
      return count(result.numDeletedRows) > 0;
    },
  };
}
