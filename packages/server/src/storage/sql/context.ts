import { type Kysely, type RawBuilder, type SqlBool, sql } from 'kysely';
import type { ListCursor } from '../paging.js';
import { StorageConflictError } from '../types.js';
import type { Database } from './schema.js';

/** What the shared SQL stores need from a dialect-specific adapter. */
export interface SqlContext {
  db: Kysely<Database>;
  /** True when `error` is the database's unique-key violation. */
  isUniqueViolation(error: unknown): boolean;
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
