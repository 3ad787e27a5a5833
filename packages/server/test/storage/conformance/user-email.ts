import { describe, expect, it } from 'vitest';
import { type Ctx, emailToken, hash, passkey, totp, user } from './fixtures.js';

const withEmail = (email: string) => ({
  email,
  emailKey: email.normalize('NFC').toLowerCase(),
  emailVerifiedAt: null,
});

/** A user's email address, a role's MFA requirement, and what deleting a user takes with it. */
export function userEmailTests(ctx: Ctx, concurrency: number): void {
  describe('users: email', () => {
    it('stores no address by default and finds a user by email key', async () => {
      const users = ctx.storage().users;
      await users.create(user('u1'));
      const bob = user('u2', { username: 'bob', ...withEmail('Bob@Example.com'), emailVerifiedAt: 5_000 });
      await users.create(bob);
      expect(await users.getById('u1')).toMatchObject({ email: null, emailKey: null, emailVerifiedAt: null });
      expect(await users.getByEmail('bob@example.com')).toEqual(bob);
      expect(await users.getByEmail('Bob@Example.com')).toBeUndefined(); // lookups go through the key only
      expect(await users.getByEmail('nobody@example.com')).toBeUndefined();
    });

    it('rejects a duplicate email key on create, while many users have none', async () => {
      const users = ctx.storage().users;
      await users.create(user('u1', { username: 'a', ...withEmail('alice@example.com') }));
      await users.create(user('u2', { username: 'b' }));
      await users.create(user('u3', { username: 'c' }));
      await expect(
        users.create(user('u4', { username: 'd', ...withEmail('ALICE@example.com') })),
      ).rejects.toMatchObject({ code: 'ERR_STORAGE_CONFLICT' });
      expect(await users.getById('u4')).toBeUndefined();
    });

    it('patches email, key and verification; another user’s key is a conflict that changes nothing', async () => {
      const users = ctx.storage().users;
      await users.create(user('u1', { username: 'a', ...withEmail('alice@example.com') }));
      await users.create(user('u2', { username: 'b' }));
      const set = await users.update('u2', { ...withEmail('Bob@example.com'), updatedAt: 2_000 });
      expect(set).toMatchObject({ email: 'Bob@example.com', emailKey: 'bob@example.com', updatedAt: 2_000 });
      expect(await users.update('u2', { emailVerifiedAt: 3_000 })).toMatchObject({
        emailKey: 'bob@example.com',
        emailVerifiedAt: 3_000,
      });
      await expect(
        users.update('u2', { ...withEmail('alice@example.com'), updatedAt: 4_000 }),
      ).rejects.toMatchObject({ code: 'ERR_STORAGE_CONFLICT' });
      expect(await users.getById('u2')).toMatchObject({ emailKey: 'bob@example.com', updatedAt: 2_000 });
      // Setting one's own key again is no conflict; clearing it frees the address.
      expect(await users.update('u1', withEmail('alice@example.com'))).toBeDefined();
      await users.update('u1', { email: null, emailKey: null, emailVerifiedAt: null });
      expect(await users.getByEmail('alice@example.com')).toBeUndefined();
      expect(await users.update('u2', withEmail('alice@example.com'))).toMatchObject({ id: 'u2' });
    });

    it(`lets exactly one of ${concurrency} concurrent creates with one email key win`, async () => {
      const users = ctx.storage().users;
      const results = await Promise.allSettled(
        Array.from({ length: concurrency }, (_, i) =>
          users.create(user(`u${i}`, { username: `user-${i}`, ...withEmail('same@example.com') })),
        ),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) {
        if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'ERR_STORAGE_CONFLICT' });
      }
      expect(await users.getByEmail('same@example.com')).toBeDefined();
    });
  });

  describe('roles: requireMfa', () => {
    it('defaults to false, is stored when set, and an upsert replaces it', async () => {
      const roles = ctx.storage().roles;
      await roles.upsert({ name: 'guest', scopes: [], createdAt: 1 });
      await roles.upsert({ name: 'manager', scopes: ['admin'], requireMfa: true, createdAt: 2 });
      expect(await roles.get('guest')).toEqual({
        name: 'guest',
        scopes: [],
        requireMfa: false,
        createdAt: 1,
      });
      expect(await roles.get('manager')).toMatchObject({ requireMfa: true });
      expect((await roles.list()).map((r) => r.requireMfa)).toEqual([false, true]);
      await roles.upsert({ name: 'manager', scopes: ['admin'], requireMfa: false, createdAt: 2 });
      expect(await roles.get('manager')).toMatchObject({ requireMfa: false });
    });
  });

  describe('deleting a user', () => {
    it('deletes their TOTP, recovery codes, passkeys and email tokens, and nobody else’s', async () => {
      const s = ctx.storage();
      for (const id of ['u1', 'u2']) {
        await s.users.create(user(id, { username: `user-${id}` }));
        await s.totp.put(totp(id));
        await s.recoveryCodes.replace(id, [hash(`${id}-r1`), hash(`${id}-r2`)], 1_000);
        await s.passkeys.create(passkey(`p-${id}`, { userId: id }));
        await s.emailTokens.create(emailToken(hash(`${id}-mail`), { userId: id }));
      }
      expect(await s.users.delete('u1')).toBe(true);
      expect(await s.totp.get('u1')).toBeUndefined();
      expect(await s.recoveryCodes.countUnused('u1')).toBe(0);
      expect(await s.passkeys.get('p-u1')).toBeUndefined();
      expect(await s.passkeys.getByCredentialId('cred-p-u1')).toBeUndefined();
      expect(await s.emailTokens.consume(hash('u1-mail'), 'password_reset', 2_000)).toBeUndefined();
      expect(await s.totp.get('u2')).toBeDefined();
      expect(await s.recoveryCodes.countUnused('u2')).toBe(2);
      expect(await s.passkeys.listByUser('u2')).toHaveLength(1);
      expect(await s.emailTokens.consume(hash('u2-mail'), 'password_reset', 2_000)).toBeDefined();
      // The credential id is free again: a new account may register that authenticator.
      await s.users.create(user('u3', { username: 'user-u3' }));
      await s.passkeys.create(passkey('p-u3', { userId: 'u3', credentialId: 'cred-p-u1' }));
    });

    it('refuses a factor or email token for a user that does not exist', async () => {
      const s = ctx.storage();
      const conflict = { code: 'ERR_STORAGE_CONFLICT' };
      await expect(s.totp.put(totp('ghost'))).rejects.toMatchObject(conflict);
      await expect(s.recoveryCodes.replace('ghost', [hash('r')], 1_000)).rejects.toMatchObject(conflict);
      await expect(s.passkeys.create(passkey('p', { userId: 'ghost' }))).rejects.toMatchObject(conflict);
      await expect(s.emailTokens.create(emailToken(hash('m'), { userId: 'ghost' }))).rejects.toMatchObject(
        conflict,
      );
      expect(await s.totp.get('ghost')).toBeUndefined();
      expect(await s.recoveryCodes.countUnused('ghost')).toBe(0);
      expect(await s.passkeys.get('p')).toBeUndefined();
    });
  });
}
