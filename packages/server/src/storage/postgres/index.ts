export { createPostgresStorage, type PostgresStorageOptions } from './create.js';
export { postgresMigrations } from './migrations.js';
