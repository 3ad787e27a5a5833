import { Kysely } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createStorage } from '../../src/storage/index.js';
import { createPostgresStorage } from '../../src/storage/postgres/index.js';
import { SchemaScopedPostgresDialect } from '../../src/storage/postgres/migration-introspector.js';
import { postgresMigrationProvider } from '../../src/storage/postgres/migrations.js';
import { describeStorageConformance } from './conformance.js';
import { dropSchemas, emptySchema, freshSchema, PG_URL, probePostgres } from './postgres-helper.js';
import { expectUpgradeFrom0001 } from './upgrade.js';

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

// One schema for this file's conformance tests, migrated by the first test and emptied before each
// later one: emptying a few tables is quicker than migrating a fresh schema per test.
const conformanceSchema = schema();
let migrated = false;
describeStorageConformance(
  'postgres',
  async () => {
    if (migrated) await emptySchema(conformanceSchema);
    migrated = true;
    return createStorage({ driver: 'postgres', url: PG_URL, schema: conformanceSchema });
  },
  { skip },
);

describe.skipIf(Boolean(skip))('postgres storage under real concurrency', () => {
  it('upgrades a database made by an earlier release (migration 0001) with safe defaults', async () => {
    const name = schema();
    const pool = new pg.Pool({ connectionString: PG_URL, max: 1, options: `-c search_path=${name}` });
    // Scoped introspection: Kysely's own scans every schema and fails when another test file drops one.
    const db = new Kysely<unknown>({ dialect: new SchemaScopedPostgresDialect({ pool }, name) });
    await expectUpgradeFrom0001(
      db,
      postgresMigrationProvider,
      () => createPostgresStorage({ url: PG_URL, schema: name }),
      name,
    );
  });

  it('migrates safely when several instances start at once', async () => {
    const name = schema();
    const instances = await Promise.all(
      Array.from({ length: 4 }, () => createPostgresStorage({ url: PG_URL, schema: name })),
    );
    try {
      await Promise.all(instances.map((s) => s.migrate()));
      await Promise.all(instances.map((s) => s.migrate()));
      await instances[0]?.roles.upsert({ name: 'guest', scopes: [], createdAt: 1 });
      expect(await instances[3]?.roles.get('guest')).toMatchObject({ name: 'guest' });
    } finally {
      await Promise.all(instances.map((s) => s.close()));
    }
  });

  it('returns bigint columns as JS numbers', async () => {
    const storage = await createStorage({ driver: 'postgres', url: PG_URL, schema: schema() });
    try {
      const at = Date.UTC(2030, 0, 1);
      await storage.sessions.create({
        id: 's1',
        userId: 'u1',
        clientId: 'web',
        audiences: [],
        scopes: [],
        createdAt: at,
        lastUsedAt: at,
        expiresAt: at + 1,
        revokedAt: null,
        revokedReason: null,
        ip: null,
        userAgent: null,
        dpopJkt: null,
      });
      const read = await storage.sessions.get('s1');
      expect(typeof read?.createdAt).toBe('number');
      expect(read?.expiresAt).toBe(at + 1);
      const event = await storage.revocations.append({ type: 'session', sid: 's1', at, expiresAt: at });
      expect(typeof event.cursor).toBe('number');
      expect(typeof (await storage.revocations.latestCursor())).toBe('number');
    } finally {
      await storage.close();
    }
  });
});
