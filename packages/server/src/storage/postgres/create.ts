import { Kysely, Migrator, PostgresDialect } from 'kysely';
import pg from 'pg';
import { sqlRevocations } from '../sql/revocations.js';
import type { Database } from '../sql/schema.js';
import { assembleSqlStorage } from '../sql/storage.js';
import type { Storage } from '../types.js';
import { postgresMigrationProvider } from './migrations.js';
import { postgresCursorOps } from './revocations.js';

/** Options of {@link createPostgresStorage}. */
export interface PostgresStorageOptions {
  /** Connection URL, e.g. `postgres://keycard@db.internal:5432/keycard`. */
  url: string;
  /** Schema holding keycard's tables (created if missing). Lower-case letters, digits, `_`. */
  schema?: string | undefined;
  /** Maximum pool connections (default 10). */
  poolSize?: number;
  /** How long to wait for a new connection before failing, in ms (default 10000). */
  connectTimeoutMs?: number;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const INT8_OID = 20;

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
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    // pg waits forever by default; an unreachable database should fail start-up instead.
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    // Every connection resolves unqualified table names in keycard's schema.
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
    // int8 (bigint, bigserial, count) as JS numbers: ms timestamps and cursors stay far below 2^53.
    types: { getTypeParser: int8AsNumber },
  });
  // An idle connection dropped by the server must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const ctx = { db, isUniqueViolation: isPostgresUniqueViolation };
  return assembleSqlStorage(ctx, {
    kind: 'postgres',
    revocations: sqlRevocations(db, postgresCursorOps(db)),
    async migrate() {
      const migrator = new Migrator({
        db,
        provider: postgresMigrationProvider,
        migrationTableSchema: schema,
      });
      const { error } = await migrator.migrateToLatest();
      if (error) throw error;
    },
    async close() {
      await db.destroy();
    },
  });
}

const int8AsNumber = ((oid: number, format?: 'text' | 'binary') =>
  oid === INT8_OID
    ? (value: string) => Number(value)
    : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser;

function isPostgresUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '23505';
}
