import {
  type AudienceStore,
  type ClientRecord,
  type ClientStore,
  type RoleStore,
  StorageConflictError,
  type UserRecord,
  type UserStore,
} from '../types.js';
import { deleteFactorsOf } from './factors.js';
import { copy, keysetPage, type MemoryState } from './state.js';

export function memoryUsers(state: MemoryState): UserStore {
  const findByKey = (key: string) => [...state.users.values()].find((u) => u.usernameKey === key);
  const findByEmail = (key: string) => [...state.users.values()].find((u) => u.emailKey === key);
  return {
    async create(user) {
      if (state.users.has(user.id)) throw new StorageConflictError('user id already exists');
      if (findByKey(user.usernameKey)) throw new StorageConflictError('username already taken');
      // A JS caller may leave the email fields out: no address, as the SQL adapters store it.
      const stored = {
        ...copy(user),
        email: user.email ?? null,
        emailKey: user.emailKey ?? null,
        emailVerifiedAt: user.emailVerifiedAt ?? null,
      };
      if (stored.emailKey !== null && findByEmail(stored.emailKey))
        throw new StorageConflictError('email already registered');
      state.users.set(user.id, stored);
    },
    async getById(id) {
      return copy(state.users.get(id));
    },
    async getByUsername(usernameKey) {
      return copy(findByKey(usernameKey));
    },
    async getByEmail(emailKey) {
      return copy(findByEmail(emailKey));
    },
    async list(opts) {
      return copy(keysetPage([...state.users.values()], (u) => u.id, opts));
    },
    async update(id, patch) {
      const current = state.users.get(id);
      if (!current) return undefined;
      if (patch.emailKey !== undefined && patch.emailKey !== null) {
        const holder = findByEmail(patch.emailKey);
        if (holder !== undefined && holder.id !== id)
          throw new StorageConflictError('email already registered');
      }
      const next: UserRecord = { ...current };
      // Only defined fields count: `{ roles: undefined }` leaves roles as they are.
      if (patch.passwordHash !== undefined) next.passwordHash = patch.passwordHash;
      if (patch.roles !== undefined) next.roles = copy(patch.roles);
      if (patch.disabled !== undefined) next.disabled = patch.disabled;
      if (patch.claims !== undefined) next.claims = copy(patch.claims);
      if (patch.email !== undefined) next.email = patch.email;
      if (patch.emailKey !== undefined) next.emailKey = patch.emailKey;
      if (patch.emailVerifiedAt !== undefined) next.emailVerifiedAt = patch.emailVerifiedAt;
      if (patch.updatedAt !== undefined) next.updatedAt = patch.updatedAt;
      state.users.set(id, next);
      return copy(next);
    },
    async delete(id) {
      if (!state.users.delete(id)) return false;
      deleteFactorsOf(state, id); // as the SQL adapters' ON DELETE CASCADE does
      return true;
    },
  };
}

/** A copy with the code-flow fields a JS caller may leave out set to their defaults, as SQL stores them. */
const withClientDefaults = (client: ClientRecord): ClientRecord =>
  copy({
    ...client,
    redirectUris: client.redirectUris ?? [],
    postLogoutRedirectUris: client.postLogoutRedirectUris ?? [],
    backchannelLogoutUri: client.backchannelLogoutUri ?? null,
    jwks: client.jwks ?? null,
  });

export function memoryClients(state: MemoryState): ClientStore {
  return {
    async create(client) {
      if (state.clients.has(client.id)) throw new StorageConflictError('client id already exists');
      state.clients.set(client.id, withClientDefaults(client));
    },
    async get(id) {
      return copy(state.clients.get(id));
    },
    async list(opts) {
      return copy(keysetPage([...state.clients.values()], (c) => c.id, opts));
    },
    async update(client) {
      if (!state.clients.has(client.id)) return false;
      state.clients.set(client.id, withClientDefaults(client));
      return true;
    },
    async delete(id) {
      return state.clients.delete(id);
    },
  };
}

export function memoryAudiences(state: MemoryState): AudienceStore {
  const findByUri = (uri: string) => [...state.audiences.values()].find((a) => a.uri === uri);
  return {
    async upsert(audience) {
      const uri = audience.uri ?? null; // a JS caller may leave it out
      const sameUri = uri !== null && findByUri(uri);
      if (sameUri && sameUri.id !== audience.id)
        throw new StorageConflictError('audience uri already registered');
      state.audiences.set(audience.id, copy({ ...audience, uri }));
    },
    async get(id) {
      return copy(state.audiences.get(id));
    },
    async getByUri(uri) {
      return copy(findByUri(uri));
    },
    async list(opts) {
      return copy(keysetPage([...state.audiences.values()], (a) => a.id, opts));
    },
    async delete(id) {
      return state.audiences.delete(id);
    },
  };
}

export function memoryRoles(state: MemoryState): RoleStore {
  return {
    async upsert(role) {
      state.roles.set(role.name, copy({ ...role, requireMfa: role.requireMfa === true }));
    },
    async get(name) {
      return copy(state.roles.get(name));
    },
    async list(opts) {
      return copy(keysetPage([...state.roles.values()], (r) => r.name, opts));
    },
    async delete(name) {
      return state.roles.delete(name);
    },
  };
}
