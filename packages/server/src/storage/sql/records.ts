import type { AudienceStore, ClientStore, RoleStore, UserStore } from '../types.js';
import { compiledOnce } from './compiled.js';
import { count, oldestFirstPage, orConflict, type SqlContext } from './context.js';
import { clientToRow, rowToAudience, rowToClient, rowToRole, rowToUser, userToRow } from './rows.js';
import type { UsersTable } from './schema.js';

export function sqlUsers(ctx: SqlContext): UserStore {
  const { db } = ctx;
  // Read on every refresh and every token check: compiled once.
  const byId = compiledOnce(db.selectFrom('users').selectAll().where('id', '=', ''), 1);
  const getById = async (id: string) => {
    const row = (await byId(db, [id])).rows[0];
    return row && rowToUser(row);
  };
  return {
    async create(user) {
      await orConflict(ctx, 'user id, username or email already exists', () =>
        db.insertInto('users').values(userToRow(user)).execute(),
      );
    },
    getById,
    async getByUsername(usernameKey) {
      const row = await db
        .selectFrom('users')
        .selectAll()
        .where('username_key', '=', usernameKey)
        .executeTakeFirst();
      return row && rowToUser(row);
    },
    async getByEmail(emailKey) {
      const row = await db
        .selectFrom('users')
        .selectAll()
        .where('email_key', '=', emailKey)
        .executeTakeFirst();
      return row && rowToUser(row);
    },
    async list(opts) {
      const rows = await db.selectFrom('users').selectAll().$call(oldestFirstPage('id', opts)).execute();
      return rows.map(rowToUser);
    },
    async update(id, patch) {
      const set: Partial<UsersTable> = {};
      // Only defined fields count: `{ roles: undefined }` leaves roles as they are.
      if (patch.passwordHash !== undefined) set.password_hash = patch.passwordHash;
      if (patch.roles !== undefined) set.roles = JSON.stringify(patch.roles);
      if (patch.disabled !== undefined) set.disabled = patch.disabled ? 1 : 0;
      if (patch.claims !== undefined) set.claims = JSON.stringify(patch.claims);
      if (patch.email !== undefined) set.email = patch.email;
      if (patch.emailKey !== undefined) set.email_key = patch.emailKey;
      if (patch.emailVerifiedAt !== undefined) set.email_verified_at = patch.emailVerifiedAt;
      if (patch.updatedAt !== undefined) set.updated_at = patch.updatedAt;
      if (Object.keys(set).length === 0) return getById(id);
      // Another user's email key violates the partial unique index: a conflict, nothing changed.
      const row = await orConflict(ctx, 'email already registered', () =>
        db.updateTable('users').set(set).where('id', '=', id).returningAll().executeTakeFirst(),
      );
      return row && rowToUser(row);
    },
    // The user's factors and email tokens go with the row (ON DELETE CASCADE, migration 0010).
    async delete(id) {
      const result = await db.deleteFrom('users').where('id', '=', id).executeTakeFirst();
      return count(result.numDeletedRows) > 0;
    },
  };
}

export function sqlClients(ctx: SqlContext): ClientStore {
  const { db } = ctx;
  return {
    async create(client) {
      await orConflict(ctx, 'client id already exists', () =>
        db.insertInto('clients').values(clientToRow(client)).execute(),
      );
    },
    async get(id) {
      const row = await db.selectFrom('clients').selectAll().where('id', '=', id).executeTakeFirst();
      return row && rowToClient(row);
    },
    async list(opts) {
      const rows = await db.selectFrom('clients').selectAll().$call(oldestFirstPage('id', opts)).execute();
      return rows.map(rowToClient);
    },
    async update(client) {
      const { id, ...row } = clientToRow(client);
      const result = await db.updateTable('clients').set(row).where('id', '=', id).executeTakeFirst();
      return count(result.numUpdatedRows) > 0;
    },
    async delete(id) {
      const result = await db.deleteFrom('clients').where('id', '=', id).executeTakeFirst();
      return count(result.numDeletedRows) > 0;
    },
  };
}

export function sqlAudiences(ctx: SqlContext): AudienceStore {
  const { db } = ctx;
  return {
    async upsert(audience) {
      const row = {
        name: audience.name,
        scopes: JSON.stringify(audience.scopes),
        uri: audience.uri ?? null, // a JS caller may leave it out
        created_at: audience.createdAt,
      };
      // A second audience with the same uri violates the partial unique index: a conflict.
      await orConflict(ctx, 'audience uri already registered', () =>
        db
          .insertInto('audiences')
          .values({ id: audience.id, ...row })
          .onConflict((oc) => oc.column('id').doUpdateSet(row))
          .execute(),
      );
    },
    async get(id) {
      const row = await db.selectFrom('audiences').selectAll().where('id', '=', id).executeTakeFirst();
      return row && rowToAudience(row);
    },
    async getByUri(uri) {
      const row = await db.selectFrom('audiences').selectAll().where('uri', '=', uri).executeTakeFirst();
      return row && rowToAudience(row);
    },
    async list(opts) {
      const rows = await db.selectFrom('audiences').selectAll().$call(oldestFirstPage('id', opts)).execute();
      return rows.map(rowToAudience);
    },
    async delete(id) {
      const result = await db.deleteFrom('audiences').where('id', '=', id).executeTakeFirst();
      return count(result.numDeletedRows) > 0;
    },
  };
}

export function sqlRoles({ db }: SqlContext): RoleStore {
  return {
    async upsert(role) {
      const row = {
        scopes: JSON.stringify(role.scopes),
        require_mfa: role.requireMfa === true ? 1 : 0,
        created_at: role.createdAt,
      };
      await db
        .insertInto('roles')
        .values({ name: role.name, ...row })
        .onConflict((oc) => oc.column('name').doUpdateSet(row))
        .execute();
    },
    async get(name) {
      const row = await db.selectFrom('roles').selectAll().where('name', '=', name).executeTakeFirst();
      return row && rowToRole(row);
    },
    async list(opts) {
      const rows = await db.selectFrom('roles').selectAll().$call(oldestFirstPage('name', opts)).execute();
      return rows.map(rowToRole);
    },
    async delete(name) {
      const result = await db.deleteFrom('roles').where('name', '=', name).executeTakeFirst();
      return count(result.numDeletedRows) > 0;
    },
  };
}
