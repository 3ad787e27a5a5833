import { type Kysely, type RawBuilder, type SelectQueryBuilder, type SqlBool, sql } from 'kysely';
import type { ListCursor, PageOptions } from '../paging.js';
import { StorageConflictError } from '../types.js';
import type { Database } from './schema.js';

/** What the shared SQL stores need from a dialect-specific adapter. */
export interface SqlContext {
  db: Kysely<Database>;
  /** True when `error` is the database's unique-key violation. */
  isUniqueViolation(error: unknown): boolean;
  /** True when `error` is the database's foreign-key violation (a row naming a missing user). */
  isForeignKeyViolation(error: unknown): boolean;
}

/** Runs a write, turning a unique-key violation into StorageConflictError (message names no value). */
export async function orConflict<T>(ctx: SqlContext, message: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (ctx.isUniqueViolation(error)) throw new StorageConflictError(message, { cause: error });
    throw error;
  }
}

/**
 * {@link orConflict} for a row that names a user: a foreign-key violation (the user does not
 * exist, or was deleted meanwhile) is a StorageConflictError too.
 */
export async function orUserConflict<T>(
  ctx: SqlContext,
  message: string,
  write: () => Promise<T>,
): Promise<T> {
  try {
    return await orConflict(ctx, message, write);
  } catch (error) {
    if (ctx.isForeignKeyViolation(error))
      throw new StorageConflictError('user does not exist', { cause: error });
    throw error;
  }
}

/** Row counts come back as bigint from Kysely. */
export const count = (n: bigint | number | undefined): number => Number(n ?? 0);

/**
 * The keyset condition "(created_at, key) comes after `after`" as one row-value comparison, which
 * both databases answer from an index on (created_at, key): `>` for oldest-first lists, `<` for
 * newest-first ones.
 */
export function keysetAfter(after: ListCursor, key: string, direction: '>' | '<'): RawBuilder<SqlBool> {
  return sql<SqlBool>`(${sql.ref('created_at')}, ${sql.ref(key)}) ${sql.raw(direction)} (${after.createdAt}, ${after.key})`;
}

/**
 * One keyset page of an oldest-first list: rows after `opts.after` by (created_at, key), at most
 * `opts.limit`. For `.$call(...)` on a select of a table with `created_at` and `key`.
 *
 * @example
 * ```ts
 * db.selectFrom('roles').selectAll().$call(oldestFirstPage('name', { limit: 100 }));
 * ```
 */
export function oldestFirstPage(key: string, opts: PageOptions | undefined) {
  // biome-ignore lint/suspicious/noExplicitAny: the same paging serves every table's select builder.
  return <Q extends SelectQueryBuilder<any, any, any>>(q: Q): Q => {
    let page = q;
    if (opts?.after !== undefined) page = page.where(keysetAfter(opts.after, key, '>')) as Q;
    page = page.orderBy(sql.ref('created_at')).orderBy(sql.ref(key)) as Q;
    return (opts?.limit === undefined ? page : page.limit(opts.limit)) as Q;
  };
}
