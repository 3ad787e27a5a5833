import type { Selectable } from 'kysely';
import { mergeLists } from '../merge-lists.js';
import { type ConsentRecord, type ConsentStore, StorageConflictError } from '../types.js';
import { count, type SqlContext } from './context.js';
import type { ConsentsTable } from './schema.js';

const consentToRow = (c: ConsentRecord): ConsentsTable => ({
  user_id: c.userId,
  client_id: c.clientId,
  scopes: JSON.stringify(c.scopes),
  audiences: JSON.stringify(c.audiences),
  created_at: c.createdAt,
  updated_at: c.updatedAt,
});

const rowToConsent = (r: Selectable<ConsentsTable>): ConsentRecord => ({
  userId: r.user_id,
  clientId: r.client_id,
  scopes: JSON.parse(r.scopes) as string[],
  audiences: JSON.parse(r.audiences) as string[],
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

/** Consents on SQLite and PostgreSQL. */
export function sqlConsents({ db }: SqlContext): ConsentStore {
  return {
    async get(userId, clientId) {
      const row = await db
        .selectFrom('consents')
        .selectAll()
        .where('user_id', '=', userId)
        .where('client_id', '=', clientId)
        .executeTakeFirst();
      return row && rowToConsent(row);
    },
    async put(consent, opts) {
      const merge = (opts?.mode ?? 'merge') === 'merge';
      // A second round runs only when a concurrent put inserted the row first; a third never should.
      for (let round = 0; round < 3; round += 1) {
        const stored = await db.transaction().execute(async (trx) => {
          // Write first, read after: the no-op UPDATE takes the row's lock (PostgreSQL) or the
          // database's write lock (SQLite), so a concurrent put waits, then reads this one's result.
          const locked = await trx
            .updateTable('consents')
            .set((eb) => ({ updated_at: eb.ref('updated_at') }))
            .where('user_id', '=', consent.userId)
            .where('client_id', '=', consent.clientId)
            .executeTakeFirst();
          if (count(locked.numUpdatedRows) === 0) {
            // No row to lock: insert, unless a concurrent put inserted it meanwhile (then go again).
            const inserted = await trx
              .insertInto('consents')
              .values(consentToRow(consent))
              .onConflict((oc) => oc.columns(['user_id', 'client_id']).doNothing())
              .returningAll()
              .executeTakeFirst();
            return inserted && rowToConsent(inserted);
          }
          const row = await trx
            .selectFrom('consents')
            .selectAll()
            .where('user_id', '=', consent.userId)
            .where('client_id', '=', consent.clientId)
            .executeTakeFirstOrThrow();
          const current = rowToConsent(row);
          const updated = await trx
            .updateTable('consents')
            .set({
              scopes: JSON.stringify(merge ? mergeLists(current.scopes, consent.scopes) : consent.scopes),
              audiences: JSON.stringify(
                merge ? mergeLists(current.audiences, consent.audiences) : consent.audiences,
              ),
              updated_at: consent.updatedAt,
            })
            .where('user_id', '=', consent.userId)
            .where('client_id', '=', consent.clientId)
            .returningAll()
            .executeTakeFirstOrThrow();
          return rowToConsent(updated);
        });
        if (stored !== undefined) return stored;
      }
      throw new StorageConflictError('consent changed concurrently');
    },
    async listByUser(userId) {
      const rows = await db
        .selectFrom('consents')
        .selectAll()
        .where('user_id', '=', userId)
        .orderBy('created_at')
        .orderBy('client_id')
        .execute();
      return rows.map(rowToConsent);
    },
    async delete(userId, clientId) {
      const result = await db
        .deleteFrom('consents')
        .where('user_id', '=', userId)
        .where('client_id', '=', clientId)
        .executeTakeFirst();
      return count(result.numDeletedRows) > 0;
    },
    async deleteByClient(clientId) {
      const result = await db.deleteFrom('consents').where('client_id', '=', clientId).executeTakeFirst();
      return count(result.numDeletedRows);
    },
    async deleteByUser(userId) {
      const result = await db.deleteFrom('consents').where('user_id', '=', userId).executeTakeFirst();
      return count(result.numDeletedRows);
    },
  };
}
