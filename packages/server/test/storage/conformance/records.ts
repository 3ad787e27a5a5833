import { describe, expect, it } from 'vitest';
import { type Ctx, client, user } from './fixtures.js';

/** Users, clients, audiences and roles: the plain keyed records. */
export function recordTests(ctx: Ctx): void {
  describe('users', () => {
    it('creates and reads back by id and by username key', async () => {
      const users = ctx.storage().users;
      const alice = user('u1', { username: 'Alice' });
      await users.create(alice);
      expect(await users.getById('u1')).toEqual(alice);
      expect(await users.getByUsername('alice')).toEqual(alice);
      expect(await users.getById('nope')).toBeUndefined();
      expect(await users.getByUsername('Alice')).toBeUndefined(); // lookups go through the key only
    });

    it('rejects a duplicate username key and a duplicate id with ERR_STORAGE_CONFLICT', async () => {
      const users = ctx.storage().users;
      await users.create(user('u1', { username: 'Alice' }));
      await expect(users.create(user('u2', { username: 'ALICE' }))).rejects.toMatchObject({
        code: 'ERR_STORAGE_CONFLICT',
      });
      await expect(users.create(user('u1', { username: 'bob' }))).rejects.toMatchObject({
        code: 'ERR_STORAGE_CONFLICT',
      });
      expect(await users.list()).toHaveLength(1);
    });

    it('lists oldest first with a limit', async () => {
      const users = ctx.storage().users;
      for (const [i, id] of ['c', 'a', 'b'].entries()) await users.create(user(id, { createdAt: 1_000 + i }));
      expect((await users.list()).map((u) => u.id)).toEqual(['c', 'a', 'b']);
      expect((await users.list({ limit: 2 })).map((u) => u.id)).toEqual(['c', 'a']);
    });

    it('updates only the patched fields and returns the new record', async () => {
      const users = ctx.storage().users;
      const alice = user('u1');
      await users.create(alice);
      const updated = await users.update('u1', {
        roles: ['manager'],
        disabled: true,
        claims: { room: '202' },
        updatedAt: 2_000,
      });
      const expected = {
        ...alice,
        roles: ['manager'],
        disabled: true,
        claims: { room: '202' },
        updatedAt: 2_000,
      };
      expect(updated).toEqual(expected);
      expect(await users.getById('u1')).toEqual(expected);
      const rehashed = await users.update('u1', { passwordHash: '$argon2id$new' });
      expect(rehashed).toEqual({ ...expected, passwordHash: '$argon2id$new' });
      expect(await users.update('missing', { disabled: true })).toBeUndefined();
    });

    it('deletes, returning whether something was deleted', async () => {
      const users = ctx.storage().users;
      await users.create(user('u1', { username: 'alice' }));
      expect(await users.delete('u1')).toBe(true);
      expect(await users.delete('u1')).toBe(false);
      expect(await users.getByUsername('alice')).toBeUndefined();
      await users.create(user('u2', { username: 'Alice' })); // the username is free again
    });

    it('returns copies: mutating inputs or outputs does not change stored state', async () => {
      const users = ctx.storage().users;
      const alice = user('u1');
      await users.create(alice);
      alice.roles.push('admin');
      (alice.claims as { room: string }).room = 'hacked';
      const read = await users.getById('u1');
      expect(read?.roles).toEqual(['guest']);
      read?.roles.push('admin');
      if (read) (read.claims as { nested: { floor: number } }).nested.floor = 99;
      expect(await users.getById('u1')).toEqual(user('u1'));
    });
  });

  describe('clients', () => {
    it('creates, gets, lists, deletes and rejects duplicate ids', async () => {
      const clients = ctx.storage().clients;
      const web = client('web', { type: 'public', secretHash: null, createdAt: 2_000 });
      const svc = client('svc', { grants: ['client_credentials'], firstParty: false, createdAt: 1_000 });
      await clients.create(web);
      await clients.create(svc);
      expect(await clients.get('web')).toEqual(web);
      expect(await clients.get('nope')).toBeUndefined();
      expect(await clients.list()).toEqual([svc, web]);
      await expect(clients.create(client('web'))).rejects.toMatchObject({ code: 'ERR_STORAGE_CONFLICT' });
      expect(await clients.delete('web')).toBe(true);
      expect(await clients.delete('web')).toBe(false);
      expect(await clients.list()).toEqual([svc]);
    });

    it('keeps multiAudience, requireDpop and exchange rules, and updates in place', async () => {
      const clients = ctx.storage().clients;
      const svc = client('rooms-svc', {
        grants: ['client_credentials', 'urn:ietf:params:oauth:grant-type:token-exchange'],
        multiAudience: true,
        requireDpop: true,
        tokenExchange: [{ from: 'rooms', to: 'billing', scopes: ['billing:charge'] }],
      });
      await clients.create(svc);
      expect(await clients.get('rooms-svc')).toEqual(svc);
      const changed = { ...svc, requireDpop: false, tokenExchange: [], scopes: [] };
      expect(await clients.update(changed)).toBe(true);
      expect(await clients.get('rooms-svc')).toEqual(changed);
      expect(await clients.update(client('missing'))).toBe(false);
      expect(await clients.get('missing')).toBeUndefined();
    });
  });

  describe('clients: code-flow URIs', () => {
    it('keeps redirect, post-logout and back-channel logout URIs, and updates them', async () => {
      const clients = ctx.storage().clients;
      const spa = client('spa', {
        type: 'public',
        secretHash: null,
        redirectUris: ['https://app.example/callback', 'http://127.0.0.1/cb'],
        postLogoutRedirectUris: ['https://app.example/'],
        backchannelLogoutUri: 'https://app.example/backchannel-logout',
      });
      await clients.create(spa);
      expect(await clients.get('spa')).toEqual(spa);
      expect(await clients.list()).toEqual([spa]);
      const changed = { ...spa, redirectUris: ['https://app.example/new'], backchannelLogoutUri: null };
      expect(await clients.update(changed)).toBe(true);
      expect(await clients.get('spa')).toEqual(changed);
    });

    it('defaults them to none when a JS caller leaves them out', async () => {
      const clients = ctx.storage().clients;
      const {
        redirectUris: _r,
        postLogoutRedirectUris: _p,
        backchannelLogoutUri: _b,
        jwks: _j,
        ...old
      } = client('old');
      await clients.create(old as Parameters<typeof clients.create>[0]);
      expect(await clients.get('old')).toMatchObject({
        redirectUris: [],
        postLogoutRedirectUris: [],
        backchannelLogoutUri: null,
        jwks: null,
      });
    });

    it('keeps the public keys a private_key_jwt client registered', async () => {
      const clients = ctx.storage().clients;
      const jwks = {
        keys: [{ kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo', kid: 'k1' }],
      };
      const signed = client('signed', { type: 'confidential', secretHash: null, jwks });
      await clients.create(signed);
      expect(await clients.get('signed')).toEqual(signed);
    });
  });

  describe('audiences', () => {
    it('upserts (replacing), gets, lists and deletes', async () => {
      const audiences = ctx.storage().audiences;
      await audiences.upsert({
        id: 'rooms',
        name: 'Rooms',
        scopes: ['rooms:read'],
        uri: null,
        createdAt: 1_000,
      });
      await audiences.upsert({
        id: 'https://pool.example',
        name: 'Pool',
        scopes: [],
        uri: null,
        createdAt: 2_000,
      });
      const replaced = {
        id: 'rooms',
        name: 'Rooms v2',
        scopes: ['rooms:read', 'rooms:write'],
        uri: 'https://rooms.example/api',
        createdAt: 1_000,
      };
      await audiences.upsert(replaced);
      expect(await audiences.get('rooms')).toEqual(replaced);
      expect((await audiences.list()).map((a) => a.id)).toEqual(['rooms', 'https://pool.example']);
      expect(await audiences.delete('rooms')).toBe(true);
      expect(await audiences.delete('rooms')).toBe(false);
      expect(await audiences.get('rooms')).toBeUndefined();
    });

    it('finds an audience by its resource uri, unique when set (many may have none)', async () => {
      const audiences = ctx.storage().audiences;
      const rooms = { id: 'rooms', name: 'Rooms', scopes: [], uri: 'https://rooms.example/', createdAt: 1 };
      await audiences.upsert(rooms);
      await audiences.upsert({ id: 'pool', name: 'Pool', scopes: [], uri: null, createdAt: 2 });
      await audiences.upsert({ id: 'garage', name: 'Garage', scopes: [], uri: null, createdAt: 3 });
      expect(await audiences.getByUri('https://rooms.example/')).toEqual(rooms);
      expect(await audiences.getByUri('https://nope.example/')).toBeUndefined();
      await expect(
        audiences.upsert({
          id: 'pool',
          name: 'Pool',
          scopes: [],
          uri: 'https://rooms.example/',
          createdAt: 2,
        }),
      ).rejects.toMatchObject({ code: 'ERR_STORAGE_CONFLICT' });
      expect((await audiences.get('pool'))?.uri).toBeNull();
      await audiences.upsert({ ...rooms, name: 'Rooms again' }); // the same audience keeps its uri
      expect((await audiences.getByUri('https://rooms.example/'))?.name).toBe('Rooms again');
    });
  });

  describe('roles', () => {
    it('upserts (replacing), gets, lists and deletes', async () => {
      const roles = ctx.storage().roles;
      await roles.upsert({ name: 'manager', scopes: ['admin:read'], createdAt: 2_000 });
      await roles.upsert({ name: 'guest', scopes: ['rooms:read'], createdAt: 1_000 });
      await roles.upsert({ name: 'manager', scopes: ['admin:read', 'admin:write'], createdAt: 2_000 });
      expect(await roles.get('manager')).toEqual({
        name: 'manager',
        scopes: ['admin:read', 'admin:write'],
        requireMfa: false,
        createdAt: 2_000,
      });
      expect((await roles.list()).map((r) => r.name)).toEqual(['guest', 'manager']);
      expect(await roles.delete('guest')).toBe(true);
      expect(await roles.delete('guest')).toBe(false);
      expect(await roles.get('guest')).toBeUndefined();
    });
  });
}
