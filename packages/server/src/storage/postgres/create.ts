import { Kysely, PostgresDialect } from 'kysely';
import { sqlRevocations } from '../sql/revocations.js';
import type { Database } from '../sql/schema.js';
import { assembleSqlStorage } from '../sql/storage.js';
import type { Storage } from '../types.js';
import { withAdvisoryLock } from './maintenance-lock.js';
import { migratePostgres } from './migrate.js';
import { createGuardedPool } from './pool.js';
import { postgresCursorOps } from './revocations.js';

/** Options of {@link createPostgresStorage}. */
export interface PostgresStorageOptions {
  /** Connection URL, e.g. `postgres://keycard@db.internal:5432/keycard`. */
  url: string;
  /**
   * Schema holding keycard's tables (created if missing). Lower-case letters, digits, `_`. Unset:
   * the connection's `current_schema()` (its search_path, e.g. a role default), which must exist.
   */
  schema?: string | undefined;
  /** Maximum pool connections (default 10). */
  poolSize?: number;
  /**
   * Bound on every storage call's database work, in ms (default 5000): getting a connection, each
   * query (client side) and each statement (server side). Past it the call fails with
   * StorageUnavailableError instead of waiting for a database that may never answer.
   */
  timeoutMs?: number;
  /** Told about connection errors the pool absorbed (resets, a restarted database). */
  onConnectionError?: (error: Error) => void;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Connects a pg pool as keycard storage, shared safely by several server instances. Times are
 * bigint columns returned as JS numbers. Call `migrate()` before use (createStorage does).
 *
 * @example
 * ```ts
 * const storage = await createPostgresStorage({ url: process.env.DATABASE_URL ?? '', schema: 'keycard' });
 * await storage.migrate();
 * ```
 */
export async function createPostgresStorage(options: PostgresStorageOptions): Promise<Storage> {
  const { schema } = options;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new TypeError('PostgreSQL schema must match /^[a-z_][a-z0-9_]{0,62}$/');
  }
  const poolOptions = {
    url: options.url,
    schema,
    poolSize: options.poolSize ?? 10,
    timeoutMs: options.timeoutMs ?? 5000,
    onConnectionError: options.onConnectionError,
  };
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: createGuardedPool(poolOptions) }) });
  const ctx = {
    db,
    isUniqueViolation: isPostgresUniqueViolation,
    // 23503 foreign_key_violation: a row naming a user that does not exist.
    isForeignKeyViolation: (error: unknown) => (error as { code?: unknown } | null)?.code === '23503',
  };
  return assembleSqlStorage(ctx, {
    kind: 'postgres',
    revocations: sqlRevocations(db, postgresCursorOps(db)),
    withMaintenanceLock: (name, fn) => withAdvisoryLock(poolOptions, name, fn),
    async migrate() {
      await migratePostgres(poolOptions);
    },
    async close() {
      await db.destroy();
    },
  });
}

function isPostgresUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '23505';
}
