import type { Kysely, SelectQueryBuilder } from 'kysely';
import { inBatches } from '../paging.js';
import type { ConsumeResult, RefreshTokenStore } from '../types.js';
import { compiledOnce } from './compiled.js';
import { count, orConflict, type SqlContext } from './context.js';
import { refreshTokenToRow, rowToRefreshToken } from './rows.js';
import type { Database } from './schema.js';

export function sqlRefreshTokens(ctx: SqlContext): RefreshTokenStore {
  const { db } = ctx;
  // The statements of every rotation, compiled once (parameters in the order of the SQL).
  const byHash = compiledOnce(db.selectFrom('refresh_tokens').selectAll().where('hash', '=', ''), 1);
  const markUsed = compiledOnce(
    db
      .updateTable('refresh_tokens')
      .set({ used_at: 0, replaced_by: '', successor_sealed: null })
      .where('hash', '=', '')
      .where('used_at', 'is', null)
      .returningAll(),
    4,
  );
  const readToken = async (q: Kysely<Database>, hash: string) => {
    const row = (await byHash(q, [hash])).rows[0];
    return row && rowToRefreshToken(row);
  };
  const get = (hash: string) => readToken(db, hash);
  type TokenSelect = SelectQueryBuilder<Database, 'refresh_tokens', { hash: string }>;
  /** Deletes the rows `narrow` selects, a bounded batch per statement. */
  const deleteInBatches = (opts: Parameters<typeof inBatches>[0], narrow: (q: TokenSelect) => TokenSelect) =>
    inBatches(opts, async (size) => {
      const batch = narrow(db.selectFrom('refresh_tokens').select('hash')).limit(size);
      const result = await db.deleteFrom('refresh_tokens').where('hash', 'in', batch).executeTakeFirst();
      return count(result.numDeletedRows);
    });
  return {
    async create(token) {
      await orConflict(ctx, 'refresh token already exists', () =>
        db.insertInto('refresh_tokens').values(refreshTokenToRow(token)).execute(),
      );
    },
    get,
    async consume(hash, at, successor) {
      const { record } = successor;
      if (record !== undefined && record.hash !== successor.hash) {
        throw new Error('successor.record.hash must equal successor.hash');
      }
      const rotate = async (q: Kysely<Database>): Promise<ConsumeResult> => {
        // One conditional UPDATE: the database lets exactly one concurrent caller match `used_at IS NULL`.
        const row = (await markUsed(q, [at, successor.hash, successor.sealed, hash])).rows[0];
        if (row !== undefined) {
          if (record !== undefined) {
            await orConflict(ctx, 'refresh token already exists', () =>
              q.insertInto('refresh_tokens').values(refreshTokenToRow(record)).execute(),
            );
          }
          return { status: 'consumed', token: rowToRefreshToken(row) };
        }
        // Read after the write: a loser's UPDATE waited for the winner's commit, so it sees the successor.
        const token = await readToken(q, hash);
        return token ? { status: 'already_used', token } : { status: 'not_found' };
      };
      // With a successor record: consume and create in one transaction (one commit, all or nothing).
      return record === undefined ? rotate(db) : db.transaction().execute(rotate);
    },
    async clearSealedBefore(before, opts) {
      return inBatches(opts, async (size) => {
        const batch = db
          .selectFrom('refresh_tokens')
          .select('hash')
          .where('successor_sealed', 'is not', null)
          .where('used_at', '<', before)
          .limit(size);
        const result = await db
          .updateTable('refresh_tokens')
          .set({ successor_sealed: null })
          .where('hash', 'in', batch)
          .executeTakeFirst();
        return count(result.numUpdatedRows);
      });
    },
    async deleteBySession(sessionId) {
      const result = await db
        .deleteFrom('refresh_tokens')
        .where('session_id', '=', sessionId)
        .executeTakeFirst();
      return count(result.numDeletedRows);
    },
    async deleteExpired(before, opts) {
      return deleteInBatches(opts, (q) => q.where('expires_at', '<', before));
    },
    async deleteUsedBefore(before, opts) {
      // `used_at < ?` never matches NULL (an unused token); the partial index of migration 0004
      // serves it.
      return deleteInBatches(opts, (q) => q.where('used_at', 'is not', null).where('used_at', '<', before));
    },
  };
}
