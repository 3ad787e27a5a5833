import { type Kysely, type MigrationProvider, Migrator, sql } from 'kysely';
import { expect } from 'vitest';
import type { Storage } from '../../src/storage/index.js';

/**
 * A database laid out by migration 0001 only (a release before one-card-per-door), holding a
 * client, an audience and a session, is migrated to the latest schema by `open()`; the old rows
 * read back with the safe defaults of the new fields.
 */
export async function expectUpgradeFrom0001(
  db: Kysely<unknown>,
  provider: MigrationProvider,
  open: () => Promise<Storage>,
  migrationTableSchema?: string,
): Promise<void> {
  const migrator = new Migrator({ db, provider, ...(migrationTableSchema ? { migrationTableSchema } : {}) });
  const { error } = await migrator.migrateTo('0001_initial');
  if (error) throw error;
  await sql`insert into clients (id, name, type, secret_hash, first_party, grants, audiences, scopes, created_at)
    values ('old-web', 'Old', 'public', null, 1, '["password"]', '["keycard"]', '["admin"]', 5)`.execute(db);
  await sql`insert into audiences (id, name, scopes, created_at) values ('rooms', 'Rooms', '[]', 5)`.execute(
    db,
  );
  await sql`insert into sessions (id, user_id, client_id, audiences, scopes, created_at, last_used_at, expires_at)
    values ('s-old', 'u1', 'old-web', '["keycard"]', '["admin"]', 5, 5, 50)`.execute(db);
  await db.destroy();

  const storage = await open();
  try {
    await storage.migrate();
    expect(await storage.clients.get('old-web')).toMatchObject({
      multiAudience: false,
      requireDpop: false,
      tokenExchange: [],
      grants: ['password'],
    });
    expect(await storage.audiences.get('rooms')).toMatchObject({ uri: null });
    expect(await storage.sessions.get('s-old')).toMatchObject({ dpopJkt: null, audiences: ['keycard'] });
    await storage.audiences.upsert({
      id: 'pool',
      name: 'Pool',
      scopes: [],
      uri: 'https://pool/',
      createdAt: 6,
    });
    await expect(
      storage.audiences.upsert({
        id: 'rooms',
        name: 'Rooms',
        scopes: [],
        uri: 'https://pool/',
        createdAt: 5,
      }),
    ).rejects.toMatchObject({ code: 'ERR_STORAGE_CONFLICT' });
  } finally {
    await storage.close();
  }
}
