import {
  type DatabaseIntrospector,
  type DatabaseMetadata,
  type Kysely,
  PostgresDialect,
  type PostgresDialectConfig,
  type SchemaMetadata,
  sql,
  type TableMetadata,
} from 'kysely';

/** Kysely's own bookkeeping tables, which its Migrator looks for. */
const KYSELY_TABLES = ['kysely_migration', 'kysely_migration_lock'];

/**
 * What Kysely's Migrator asks before migrating ("does the schema exist?", "does the migration
 * table exist?"), answered from one schema only. Kysely's PostgresIntrospector lists every table
 * of every schema and calls has_schema_privilege() and pg_get_serial_sequence() by name on each
 * row: a schema dropped while that query runs makes it fail with `schema … does not exist`.
 * These queries read plain catalog rows of keycard's schema and nothing else.
 *
 * Tables are listed without their columns: the Migrator needs names only, and nothing else in
 * keycard introspects the database.
 *
 * @example
 * ```ts
 * const tables = await new SchemaScopedIntrospector(db, 'keycard').getTables();
 * ```
 */
export class SchemaScopedIntrospector implements DatabaseIntrospector {
  readonly #db: Kysely<unknown>;
  readonly #schema: string;

  constructor(db: Kysely<unknown>, schema: string) {
    this.#db = db;
    this.#schema = schema;
  }

  async getSchemas(): Promise<SchemaMetadata[]> {
    const { rows } = await sql<{ name: string }>`
      select nspname as name from pg_catalog.pg_namespace where nspname = ${this.#schema}
    `.execute(this.#db);
    return rows.map(({ name }) => ({ name }));
  }

  async getTables(options = { withInternalKyselyTables: false }): Promise<TableMetadata[]> {
    const { rows } = await sql<{ name: string; kind: string }>`
      select c.relname as name, c.relkind as kind
      from pg_catalog.pg_class c
      join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      where n.nspname = ${this.#schema} and c.relkind in ('r', 'v', 'p')
      order by c.relname
    `.execute(this.#db);
    return rows
      .filter(({ name }) => options.withInternalKyselyTables || !KYSELY_TABLES.includes(name))
      .map(({ name, kind }) => ({ name, schema: this.#schema, isView: kind === 'v', columns: [] }));
  }

  async getMetadata(options?: { withInternalKyselyTables: boolean }): Promise<DatabaseMetadata> {
    return { tables: await this.getTables(options) };
  }
}

/**
 * PostgreSQL as usual, except that introspection (Kysely's Migrator's existence checks) sees one
 * schema only. For the Kysely instance that migrates; queries are unchanged.
 *
 * @example
 * ```ts
 * const db = new Kysely<unknown>({ dialect: new SchemaScopedPostgresDialect({ pool }, 'keycard') });
 * await new Migrator({ db, provider, migrationTableSchema: 'keycard' }).migrateToLatest();
 * ```
 */
export class SchemaScopedPostgresDialect extends PostgresDialect {
  readonly #schema: string;

  constructor(config: PostgresDialectConfig, schema: string) {
    super(config);
    this.#schema = schema;
  }

  override createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new SchemaScopedIntrospector(db, this.#schema);
  }
}
