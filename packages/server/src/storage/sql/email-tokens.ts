import type { Selectable } from 'kysely';
import { inBatches } from '../paging.js';
import type { EmailTokenRecord, EmailTokenStore } from '../types.js';
import { count, orUserConflict, type SqlContext } from './context.js';
import type { EmailTokensTable } from './schema.js';

const rowToEmailToken = (r: Selectable<EmailTokensTable>): EmailTokenRecord => ({
  hash: r.hash,
  kind: r.kind as EmailTokenRecord['kind'],
  userId: r.user_id,
  email: r.email,
  createdAt: Number(r.created_at),
  expiresAt: Number(r.expires_at),
  consumedAt: r.consumed_at === null ? null : Number(r.consumed_at),
});

/**
 * Mailed single-use links on SQLite and PostgreSQL. `consume` is one conditional
 * `UPDATE … RETURNING`: the database lets exactly one caller match `consumed_at IS NULL`, and the
 * kind and expiry are part of the same condition, so no read-then-write anywhere.
 */
export function sqlEmailTokens(ctx: SqlContext): EmailTokenStore {
  const { db } = ctx;
  return {
    async create(record) {
      await orUserConflict(ctx, 'email token already exists', () =>
        db
          .insertInto('email_tokens')
          .values({
            hash: record.hash,
            kind: record.kind,
            user_id: record.userId,
            email: record.email,
            created_at: record.createdAt,
            expires_at: record.expiresAt,
            consumed_at: record.consumedAt,
          })
          .execute(),
      );
    },
    async consume(hash, kind, now) {
      const row = await db
        .updateTable('email_tokens')
        .set({ consumed_at: now })
        .where('hash', '=', hash)
        .where('kind', '=', kind)
        .where('consumed_at', 'is', null)
        .where('expires_at', '>', now)
        .returningAll()
        .executeTakeFirst();
      return row && rowToEmailToken(row);
    },
    async deleteByUser(userId, kind) {
      const result = await db
        .deleteFrom('email_tokens')
        .where('user_id', '=', userId)
        .where('kind', '=', kind)
        .executeTakeFirst();
      return count(result.numDeletedRows);
    },
    async deleteExpired(before, opts) {
      return inBatches(opts, async (size) => {
        const batch = db
          .selectFrom('email_tokens')
          .select('hash')
          .where('expires_at', '<', before)
          .limit(size);
        const result = await db.deleteFrom('email_tokens').where('hash', 'in', batch).executeTakeFirst();
        return count(result.numDeletedRows);
      });
    },
  };
}
