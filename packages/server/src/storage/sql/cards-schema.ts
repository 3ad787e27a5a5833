import { type Kysely, sql } from 'kysely';

/**
 * Migration 0002 for both databases: one card per door, DPoP and token exchange. Existing rows
 * get the safe defaults (single audience, DPoP optional, no exchange rules, no resource URI, no
 * key binding). Never edit it once released; add a new migration instead.
 */
export async function addCardColumns(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('clients')
    .addColumn('multi_audience', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('clients')
    .addColumn('require_dpop', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('clients')
    .addColumn('token_exchange', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
  await db.schema.alterTable('audiences').addColumn('uri', 'text').execute();
  // Unique only where set: most audiences have no URI.
  await db.schema
    .createIndex('audiences_uri')
    .on('audiences')
    .column('uri')
    .unique()
    .where(sql.ref('uri'), 'is not', null)
    .execute();
  await db.schema.alterTable('sessions').addColumn('dpop_jkt', 'text').execute();
}
