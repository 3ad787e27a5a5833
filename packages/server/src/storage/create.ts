import { createMemoryStorage } from './memory.js';
import type { Storage } from './types.js';

/** Which storage driver to open, and its options. */
export type StorageConfig =
  | { driver: 'memory' }
  | { driver: 'sqlite'; file: string; synchronous?: 'normal' | 'full' }
  | { driver: 'postgres'; url: string; schema?: string };

/**
 * Opens the configured storage and runs its pending migrations.
 *
 * - `memory`: everything lives in this process and is lost on restart; it logs nothing itself
 *   (the server warns at start-up). For tests and throw-away demos only.
 * - `sqlite`: one file, created with its parent directory if missing. One process.
 * - `postgres`: shared by several server instances; `schema` (default: the search_path's
 *   first schema, normally `public`) is created if missing.
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
      });
    }
    case 'postgres': {
      const { createPostgresStorage } = await import('./postgres/create.js');
      return createPostgresStorage({ url: config.url, schema: config.schema });
    }
  }
}
