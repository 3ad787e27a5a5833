export { createSqliteStorage, type SqliteStorageOptions } from './create.js';
export { sqliteMigrations } from './migrations.js';
