import { inBatches } from '../paging.js';
import type { ListCursor, SessionStore } from '../types.js';
import { compiledOnce } from './compiled.js';
import { count, keysetAfter, orConflict, type SqlContext } from './context.js';
import { rowToSession, sessionToRow } from './rows.js';

export function sqlSessions(ctx: SqlContext): SessionStore {
  const { db } = ctx;
  // Read on every refresh: compiled once.
  const byId = compiledOnce(db.selectFrom('sessions').selectAll().where('id', '=', ''), 1);
  return {
    async create(session) {
      await orConflict(ctx, 'session id already exists', () =>
        db.insertInto('sessions').values(sessionToRow(session)).execute(),
      );
    },
    async get(id) {
      const row = (await byId(db, [id])).rows[0];
      return row && rowToSession(row);
    },
    async listByUser(userId, opts) {
      const rows = await db
        .selectFrom('sessions')
        .selectAll()
        .where('user_id', '=', userId)
        .$if(!opts?.includeRevoked, (q) => q.where('revoked_at', 'is', null))
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .execute();
      return rows.map(rowToSession);
    },
    async listByBrowserSession(browserSessionId, now) {
      const rows = await db
        .selectFrom('sessions')
        .selectAll()
        .where('browser_session_id', '=', browserSessionId)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', now)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(rowToSession);
    },
    async listActive(opts) {
      const { after, limit } = opts;
      // Newest first: the (created_at, id) index read backwards, live rows filtered on the way.
      const rows = await db
        .selectFrom('sessions')
        .selectAll()
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', opts.now)
        .$if(after !== undefined, (q) => q.where(keysetAfter(after as ListCursor, 'id', '<')))
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .$if(limit !== undefined, (q) => q.limit(limit ?? 0))
        .execute();
      return rows.map(rowToSession);
    },
    async touch(id, at) {
      await db.updateTable('sessions').set({ last_used_at: at }).where('id', '=', id).execute();
    },
    async revoke(id, at, reason) {
      // The IS NULL condition makes this a compare-and-set: only the first revoke wins.
      const result = await db
        .updateTable('sessions')
        .set({ revoked_at: at, revoked_reason: reason })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return count(result.numUpdatedRows) > 0;
    },
    async revokeByUser(userId, at, reason, exceptId) {
      const rows = await db
        .updateTable('sessions')
        .set({ revoked_at: at, revoked_reason: reason })
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .$if(exceptId !== undefined, (q) => q.where('id', '!=', exceptId ?? ''))
        .returning('id')
        .execute();
      return rows.map((r) => r.id);
    },
    async deleteExpired(before, opts) {
      // A deleted session's refresh tokens can never be used again: drop them in the same
      // transaction. (A token's own expiry is at most its session's, so refreshTokens.deleteExpired
      // has usually taken them already and this DELETE finds few rows.)
      return inBatches(opts, (size) =>
        db.transaction().execute(async (trx) => {
          const rows = await trx
            .selectFrom('sessions')
            .select('id')
            .where('expires_at', '<', before)
            .limit(size)
            .execute();
          if (rows.length === 0) return 0;
          const ids = rows.map((r) => r.id);
          await trx.deleteFrom('refresh_tokens').where('session_id', 'in', ids).execute();
          await trx.deleteFrom('sessions').where('id', 'in', ids).execute();
          return rows.length;
        }),
      );
    },
  };
}
