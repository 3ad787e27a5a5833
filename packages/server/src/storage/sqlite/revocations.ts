import { type Kysely, sql } from 'kysely';
import type { CursorOps } from '../sql/revocations.js';
import { revocationToRow, rowToRevocation } from '../sql/rows.js';
import type { Database } from '../sql/schema.js';

/** SQLite has one writer at a time, so AUTOINCREMENT cursors become visible in order. */
export function sqliteCursorOps(db: Kysely<Database>): CursorOps {
  return {
    async append(event) {
      const row = await db
        .insertInto('revocations')
        .values(revocationToRow(event))
        .returningAll()
        .executeTakeFirstOrThrow();
      return rowToRevocation(row);
    },
    async latestCursor() {
      // sqlite_sequence keeps the highest AUTOINCREMENT value even after the rows are deleted.
      const result = await sql<{
        seq: number;
      }>`select seq from sqlite_sequence where name = 'revocations'`.execute(db);
      return Number(result.rows[0]?.seq ?? 0);
    },
  };
}
