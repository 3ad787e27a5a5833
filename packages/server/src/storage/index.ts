export type { AuditFilter } from './audit-filter.js';
export { createStorage, type StorageConfig } from './create.js';
export { createMemoryStorage } from './memory.js';
export * from './types.js';
export { usernameKey } from './username-key.js';
