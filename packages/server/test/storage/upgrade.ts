import { type Kysely, type MigrationProvider, Migrator, sql } from 'kysely';
import { expect } from 'vitest';
import type { Storage } from '../../src/storage/index.js';

/**
 * A database laid out by migration 0001 only (a release before one-card-per-door), holding a
 * client, an audience and a session, is migrated to the latest schema by `open()`; the old rows
 * read back with the safe defaults of the new fields (the client with no code-flow URIs), and the
 * code-flow tables work; an old user has no email address, an old role requires no second factor,
 * and the factor tables follow the old user (created for it, deleted with it).
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
  await sql`insert into users (id, username, username_key, password_hash, roles, disabled, claims, created_at, updated_at)
    values ('u-old', 'Old', 'old', '$argon2id$x', '["manager"]', 0, '{}', 5, 5)`.execute(db);
  await sql`insert into roles (name, scopes, created_at) values ('manager', '["admin"]', 5)`.execute(db);
  await db.destroy();

  const storage = await open();
  try {
    await storage.migrate();
    expect(await storage.clients.get('old-web')).toMatchObject({
      multiAudience: false,
      requireDpop: false,
      tokenExchange: [],
      grants: ['password'],
      redirectUris: [],
      postLogoutRedirectUris: [],
      backchannelLogoutUri: null,
      jwks: null,
    });
    expect(await storage.audiences.get('rooms')).toMatchObject({ uri: null });
    expect(await storage.sessions.get('s-old')).toMatchObject({
      dpopJkt: null,
      audiences: ['keycard'],
      browserSessionId: null,
      authTime: null,
      amr: null,
      offline: false,
    });
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
    const old = await storage.clients.get('old-web');
    if (old === undefined) throw new Error('old client missing');
    await storage.clients.update({ ...old, redirectUris: ['https://old.example/cb'] });
    expect(await storage.clients.get('old-web')).toMatchObject({ redirectUris: ['https://old.example/cb'] });
    await storage.consents.put({
      userId: 'u1',
      clientId: 'old-web',
      scopes: ['openid'],
      audiences: [],
      createdAt: 7,
      updatedAt: 7,
    });
    expect(await storage.consents.listByUser('u1')).toHaveLength(1);
    await storage.browserSessions.create({
      id: 'b1',
      userId: 'u1',
      authTime: 7,
      amr: ['pwd'],
      createdAt: 7,
      lastSeenAt: 7,
      expiresAt: 70,
      endedAt: null,
      endedReason: null,
    });
    expect(await storage.browserSessions.touch('b1', 8)).toBe(true);
    expect(await storage.users.getById('u-old')).toMatchObject({
      username: 'Old',
      email: null,
      emailKey: null,
      emailVerifiedAt: null,
    });
    expect(await storage.roles.get('manager')).toEqual({
      name: 'manager',
      scopes: ['admin'],
      requireMfa: false,
      createdAt: 5,
    });
    await storage.totp.put({
      userId: 'u-old',
      secretSealed: 'sealed',
      createdAt: 9,
      confirmedAt: null,
      lastUsedStep: null,
    });
    await storage.recoveryCodes.replace('u-old', ['h1', 'h2'], 9);
    expect(await storage.users.delete('u-old')).toBe(true);
    expect(await storage.totp.get('u-old')).toBeUndefined();
    expect(await storage.recoveryCodes.countUnused('u-old')).toBe(0);
  } finally {
    await storage.close();
  }
}
