import type { Kysely, Migration, MigrationProvider } from 'kysely';
import { addCardColumns } from '../sql/cards-schema.js';
import { addFactors } from '../sql/factors-schema.js';
import {
  addClientRedirects,
  addSessionOrigin,
  createAuthorizationCodes,
  createBrowserSessions,
  createConsents,
} from '../sql/flow-schema.js';
import { addHygieneIndexes } from '../sql/hygiene-schema.js';
import { createAuditIndexes, createSharedTables } from '../sql/initial-schema.js';
import { addUsedTokensIndex } from '../sql/used-tokens-schema.js';

/**
 * SQLite migrations, as code so nothing is read from disk at run time. Names sort in the
 * order they run; never edit a released migration, append a new one.
 *
 * @example
 * ```ts
 * // storage.migrate() runs these; to list them against an existing Kysely instance:
 * const status = await new Migrator({ db, provider: { getMigrations: async () => sqliteMigrations } }).getMigrations();
 * ```
 */
export const sqliteMigrations: Record<string, Migration> = {
  '0001_initial': {
    async up(db: Kysely<unknown>) {
      await createSharedTables(db, 'integer');
      // AUTOINCREMENT: cursors are never reused, even after the newest events are deleted.
      await db.schema
        .createTable('revocations')
        .addColumn('cursor', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('target', 'text', (c) => c.notNull())
        .addColumn('not_before', 'integer')
        .addColumn('at', 'integer', (c) => c.notNull())
        .addColumn('expires_at', 'integer', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('revocations_expires_at').on('revocations').column('expires_at').execute();
      await db.schema
        .createTable('audit_events')
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('at', 'integer', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('actor', 'text')
        .addColumn('subject', 'text')
        .addColumn('ip', 'text')
        .addColumn('user_agent', 'text')
        .addColumn('detail', 'text', (c) => c.notNull())
        .execute();
      await createAuditIndexes(db);
    },
  },
  '0002_cards': {
    async up(db: Kysely<unknown>) {
      await addCardColumns(db);
    },
  },
  '0003_hygiene': {
    async up(db: Kysely<unknown>) {
      await addHygieneIndexes(db);
    },
  },
  '0004_used_tokens': {
    async up(db: Kysely<unknown>) {
      await addUsedTokensIndex(db);
    },
  },
  '0005_authorization_codes': {
    async up(db: Kysely<unknown>) {
      await createAuthorizationCodes(db, 'integer');
    },
  },
  '0006_consents': {
    async up(db: Kysely<unknown>) {
      await createConsents(db, 'integer');
    },
  },
  '0007_browser_sessions': {
    async up(db: Kysely<unknown>) {
      await createBrowserSessions(db, 'integer');
    },
  },
  '0008_client_redirects': {
    async up(db: Kysely<unknown>) {
      await addClientRedirects(db);
    },
  },
  '0009_session_origin': {
    async up(db: Kysely<unknown>) {
      await addSessionOrigin(db, 'integer');
    },
  },
  '0010_factors': {
    async up(db: Kysely<unknown>) {
      await addFactors(db, 'integer');
    },
  },
};

/** Hands {@link sqliteMigrations} to Kysely's Migrator without touching the file system. */
export const sqliteMigrationProvider: MigrationProvider = {
  async getMigrations() {
    return sqliteMigrations;
  },
};
