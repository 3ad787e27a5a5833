import type { Kysely } from 'kysely';

/**
 * Migration 0003 for both databases: indexes for keyset paging and the audit type filter, each
 * found missing by the EXPLAIN test (test/storage/postgres-explain.test.ts). Every admin list
 * pages by (created_at, unique key); the audit list filters by type newest first, which (type, id)
 * answers in index order, so the older (type) index goes. Never edit it once released; add a new
 * migration instead.
 *
 * On PostgreSQL the migration runs in one transaction: each CREATE INDEX blocks writes to its
 * table while it builds (seconds on a large audit table); docs/operations.md says so.
 */
export async function addHygieneIndexes(db: Kysely<unknown>): Promise<void> {
  const keysets: Array<[table: string, key: string]> = [
    ['users', 'id'],
    ['clients', 'id'],
    ['audiences', 'id'],
    ['roles', 'name'],
    ['sessions', 'id'],
  ];
  for (const [table, key] of keysets) {
    await db.schema
      .createIndex(`${table}_created_at_${key}`)
      .on(table)
      .columns(['created_at', key])
      .execute();
  }
  await db.schema.createIndex('audit_events_type_id').on('audit_events').columns(['type', 'id']).execute();
  await db.schema.dropIndex('audit_events_type').execute();
}
