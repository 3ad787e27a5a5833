import type { RefreshTokenStore } from '../types.js';
import { count, orConflict, type SqlContext } from './context.js';
import { refreshTokenToRow, rowToRefreshToken } from './rows.js';

export function sqlRefreshTokens(ctx: SqlContext): RefreshTokenStore {
  const { db } = ctx;
  const get = async (hash: string) => {
    const row = await db.selectFrom('refresh_tokens').selectAll().where('hash', '=', hash).executeTakeFirst();
    return row && rowToRefreshToken(row);
  };
  return {
    async create(token) {
      await orConflict(ctx, 'refresh token already exists', () =>
        db.insertInto('refresh_tokens').values(refreshTokenToRow(token)).execute(),
      );
    },
    get,
    async consume(hash, at, successor) {
      // One conditional UPDATE: the database lets exactly one concurrent caller match `used_at IS NULL`.
      const result = await db
        .updateTable('refresh_tokens')
        .set({ used_at: at, replaced_by: successor.hash, successor_sealed: successor.sealed })
        .where('hash', '=', hash)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      const won = count(result.numUpdatedRows) === 1;
      // Read after the write: a loser's UPDATE waited for the winner's commit, so it sees the successor.
      const token = await get(hash);
      if (!token) return { status: 'not_found' };
      return { status: won ? 'consumed' : 'already_used', token };
    },
    async clearSealedBefore(before) {
      const result = await db
        .updateTable('refresh_tokens')
        .set({ successor_sealed: null })
        .where('successor_sealed', 'is not', null)
        .where('used_at', '<', before)
        .executeTakeFirst();
      return count(result.numUpdatedRows);
    },
    async deleteBySession(sessionId) {
      const result = await db
        .deleteFrom('refresh_tokens')
        .where('session_id', '=', sessionId)
        .executeTakeFirst();
      return count(result.numDeletedRows);
    },
    async deleteExpired(before) {
      const result = await db
        .deleteFrom('refresh_tokens')
        .where('expires_at', '<', before)
        .executeTakeFirst();
      return count(result.numDeletedRows);
    },
  };
}
