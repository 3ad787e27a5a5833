import type { Kysely } from 'kysely';
import type { CursorOps } from '../sql/revocations.js';
import { revocationToRow, rowToRevocation } from '../sql/rows.js';
import type { Database } from '../sql/schema.js';

type HeadTable = {
  revocation_head: { id: number; last_cursor: number };
};

/**
 * Cursors come from revocation_head, incremented inside the append transaction. With a plain
 * sequence, a transaction holding cursor N could commit after one holding N+1, and a guard that
 * had already read N+1 would never see N. Here the head row's lock makes each append wait for
 * the previous one to commit, so cursors become visible strictly in order.
 */
export function postgresCursorOps(base: Kysely<Database>): CursorOps {
  const db = base.withTables<HeadTable>();
  return {
    async append(event) {
      return db.transaction().execute(async (trx) => {
        const head = await trx
          .updateTable('revocation_head')
          .set((eb) => ({ last_cursor: eb('last_cursor', '+', 1) }))
          .where('id', '=', 1)
          .returning('last_cursor')
          .executeTakeFirstOrThrow();
        const row = await trx
          .insertInto('revocations')
          .values({ cursor: Number(head.last_cursor), ...revocationToRow(event) })
          .returningAll()
          .executeTakeFirstOrThrow();
        return rowToRevocation(row);
      });
    },
    async latestCursor() {
      // The committed head: survives deletion of old events and never shows an uncommitted cursor.
      const head = await db
        .selectFrom('revocation_head')
        .select('last_cursor')
        .where('id', '=', 1)
        .executeTakeFirst();
      return Number(head?.last_cursor ?? 0);
    },
  };
}
