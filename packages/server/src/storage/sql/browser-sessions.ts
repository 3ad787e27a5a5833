import type { Selectable } from 'kysely';
import { inBatches } from '../paging.js';
import type { BrowserSessionRecord, BrowserSessionStore } from '../types.js';
import { count, orConflict, type SqlContext } from './context.js';
import type { BrowserSessionsTable } from './schema.js';

const sessionToRow = (s: BrowserSessionRecord): BrowserSessionsTable => ({
  id: s.id,
  user_id: s.userId,
  auth_time: s.authTime,
  amr: JSON.stringify(s.amr),
  created_at: s.createdAt,
  last_seen_at: s.lastSeenAt,
  expires_at: s.expiresAt,
  ended_at: s.endedAt,
  ended_reason: s.endedReason,
});

const rowToSession = (r: Selectable<BrowserSessionsTable>): BrowserSessionRecord => ({
  id: r.id,
  userId: r.user_id,
  authTime: Number(r.auth_time),
  amr: JSON.parse(r.amr) as string[],
  createdAt: Number(r.created_at),
  lastSeenAt: Number(r.last_seen_at),
  expiresAt: Number(r.expires_at),
  endedAt: r.ended_at === null ? null : Number(r.ended_at),
  endedReason: r.ended_reason,
});

/** Browser sessions on SQLite and PostgreSQL; `touch`, `reauthenticate` and `end` are conditional UPDATEs. */
export function sqlBrowserSessions(ctx: SqlContext): BrowserSessionStore {
  const { db } = ctx;
  return {
    async create(session) {
      await orConflict(ctx, 'browser session id already exists', () =>
        db.insertInto('browser_sessions').values(sessionToRow(session)).execute(),
      );
    },
    async get(id) {
      const row = await db.selectFrom('browser_sessions').selectAll().where('id', '=', id).executeTakeFirst();
      return row && rowToSession(row);
    },
    async touch(id, at, opts) {
      const result = await db
        .updateTable('browser_sessions')
        .set({ last_seen_at: at, ...(opts?.expiresAt !== undefined ? { expires_at: opts.expiresAt } : {}) })
        .where('id', '=', id)
        .where('ended_at', 'is', null)
        .where('expires_at', '>', at)
        .executeTakeFirst();
      return count(result.numUpdatedRows) > 0;
    },
    async reauthenticate(id, at, update) {
      // Conditional like touch: a session ended (or expired) meanwhile is not brought back.
      const result = await db
        .updateTable('browser_sessions')
        .set({
          auth_time: update.authTime,
          amr: JSON.stringify(update.amr),
          last_seen_at: at,
          ...(update.expiresAt !== undefined ? { expires_at: update.expiresAt } : {}),
        })
        .where('id', '=', id)
        .where('ended_at', 'is', null)
        .where('expires_at', '>', at)
        .executeTakeFirst();
      return count(result.numUpdatedRows) > 0;
    },
    async end(id, at, reason) {
      // The IS NULL condition makes this a compare-and-set: only the first end wins.
      const result = await db
        .updateTable('browser_sessions')
        .set({ ended_at: at, ended_reason: reason })
        .where('id', '=', id)
        .where('ended_at', 'is', null)
        .executeTakeFirst();
      return count(result.numUpdatedRows) > 0;
    },
    async endByUser(userId, at, reason) {
      const rows = await db
        .updateTable('browser_sessions')
        .set({ ended_at: at, ended_reason: reason })
        .where('user_id', '=', userId)
        .where('ended_at', 'is', null)
        .returning('id')
        .execute();
      return rows.map((r) => r.id).sort();
    },
    async listByUser(userId, opts) {
      const rows = await db
        .selectFrom('browser_sessions')
        .selectAll()
        .where('user_id', '=', userId)
        .$if(!opts?.includeEnded, (q) => q.where('ended_at', 'is', null))
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .execute();
      return rows.map(rowToSession);
    },
    async deleteExpired(before, opts) {
      return inBatches(opts, async (size) => {
        const batch = db
          .selectFrom('browser_sessions')
          .select('id')
          .where((eb) => eb.or([eb('expires_at', '<', before), eb('ended_at', '<', before)]))
          .limit(size);
        const result = await db.deleteFrom('browser_sessions').where('id', 'in', batch).executeTakeFirst();
        return count(result.numDeletedRows);
      });
    },
  };
}
