import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createStorage } from '../../src/storage/index.js';
import { openSqliteDatabase, reusingStatements } from '../../src/storage/sqlite/create.js';
import { createSqliteStorage } from '../../src/storage/sqlite/index.js';
import { sqliteMigrationProvider } from '../../src/storage/sqlite/migrations.js';
import { describeStorageConformance } from './conformance.js';
import { expectUpgradeFrom0001 } from './upgrade.js';

const dir = mkdtempSync(join(tmpdir(), 'keycard-sqlite-'));
let n = 0;
const nextFile = () => join(dir, `nested-${++n}`, 'keycard.db'); // parent directory does not exist yet

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeStorageConformance('sqlite', () => createStorage({ driver: 'sqlite', file: nextFile() }));

describe('sqlite storage file', () => {
  it('upgrades a database made by an earlier release (migration 0001) with safe defaults', async () => {
    const file = nextFile();
    mkdirSync(dirname(file), { recursive: true });
    const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new BetterSqlite3(file) }) });
    await expectUpgradeFrom0001(db, sqliteMigrationProvider, () => createSqliteStorage({ file }));
  });

  it('keeps data across close and reopen, cursors included', async () => {
    const file = nextFile();
    const first = await createSqliteStorage({ file });
    await first.migrate();
    await first.users.create({
      id: 'u1',
      username: 'Alice',
      usernameKey: 'alice',
      passwordHash: '$argon2id$x',
      roles: ['guest'],
      disabled: true,
      claims: { room: '101' },
      email: null,
      emailKey: null,
      emailVerifiedAt: null,
      createdAt: 1,
      updatedAt: 2,
    });
    const event = await first.revocations.append({ type: 'session', sid: 's1', at: 1, expiresAt: 2 });
    await first.revocations.deleteExpired(10);
    await first.close();

    const second = await createSqliteStorage({ file });
    await second.migrate();
    expect(await second.users.getByUsername('alice')).toMatchObject({
      id: 'u1',
      disabled: true,
      claims: { room: '101' },
    });
    expect(await second.revocations.latestCursor()).toBe(event.cursor);
    const next = await second.revocations.append({ type: 'token', jti: 'j', at: 3, expiresAt: 4 });
    expect(next.cursor).toBeGreaterThan(event.cursor);
    await second.close();
  });

  it('lets one consume win across two connections to the same file', async () => {
    const file = nextFile();
    const a = await createStorage({ driver: 'sqlite', file });
    const b = await createSqliteStorage({ file });
    try {
      await a.refreshTokens.create({
        hash: 'h',
        sessionId: 's',
        createdAt: 1,
        expiresAt: 9,
        usedAt: null,
        replacedBy: null,
        successorSealed: null,
      });
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 ? a : b).refreshTokens.consume('h', 5, { hash: `n${i}`, sealed: null }),
        ),
      );
      expect(results.filter((r) => r.status === 'consumed')).toHaveLength(1);
      expect(results.filter((r) => r.status === 'already_used')).toHaveLength(19);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('lets one authorization-code consume win across two connections to the same file', async () => {
    const file = nextFile();
    const a = await createStorage({ driver: 'sqlite', file });
    const b = await createSqliteStorage({ file });
    try {
      const code = {
        codeHash: 'h',
        clientId: 'spa',
        redirectUri: 'https://app.example/cb',
        codeChallenge: 'c'.repeat(43),
        userId: 'u1',
        sid: 'b1',
        scopes: [],
        audiences: [],
        nonce: null,
        authTime: 1,
        amr: [],
        dpopJkt: null,
        createdAt: 1,
        expiresAt: 9,
      };
      await a.authorizationCodes.create(code);
      const pair = await Promise.all([
        a.authorizationCodes.consume('h', 5),
        b.authorizationCodes.consume('h', 5),
      ]);
      expect(pair.map((r) => r.status).sort()).toEqual(['ok', 'replayed']);
      await a.authorizationCodes.create({ ...code, codeHash: 'h2' });
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).authorizationCodes.consume('h2', 5)),
      );
      expect(results.filter((r) => r.status === 'ok')).toHaveLength(1);
      expect(results.filter((r) => r.status === 'replayed')).toHaveLength(19);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('shares the maintenance lock between two storages on one file in this process', async () => {
    const file = nextFile();
    const [a, b] = [await createSqliteStorage({ file }), await createSqliteStorage({ file })];
    const other = await createSqliteStorage({ file: nextFile() });
    try {
      let inner: boolean[] = [];
      expect(
        await a.withMaintenanceLock('prune', async () => {
          inner = [
            await b.withMaintenanceLock('prune', async () => {}),
            await other.withMaintenanceLock('prune', async () => {}),
          ];
        }),
      ).toBe(true);
      expect(inner).toEqual([false, true]); // same file: taken; another file: its own lock
      expect(await b.withMaintenanceLock('prune', async () => {})).toBe(true);
    } finally {
      await Promise.all([a.close(), b.close(), other.close()]);
    }
  });

  it('runs in WAL mode with foreign keys on', async () => {
    const { default: Database } = await import('better-sqlite3');
    const file = nextFile();
    const storage = await createSqliteStorage({ file });
    await storage.migrate();
    await storage.close();
    const raw = new Database(file, { readonly: true });
    try {
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      raw.close();
    }
  });

  it.skipIf(process.platform === 'win32')(
    'creates the database and its -wal/-shm files owner-only (0600), and tightens an existing file',
    async () => {
      const mode = (path: string) => statSync(path).mode & 0o777;
      const file = nextFile();
      const storage = await createSqliteStorage({ file });
      await storage.migrate();
      await storage.revocations.append({ type: 'token', jti: 'j', at: 1, expiresAt: 2 });
      for (const path of [file, `${file}-wal`, `${file}-shm`]) {
        expect(existsSync(path)).toBe(true);
        expect(mode(path)).toBe(0o600);
      }
      await storage.close();

      const old = nextFile();
      mkdirSync(dirname(old), { recursive: true });
      writeFileSync(old, '');
      chmodSync(old, 0o644);
      const reopened = await createSqliteStorage({ file: old });
      await reopened.migrate();
      expect(mode(old)).toBe(0o600);
      await reopened.close();
    },
  );

  it('runs synchronous=NORMAL by default and FULL when asked', () => {
    for (const [synchronous, expected] of [
      [undefined, 1],
      ['normal', 1],
      ['full', 2],
    ] as const) {
      const database = openSqliteDatabase({ file: nextFile(), ...(synchronous ? { synchronous } : {}) });
      try {
        expect(database.pragma('synchronous', { simple: true })).toBe(expected);
      } finally {
        database.close();
      }
    }
  });

  it('reuses one prepared statement per SQL text', () => {
    const database = openSqliteDatabase({ file: ':memory:' });
    try {
      const wrapped = reusingStatements(database);
      const a = wrapped.prepare('select 1 as one');
      expect(wrapped.prepare('select 1 as one')).toBe(a);
      expect(wrapped.prepare('select 2 as two')).not.toBe(a);
      expect(a.get()).toEqual({ one: 1 });
      expect(a.get()).toEqual({ one: 1 });
    } finally {
      database.close();
    }
  });
});
