import { type Kysely, sql } from 'kysely';

/**
 * Migration 0004 for both databases: an index on the used (rotated-out) refresh tokens, for the
 * pruning that deletes them once their grace window is over (RefreshTokenStore.deleteUsedBefore,
 * found missing by the EXPLAIN test). Partial, so unused tokens — most rows once used ones are
 * pruned — cost it nothing. Never edit it once released; add a new migration instead.
 */
export async function addUsedTokensIndex(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('refresh_tokens_used_at')
    .on('refresh_tokens')
    .column('used_at')
    .where(sql.ref('used_at'), 'is not', null)
    .execute();
}
