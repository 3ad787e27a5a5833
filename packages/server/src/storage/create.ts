import { createMemoryStorage } from './memory.js';
import type { Storage } from './types.js';

/** Which storage driver to open, and its options. */
export type StorageConfig = { driver: 'memory' };

/**
 * Opens the configured storage and runs its pending migrations.
 *
 * `memory` keeps everything in this process and loses it all on restart; it logs nothing
 * itself (the server warns at start-up).
 *
 * @example
 * ```ts
 * const storage = await createStorage({ driver: 'memory' });
 * ```
 */
export async function createStorage(config: StorageConfig): Promise<Storage> {
  switch (config.driver) {
    case 'memory': {
      const storage = createMemoryStorage();
      await storage.migrate();
      return storage;
    }
  }
}
