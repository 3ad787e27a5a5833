import { type ColumnDataType, type Kysely, sql } from 'kysely';

/**
 * Migration 0010 for both databases: second factors (TOTP, recovery codes, passkeys), mailed
 * single-use links, a user's email address and a role's MFA requirement. Existing users get no
 * address (null) and existing roles no requirement (0). Times and counters use the dialect's
 * integer type ('integer' in SQLite, 'bigint' in PostgreSQL: a signature counter reaches 2^32 - 1).
 * Never edit it once released; add a new migration instead.
 *
 * The new tables' `user_id` references `users(id)` ON DELETE CASCADE (the first foreign keys of the
 * schema): deleting a user takes their factors and links with it in the same statement, and a row
 * for a user deleted meanwhile cannot be inserted, so no secret outlives its owner. SQLite enforces
 * them because every connection sets `foreign_keys = ON`.
 */
export async function addFactors(db: Kysely<unknown>, time: ColumnDataType): Promise<void> {
  await addUserEmail(db, time);
  await db.schema
    .alterTable('roles')
    .addColumn('require_mfa', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await createTotpFactors(db, time);
  await createRecoveryCodes(db, time);
  await createPasskeys(db, time);
  await createEmailTokens(db, time);
}

async function addUserEmail(db: Kysely<unknown>, time: ColumnDataType): Promise<void> {
  await db.schema.alterTable('users').addColumn('email', 'text').execute();
  await db.schema.alterTable('users').addColumn('email_key', 'text').execute();
  await db.schema.alterTable('users').addColumn('email_verified_at', time).execute();
  // Unique only where set: most users may have no address.
  await db.schema
    .createIndex('users_email_key')
    .on('users')
    .column('email_key')
    .unique()
    .where(sql.ref('email_key'), 'is not', null)
    .execute();
}

async function createTotpFactors(db: Kysely<unknown>, time: ColumnDataType): Promise<void> {
  await db.schema
    .createTable('totp_factors')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('secret_sealed', 'text', (c) => c.notNull())
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('confirmed_at', time)
    .addColumn('last_used_step', time)
    .execute();
}

async function createRecoveryCodes(db: Kysely<unknown>, time: ColumnDataType): Promise<void> {
  // The primary key (user_id, hash) serves every lookup and the cascade from users.
  await db.schema
    .createTable('recovery_codes')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('used_at', time)
    .addPrimaryKeyConstraint('recovery_codes_pkey', ['user_id', 'hash'])
    .execute();
}

async function createPasskeys(db: Kysely<unknown>, time: ColumnDataType): Promise<void> {
  await db.schema
    .createTable('passkeys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('credential_id', 'text', (c) => c.notNull())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('counter', time, (c) => c.notNull())
    .addColumn('transports', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('aaguid', 'text', (c) => c.notNull())
    .addColumn('backed_up', 'integer', (c) => c.notNull())
    .addColumn('device_type', 'text', (c) => c.notNull())
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('last_used_at', time)
    .execute();
  await db.schema
    .createIndex('passkeys_credential_id')
    .on('passkeys')
    .column('credential_id')
    .unique()
    .execute();
  // listByUser's order, and the cascade from users.
  await db.schema
    .createIndex('passkeys_user_id')
    .on('passkeys')
    .columns(['user_id', 'created_at', 'id'])
    .execute();
}

async function createEmailTokens(db: Kysely<unknown>, time: ColumnDataType): Promise<void> {
  await db.schema
    .createTable('email_tokens')
    .addColumn('hash', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('expires_at', time, (c) => c.notNull())
    .addColumn('consumed_at', time)
    .execute();
  await db.schema.createIndex('email_tokens_expires_at').on('email_tokens').column('expires_at').execute();
  await db.schema
    .createIndex('email_tokens_user_id')
    .on('email_tokens')
    .columns(['user_id', 'kind'])
    .execute();
}
