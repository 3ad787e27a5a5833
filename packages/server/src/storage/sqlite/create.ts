import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { loadBetterSqlite3 } from '../../drivers/load.js';
import { inProcessLock } from '../process-lock.js';
import { sqlRevocations } from '../sql/revocations.js';
import type { Database } from '../sql/schema.js';
import { assembleSqlStorage } from '../sql/storage.js';
import type { Storage } from '../types.js';
import { sqliteMigrationProvider } from './migrations.js';
import { watchedRevocations } from './revocation-watch.js';
import { sqliteCursorOps } from './revocations.js';

/** Options of {@link createSqliteStorage}. */
export interface SqliteStorageOptions {
  /** Path of the database file; its parent directory is created if missing. */
  file: string;
  /** How long a write waits for another connection's lock, in ms (default 5000). */
  busyTimeoutMs?: number;
  /**
   * `normal` (default): commits survive a process crash; a power loss or OS crash may lose the
   * last few (WAL mode keeps the database consistent either way). `full`: an fsync per commit,
   * so they survive those too, at several times the cost of a write.
   */
  synchronous?: 'normal' | 'full';
}

/**
 * Opens (or creates) a SQLite database file as keycard storage: WAL journal, foreign keys on,
 * `synchronous` NORMAL (or FULL), a busy timeout for the odd second process. Call `migrate()` before use (createStorage does).
 *
 * @example
 * ```ts
 * const storage = await createSqliteStorage({ file: './data/keycard.db' });
 * await storage.migrate();
 * ```
 */
export async function createSqliteStorage(options: SqliteStorageOptions): Promise<Storage> {
  const database = openSqliteDatabase(options);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: reusingStatements(database) }) });
  const ctx = {
    db,
    isUniqueViolation: isSqliteUniqueViolation,
    isForeignKeyViolation: (error: unknown) =>
      (error as { code?: unknown } | null)?.code === 'SQLITE_CONSTRAINT_FOREIGNKEY',
  };
  return assembleSqlStorage(ctx, {
    kind: 'sqlite',
    // The revocation index asks on every token: "nothing new" is answered without a query when
    // no connection has committed a revocation since the last look (see watchedRevocations).
    revocations: watchedRevocations(sqlRevocations(db, sqliteCursorOps(db)), database),
    withMaintenanceLock: inProcessLock(heldLocks(options.file)),
    async migrate() {
      const migrator = new Migrator({ db, provider: sqliteMigrationProvider });
      const { error } = await migrator.migrateToLatest();
      if (error) throw error;
    },
    async close() {
      await db.destroy();
    },
  });
}

/**
 * Opens the better-sqlite3 connection with keycard's settings (internal; exported for tests).
 *
 * @example
 * ```ts
 * const database = openSqliteDatabase({ file: './data/keycard.db', synchronous: 'full' });
 * ```
 */
export function openSqliteDatabase(options: SqliteStorageOptions): BetterSqlite3.Database {
  if (options.file !== ':memory:') prepareFile(options.file);
  const database = new (loadBetterSqlite3())(options.file);
  try {
    database.pragma('journal_mode = WAL');
    database.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);
    database.pragma('foreign_keys = ON');
    // NORMAL by default: an fsync per commit dominated the cost of a refresh (several commits).
    database.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
  } catch (error) {
    database.close();
    throw error;
  }
  return database;
}

/** Maintenance locks held in this process, per database file: two storages on one file share them. */
const locksByFile = new Map<string, Set<string>>();

function heldLocks(file: string): Set<string> {
  if (file === ':memory:') return new Set();
  const path = resolve(file);
  let held = locksByFile.get(path);
  if (held === undefined) {
    held = new Set();
    locksByFile.set(path, held);
  }
  return held;
}

const MAX_CACHED_STATEMENTS = 500;

/**
 * The connection as Kysely's dialect sees it, with `prepare` reusing a compiled statement per SQL
 * text: Kysely prepares every query anew, and compiling SQL was a large share of a refresh's CPU.
 * Bounded (queries with varying shapes, e.g. multi-row inserts, stop being cached when full).
 * Safe because Kysely runs statements with `all`/`run` to completion, one at a time.
 *
 * @example
 * ```ts
 * const dialect = new SqliteDialect({ database: reusingStatements(openSqliteDatabase({ file })) });
 * ```
 */
export function reusingStatements(database: BetterSqlite3.Database): {
  close(): void;
  prepare(sql: string): BetterSqlite3.Statement;
} {
  const statements = new Map<string, BetterSqlite3.Statement>();
  return {
    close() {
      database.close();
    },
    prepare(sql: string): BetterSqlite3.Statement {
      let statement = statements.get(sql);
      if (statement === undefined) {
        statement = database.prepare(sql);
        if (statements.size < MAX_CACHED_STATEMENTS) statements.set(sql, statement);
      }
      return statement;
    },
  };
}

/**
 * Creates the database file owner-only (0600) before SQLite opens it, and tightens an existing
 * one: it holds password hashes and sealed keys. SQLite gives the -wal and -shm files the mode
 * of the database file, so they follow.
 */
function prepareFile(file: string): void {
  mkdirSync(dirname(file), { recursive: true });
  closeSync(openSync(file, 'a', 0o600));
  for (const path of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(path)) chmodSync(path, 0o600);
}

function isSqliteUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
