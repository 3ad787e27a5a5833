import { type ColumnDataType, type Kysely, sql } from 'kysely';

/**
 * Migrations 0005 and later for both databases: the authorization-code flow. Times use the
 * dialect's integer type ('integer' in SQLite, 'bigint' in PostgreSQL). Never edit one once
 * released; add a new migration instead.
 */

/** Migration 0005: one-time authorization codes, stored by SHA-256 only. */
export async function createAuthorizationCodes(db: Kysely<unknown>, time: ColumnDataType): Promise<void> {
  await db.schema
    .createTable('authorization_codes')
    .addColumn('code_hash', 'text', (c) => c.primaryKey())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('redirect_uri', 'text', (c) => c.notNull())
    .addColumn('code_challenge', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('sid', 'text', (c) => c.notNull())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('audiences', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text')
    .addColumn('auth_time', time, (c) => c.notNull())
    .addColumn('amr', 'text', (c) => c.notNull())
    .addColumn('dpop_jkt', 'text')
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('expires_at', time, (c) => c.notNull())
    .addColumn('consumed_at', time)
    .addColumn('issued_session_id', 'text')
    .addColumn('replayed_at', time)
    .execute();
  await db.schema
    .createIndex('authorization_codes_expires_at')
    .on('authorization_codes')
    .column('expires_at')
    .execute();
}

/** Migration 0006: consents, one row per (user, client). */
export async function createConsents(db: Kysely<unknown>, time: ColumnDataType): Promise<void> {
  await db.schema
    .createTable('consents')
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('audiences', 'text', (c) => c.notNull())
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('updated_at', time, (c) => c.notNull())
    .addPrimaryKeyConstraint('consents_pkey', ['user_id', 'client_id'])
    .execute();
  await db.schema.createIndex('consents_client_id').on('consents').column('client_id').execute();
}

/** Migration 0007: the front desk's browser (single-sign-on) sessions. */
export async function createBrowserSessions(db: Kysely<unknown>, time: ColumnDataType): Promise<void> {
  await db.schema
    .createTable('browser_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('auth_time', time, (c) => c.notNull())
    .addColumn('amr', 'text', (c) => c.notNull())
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('last_seen_at', time, (c) => c.notNull())
    .addColumn('expires_at', time, (c) => c.notNull())
    .addColumn('ended_at', time)
    .addColumn('ended_reason', 'text')
    .execute();
  await db.schema
    .createIndex('browser_sessions_user_id')
    .on('browser_sessions')
    .columns(['user_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('browser_sessions_expires_at')
    .on('browser_sessions')
    .column('expires_at')
    .execute();
  await db.schema
    .createIndex('browser_sessions_ended_at')
    .on('browser_sessions')
    .column('ended_at')
    .where(sql.ref('ended_at'), 'is not', null)
    .execute();
}

/**
 * Migration 0008: the redirect and logout URIs a client registers for the code flow. Existing
 * clients get none ('[]', '[]', null), so none of them can use the flow until an admin adds some.
 */
export async function addClientRedirects(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('clients')
    .addColumn('redirect_uris', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
  await db.schema
    .alterTable('clients')
    .addColumn('post_logout_redirect_uris', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
  await db.schema.alterTable('clients').addColumn('backchannel_logout_uri', 'text').execute();
}

/**
 * Migration 0009: where a session came from (the browser session of the code flow, when and how
 * the user authenticated, `offline_access`), and a client's public keys for `private_key_jwt`.
 * Existing sessions get null / 0: they came from the password grant.
 */
export async function addSessionOrigin(db: Kysely<unknown>, time: ColumnDataType): Promise<void> {
  await db.schema.alterTable('sessions').addColumn('browser_session_id', 'text').execute();
  await db.schema.alterTable('sessions').addColumn('auth_time', time).execute();
  await db.schema.alterTable('sessions').addColumn('amr', 'text').execute();
  await db.schema
    .alterTable('sessions')
    .addColumn('offline', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createIndex('sessions_browser_session_id')
    .on('sessions')
    .column('browser_session_id')
    .execute();
  await db.schema.alterTable('clients').addColumn('jwks', 'text').execute();
}
