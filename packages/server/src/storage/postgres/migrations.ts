import { type Kysely, type Migration, type MigrationProvider, sql } from 'kysely';
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
 * PostgreSQL migrations, as code so nothing is read from disk at run time. Kysely's Migrator
 * runs them in one transaction under a session advisory lock, so instances starting together
 * wait for each other instead of racing. Never edit a released migration, append a new one.
 *
 * @example
 * ```ts
 * // storage.migrate() runs these; to list them against an existing Kysely instance:
 * const status = await new Migrator({ db, provider: { getMigrations: async () => postgresMigrations } }).getMigrations();
 * ```
 */
export const postgresMigrations: Record<string, Migration> = {
  '0001_initial': {
    async up(db: Kysely<unknown>) {
      await createSharedTables(db, 'bigint');
      // One row holding the last cursor handed out. Appends increment it inside their
      // transaction, so its row lock serialises them and cursors commit in order.
      await db.schema
        .createTable('revocation_head')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('last_cursor', 'bigint', (c) => c.notNull())
        .execute();
      await sql`insert into revocation_head (id, last_cursor) values (1, 0)`.execute(db);
      await db.schema
        .createTable('revocations')
        .addColumn('cursor', 'bigint', (c) => c.primaryKey())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('target', 'text', (c) => c.notNull())
        .addColumn('not_before', 'bigint')
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('revocations_expires_at').on('revocations').column('expires_at').execute();
      await db.schema
        .createTable('audit_events')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('at', 'bigint', (c) => c.notNull())
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
      await createAuthorizationCodes(db, 'bigint');
    },
  },
  '0006_consents': {
    async up(db: Kysely<unknown>) {
      await createConsents(db, 'bigint');
    },
  },
  '0007_browser_sessions': {
    async up(db: Kysely<unknown>) {
      await createBrowserSessions(db, 'bigint');
    },
  },
  '0008_client_redirects': {
    async up(db: Kysely<unknown>) {
      await addClientRedirects(db);
    },
  },
  '0009_session_origin': {
    async up(db: Kysely<unknown>) {
      await addSessionOrigin(db, 'bigint');
    },
  },
  '0010_factors': {
    async up(db: Kysely<unknown>) {
      await addFactors(db, 'bigint');
    },
  },
};

/** Hands {@link postgresMigrations} to Kysely's Migrator without touching the file system. */
export const postgresMigrationProvider: MigrationProvider = {
  async getMigrations() {
    return postgresMigrations;
  },
};
