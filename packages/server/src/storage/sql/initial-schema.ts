import { type ColumnDataType, type Kysely, sql } from 'kysely';

/**
 * Tables both databases lay out the same way, apart from the integer type used for times
 * ('integer' in SQLite, 'bigint' in PostgreSQL). Part of migration 0001: never edit it, add a
 * new migration instead.
 */
export async function createSharedTables(db: Kysely<unknown>, time: ColumnDataType): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('username_key', 'text', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('roles', 'text', (c) => c.notNull())
    .addColumn('disabled', 'integer', (c) => c.notNull())
    .addColumn('claims', 'text', (c) => c.notNull())
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('updated_at', time, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('clients')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('secret_hash', 'text')
    .addColumn('first_party', 'integer', (c) => c.notNull())
    .addColumn('grants', 'text', (c) => c.notNull())
    .addColumn('audiences', 'text', (c) => c.notNull())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('created_at', time, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('audiences')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('created_at', time, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('roles')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('created_at', time, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('audiences', 'text', (c) => c.notNull())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('last_used_at', time, (c) => c.notNull())
    .addColumn('expires_at', time, (c) => c.notNull())
    .addColumn('revoked_at', time)
    .addColumn('revoked_reason', 'text')
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .execute();
  await db.schema.createIndex('sessions_user_id').on('sessions').column('user_id').execute();
  await db.schema.createIndex('sessions_expires_at').on('sessions').column('expires_at').execute();

  await db.schema
    .createTable('refresh_tokens')
    .addColumn('hash', 'text', (c) => c.primaryKey())
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('expires_at', time, (c) => c.notNull())
    .addColumn('used_at', time)
    .addColumn('replaced_by', 'text')
    .addColumn('successor_sealed', 'text')
    .execute();
  await db.schema
    .createIndex('refresh_tokens_session_id')
    .on('refresh_tokens')
    .column('session_id')
    .execute();
  await db.schema
    .createIndex('refresh_tokens_expires_at')
    .on('refresh_tokens')
    .column('expires_at')
    .execute();
  await db.schema
    .createIndex('refresh_tokens_sealed_used_at')
    .on('refresh_tokens')
    .column('used_at')
    .where(sql.ref('successor_sealed'), 'is not', null)
    .execute();

  await db.schema
    .createTable('signing_keys')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .addColumn('alg', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('public_jwk', 'text', (c) => c.notNull())
    .addColumn('private_sealed', 'text', (c) => c.notNull())
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('activated_at', time)
    .addColumn('retired_at', time)
    .addColumn('remove_after', time)
    .execute();
  // At most one current key, enforced by the database so racing rotations cannot both win.
  await db.schema
    .createIndex('signing_keys_one_current')
    .on('signing_keys')
    .column('state')
    .unique()
    .where('state', '=', 'current')
    .execute();
}

/** Indexes of the audit log, created after each dialect's own audit_events table. */
export async function createAuditIndexes(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('audit_events_type').on('audit_events').column('type').execute();
  await db.schema.createIndex('audit_events_actor').on('audit_events').columns(['actor', 'id']).execute();
  await db.schema.createIndex('audit_events_subject').on('audit_events').columns(['subject', 'id']).execute();
  await db.schema.createIndex('audit_events_at').on('audit_events').column('at').execute();
}
