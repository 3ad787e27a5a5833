import { Kysely, sql as ksql, PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createStorage } from '../../src/storage/index.js';
import { createPostgresStorage } from '../../src/storage/postgres/index.js';
import { SchemaScopedIntrospector } from '../../src/storage/postgres/migration-introspector.js';
import { dropSchemas, freshSchema, PG_URL, probePostgres } from './postgres-helper.js';

const skip = await probePostgres();
const schemas: string[] = [];
const schema = () => {
  const name = freshSchema();
  schemas.push(name);
  return name;
};

afterAll(async () => {
  if (!skip) await dropSchemas(schemas);
});

/** PG_URL with the schema chosen only by the session's search_path, as a role default would. */
function urlWithSearchPath(name: string): string {
  const url = new URL(PG_URL);
  url.searchParams.set('options', `-c search_path=${name}`);
  return url.toString();
}

async function sql<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

async function tablesIn(name: string): Promise<string[]> {
  const rows = await sql<{ relname: string }>(
    `select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = $1 and c.relkind = 'r' order by c.relname`,
    [name],
  );
  return rows.map((r) => r.relname);
}

describe.skipIf(Boolean(skip))('postgres migrations with the schema chosen by search_path', () => {
  it("migrates its own schema when another keycard schema's migration tables exist", async () => {
    const other = schema();
    const mine = schema();
    const first = await createPostgresStorage({ url: PG_URL, schema: other });
    await first.migrate().finally(() => first.close());
    await sql(`create schema "${mine}"`);

    // What the server does with a postgres:// databaseUrl: no schema, createStorage migrates.
    // Three instances start at once and wait for each other on the migration lock.
    const instances = await Promise.all(
      Array.from({ length: 3 }, () => createStorage({ driver: 'postgres', url: urlWithSearchPath(mine) })),
    );
    try {
      await Promise.all(instances.map((s) => s.migrate()));
      await instances[0]?.roles.upsert({ name: 'guest', scopes: ['rooms'], createdAt: 1 });
      expect(await instances[2]?.roles.get('guest')).toMatchObject({ name: 'guest' });
    } finally {
      await Promise.all(instances.map((s) => s.close()));
    }
    const tables = await tablesIn(mine);
    expect(tables).toEqual(
      expect.arrayContaining(['kysely_migration', 'kysely_migration_lock', 'roles', 'users']),
    );
    expect(await sql(`select name from "${mine}".kysely_migration order by name`)).toEqual([
      { name: '0001_initial' },
      { name: '0002_cards' },
      { name: '0003_hygiene' },
      { name: '0004_used_tokens' },
      { name: '0005_authorization_codes' },
      { name: '0006_consents' },
      { name: '0007_browser_sessions' },
      { name: '0008_client_redirects' },
      { name: '0009_session_origin' },
      { name: '0010_factors' },
    ]);
    // The other schema is untouched: its role table stays empty.
    expect(await sql(`select * from "${other}".roles`)).toEqual([]);
  });

  it('fails with ERR_CONFIG_INVALID when the search_path names no existing schema', async () => {
    const missing = schema();
    const storage = await createPostgresStorage({ url: urlWithSearchPath(missing) });
    try {
      await expect(storage.migrate()).rejects.toMatchObject({ code: 'ERR_CONFIG_INVALID' });
    } finally {
      await storage.close();
    }
    expect(await tablesIn(missing)).toEqual([]);
  });
});

describe.skipIf(Boolean(skip))('postgres migrations while other schemas are dropped', () => {
  it("reads only keycard's schema where Kysely's introspection fails on a schema dropped under it", async () => {
    // The exact race, made deterministic: the catalog rows come from the query's snapshot, which
    // still holds the dropped schema, while has_schema_privilege(name) looks it up afresh.
    const doomed = schema();
    const mine = schema();
    await sql(`create schema "${doomed}"; create table "${doomed}".t (id serial primary key)`);
    await sql(`create schema "${mine}"; create table "${mine}".kysely_migration (name text)`);
    const db = new Kysely<unknown>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: PG_URL, max: 1 }) }),
    });
    try {
      const outcomes = await db.connection().execute(async (conn) => {
        const underDroppedSchema = async (list: () => Promise<unknown>) => {
          await ksql`begin isolation level repeatable read`.execute(conn);
          await ksql`select 1`.execute(conn); // the snapshot: the doomed schema is still in it
          await dropSchemas([doomed]);
          const outcome = await list().then(
            (tables) => tables,
            (error: { code?: string }) => error.code,
          );
          await ksql`rollback`.execute(conn);
          await sql(`create schema "${doomed}"; create table "${doomed}".t (id serial primary key)`);
          return outcome;
        };
        return {
          kysely: await underDroppedSchema(() =>
            conn.introspection.getTables({ withInternalKyselyTables: true }),
          ),
          scoped: await underDroppedSchema(() =>
            new SchemaScopedIntrospector(conn, mine).getTables({ withInternalKyselyTables: true }),
          ),
        };
      });
      expect(outcomes.kysely).toBe('3F000'); // invalid_schema_name: "schema … does not exist"
      expect(outcomes.scoped).toEqual([
        { name: 'kysely_migration', schema: mine, isView: false, columns: [] },
      ]);
    } finally {
      await db.destroy();
    }
  });

  it('migrates fresh schemas while other schemas are created and dropped in a loop', async () => {
    // The race end to end, as parallel test files or tenants cause it. With Kysely's whole-database
    // introspection this failed in most runs; migrate() now reads no other schema, so it cannot.
    let migrating = true;
    const churn = async () => {
      // Bounded: stops when the migrations are done, or after 300 rounds at most.
      for (let round = 0; migrating && round < 300; round += 1) {
        const name = schema();
        const tables = Array.from(
          { length: 8 },
          (_, i) => `create table "${name}".t${i} (id serial primary key, v text)`,
        );
        await sql(`create schema "${name}"; ${tables.join('; ')}`);
        await dropSchemas([name]);
      }
    };
    const migrateSome = async () => {
      try {
        for (let i = 0; i < 6; i += 1) {
          const storage = await createPostgresStorage({ url: PG_URL, schema: schema() });
          await storage.migrate().finally(() => storage.close());
        }
      } finally {
        migrating = false;
      }
    };
    await Promise.all([churn(), churn(), migrateSome()]);
  });
});
