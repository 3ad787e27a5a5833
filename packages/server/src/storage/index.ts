export type { AuditFilter } from './audit-filter.js';
export { createStorage, type StorageConfig } from './create.js';
export { createMemoryStorage } from './memory.js';
export { decodeListCursor, encodeListCursor, inBatches, listCursor, PRUNE_BATCH } from './paging.js';
export { createPostgresStorage, type PostgresStorageOptions } from './postgres/index.js';
export { createSqliteStorage, type SqliteStorageOptions } from './sqlite/index.js';
export * from './types.js';
export { isStorageUnavailable, StorageUnavailableError } from './unavailable.js';
export { usernameKey } from './username-key.js';
