import type { Selectable } from 'kysely';
import type { PasskeyRecord, PasskeyStore } from '../types.js';
import { count, orUserConflict, type SqlContext } from './context.js';
import type { PasskeysTable } from './schema.js';

const passkeyToRow = (p: PasskeyRecord): PasskeysTable => ({
  id: p.id,
  user_id: p.userId,
  credential_id: p.credentialId,
  public_key: p.publicKey,
  counter: p.counter,
  transports: JSON.stringify(p.transports),
  name: p.name,
  aaguid: p.aaguid,
  backed_up: p.backedUp ? 1 : 0,
  device_type: p.deviceType,
  created_at: p.createdAt,
  last_used_at: p.lastUsedAt,
});

const rowToPasskey = (r: Selectable<PasskeysTable>): PasskeyRecord => ({
  id: r.id,
  userId: r.user_id,
  credentialId: r.credential_id,
  publicKey: r.public_key,
  counter: Number(r.counter),
  transports: JSON.parse(r.transports) as string[],
  name: r.name,
  aaguid: r.aaguid,
  backedUp: Number(r.backed_up) === 1,
  deviceType: r.device_type as PasskeyRecord['deviceType'],
  createdAt: Number(r.created_at),
  lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at),
});

/**
 * Passkeys on SQLite and PostgreSQL. `recordUse` is a compare-and-set in one conditional UPDATE
 * (`counter = oldCounter`): of two racing uses that read the same counter, one updates it and the
 * other matches nothing once the first has committed.
 */
export function sqlPasskeys(ctx: SqlContext): PasskeyStore {
  const { db } = ctx;
  const getBy = async (column: 'id' | 'credential_id', value: string) => {
    const row = await db.selectFrom('passkeys').selectAll().where(column, '=', value).executeTakeFirst();
    return row && rowToPasskey(row);
  };
  return {
    async create(record) {
      await orUserConflict(ctx, 'passkey id or credential id already exists', () =>
        db.insertInto('passkeys').values(passkeyToRow(record)).execute(),
      );
    },
    get: (id) => getBy('id', id),
    getByCredentialId: (credentialId) => getBy('credential_id', credentialId),
    async listByUser(userId) {
      const rows = await db
        .selectFrom('passkeys')
        .selectAll()
        .where('user_id', '=', userId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(rowToPasskey);
    },
    async recordUse(id, oldCounter, newCounter, at) {
      const result = await db
        .updateTable('passkeys')
        .set({ counter: newCounter, last_used_at: at })
        .where('id', '=', id)
        .where('counter', '=', oldCounter)
        .executeTakeFirst();
      return count(result.numUpdatedRows) > 0;
    },
    async rename(id, userId, name) {
      const result = await db
        .updateTable('passkeys')
        .set({ name })
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return count(result.numUpdatedRows) > 0;
    },
    async delete(id, userId) {
      const result = await db
        .deleteFrom('passkeys')
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return count(result.numDeletedRows) > 0;
    },
    async deleteByUser(userId) {
      const result = await db.deleteFrom('passkeys').where('user_id', '=', userId).executeTakeFirst();
      return count(result.numDeletedRows);
    },
  };
}
