import { createMemoryStorage } from './memory.js';
import type { Storage } from './types.js';

/** Which storage driver to open, and its options. */
export type StorageConfig =
  | { driver: 'memory' }
  | { driver: 'sqlite'; file: string; synchronous?: 'normal' | 'full'; timeoutMs?: number }
  | {
      driver: 'postgres';
      url: string;
      schema?: string;
      timeoutMs?: number;
      onConnectionError?: (error: Error) => void;
    };

/**
 * Opens the configured storage and runs its pending migrations.
 *
 * - `memory`: everything lives in this process and is lost on restart; it logs nothing itself
 *   (the server warns at start-up). For tests and throw-away demos only.
 * - `sqlite`: one file, created with its parent directory if missing. One process.
 * - `postgres`: shared by several server instances; `schema` (default: the search_path's
 *   first schema, normally `public`) is created if missing.
 *
 * `timeoutMs` (default 5000) bounds each call's database work: SQLite's busy timeout, PostgreSQL's
 * connection, query and statement timeouts. Past it a call fails with StorageUnavailableError.
 *
 * @example
 * ```ts
 * const storage = await createStorage({ driver: 'sqlite', file: './data/keycard.db' });
 * try {
 *   await storage.users.getByUsername(usernameKey('alice'));
 * } finally {
 *   await storage.close();
 * }
 * ```
 */
export async function createStorage(config: StorageConfig): Promise<Storage> {
  const storage = await open(config);
  try {
    await storage.migrate();
  } catch (error) {
    await storage.close();
    throw error;
  }
  return storage;
}

async function open(config: StorageConfig): Promise<Storage> {
  switch (config.driver) {
    case 'memory':
      return createMemoryStorage();
    case 'sqlite': {
      const { createSqliteStorage } = await import('./sqlite/create.js');
      return createSqliteStorage({
        file: config.file,
        ...(config.synchronous !== undefined ? { synchronous: config.synchronous } : {}),
        ...(config.timeoutMs !== undefined ? { busyTimeoutMs: config.timeoutMs } : {}),
      });
    }
    case 'postgres': {
      const { createPostgresStorage } = await import('./postgres/create.js');
      return createPostgresStorage({
        url: config.url,
        schema: config.schema,
        ...(config.timeoutMs !== undefined ? { timeoutMs: config.timeoutMs } : {}),
        ...(config.onConnectionError !== undefined ? { onConnectionError: config.onConnectionError } : {}),
      });
    }
  }
}
