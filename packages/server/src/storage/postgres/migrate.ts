import { Kysely, Migrator, type PostgresPool } from 'kysely';
import { ServerError } from '../../errors.js';
import { SchemaScopedPostgresDialect } from './migration-introspector.js';
import { postgresMigrationProvider } from './migrations.js';
import { createGuardedPool, type GuardedPoolOptions } from './pool.js';

/**
 * Runs keycard's pending PostgreSQL migrations in one schema: `options.schema`, or else the
 * connection's `current_schema()` (the first existing schema of its search_path, e.g. a role's
 * default). The Migrator always gets that schema explicitly, so its bookkeeping tables are
 * looked up, created and locked there and never mistaken for another schema's, and its
 * existence checks read that schema's catalog rows only (see {@link SchemaScopedIntrospector}).
 *
 * @example
 * ```ts
 * await migratePostgres({ url, schema: 'keycard', poolSize: 1, timeoutMs: 5000 });
 * ```
 */
export async function migratePostgres(options: GuardedPoolOptions): Promise<void> {
  // Its own connection without the query bounds: a migration may rewrite a large table, and an
  // instance starting beside another waits on the migration lock for as long as that takes.
  const pool = createGuardedPool({ ...options, poolSize: 1, boundQueries: false });
  let schema: string;
  try {
    schema = options.schema ?? (await currentSchema(pool));
  } catch (error) {
    await pool.end();
    throw error;
  }
  const db = new Kysely<unknown>({ dialect: new SchemaScopedPostgresDialect({ pool }, schema) });
  try {
    const migrator = new Migrator({ db, provider: postgresMigrationProvider, migrationTableSchema: schema });
    const { error } = await migrator.migrateToLatest();
    if (error) throw error;
  } finally {
    await db.destroy();
  }
}

async function currentSchema(pool: PostgresPool): Promise<string> {
  const client = await pool.connect();
  try {
    const { rows } = await client.query<{ name: string | null }>('select current_schema() as name', []);
    const name = rows[0]?.name;
    if (name) return name;
  } finally {
    client.release();
  }
  // Creating tables now would fail with "no schema has been selected to create in".
  throw new ServerError('ERR_CONFIG_INVALID', {
    message:
      'Invalid keycard configuration: databaseUrl: no schema given and the PostgreSQL search_path names no existing schema',
  });
}
