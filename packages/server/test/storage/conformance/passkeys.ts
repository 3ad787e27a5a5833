import { describe, expect, it } from 'vitest';
import { type Ctx, passkey, user } from './fixtures.js';

export function passkeyTests(ctx: Ctx, concurrency: number): void {
  describe('passkeys', () => {
    const store = async () => {
      const s = ctx.storage();
      await s.users.create(user('u1', { username: 'alice' }));
      await s.users.create(user('u2', { username: 'bob' }));
      return s.passkeys;
    };

    it('creates and reads back by id and by credential id', async () => {
      const pk = await store();
      const phone = passkey('p1', { transports: [], backedUp: false, deviceType: 'singleDevice' });
      await pk.create(phone);
      await pk.create(passkey('p2', { counter: 4_294_967_295, lastUsedAt: 2_000 })); // the counter's maximum
      expect(await pk.get('p1')).toEqual(phone);
      expect(await pk.getByCredentialId('cred-p1')).toEqual(phone);
      expect(await pk.get('p2')).toEqual(passkey('p2', { counter: 4_294_967_295, lastUsedAt: 2_000 }));
      expect(await pk.get('nope')).toBeUndefined();
      expect(await pk.getByCredentialId('CRED-P1')).toBeUndefined(); // base64url is case-sensitive
    });

    it('rejects a duplicate credential id (even for another user) and a duplicate id', async () => {
      const pk = await store();
      await pk.create(passkey('p1'));
      await expect(pk.create(passkey('p2', { userId: 'u2', credentialId: 'cred-p1' }))).rejects.toMatchObject(
        {
          code: 'ERR_STORAGE_CONFLICT',
        },
      );
      await expect(pk.create(passkey('p1', { credentialId: 'other' }))).rejects.toMatchObject({
        code: 'ERR_STORAGE_CONFLICT',
      });
      expect(await pk.listByUser('u2')).toEqual([]);
    });

    it('lists a user’s passkeys oldest first, then by id', async () => {
      const pk = await store();
      await pk.create(passkey('c', { createdAt: 2_000 }));
      await pk.create(passkey('b', { createdAt: 1_000 }));
      await pk.create(passkey('a', { createdAt: 2_000 }));
      await pk.create(passkey('z', { userId: 'u2' }));
      expect((await pk.listByUser('u1')).map((p) => p.id)).toEqual(['b', 'a', 'c']);
      expect(await pk.listByUser('nobody')).toEqual([]);
    });

    it('records a use only when the stored counter is the one the caller read', async () => {
      const pk = await store();
      await pk.create(passkey('p1', { counter: 5 }));
      expect(await pk.recordUse('p1', 5, 6, 2_000)).toBe(true);
      expect(await pk.get('p1')).toMatchObject({ counter: 6, lastUsedAt: 2_000 });
      expect(await pk.recordUse('p1', 5, 7, 3_000)).toBe(false); // read before the last use
      expect(await pk.get('p1')).toMatchObject({ counter: 6, lastUsedAt: 2_000 });
      expect(await pk.recordUse('nope', 0, 1, 3_000)).toBe(false);
      // Authenticators that do not count stay at 0; each use still records its time.
      await pk.create(passkey('p0'));
      expect(await pk.recordUse('p0', 0, 0, 4_000)).toBe(true);
      expect(await pk.get('p0')).toMatchObject({ counter: 0, lastUsedAt: 4_000 });
    });

    it('renames and deletes only the owner’s passkey', async () => {
      const pk = await store();
      await pk.create(passkey('p1'));
      expect(await pk.rename('p1', 'u2', 'mine now')).toBe(false);
      expect(await pk.rename('p1', 'u1', 'Work laptop')).toBe(true);
      expect(await pk.rename('nope', 'u1', 'x')).toBe(false);
      expect(await pk.get('p1')).toMatchObject({ name: 'Work laptop' });
      expect(await pk.delete('p1', 'u2')).toBe(false);
      expect(await pk.get('p1')).toBeDefined();
      expect(await pk.delete('p1', 'u1')).toBe(true);
      expect(await pk.delete('p1', 'u1')).toBe(false);
      expect(await pk.getByCredentialId('cred-p1')).toBeUndefined();
    });

    it('deletes every passkey of a user', async () => {
      const pk = await store();
      await pk.create(passkey('a'));
      await pk.create(passkey('b'));
      await pk.create(passkey('c', { userId: 'u2' }));
      expect(await pk.deleteByUser('u1')).toBe(2);
      expect(await pk.deleteByUser('u1')).toBe(0);
      expect((await pk.listByUser('u2')).map((p) => p.id)).toEqual(['c']);
    });

    it('returns copies: mutating a record read back does not change stored state', async () => {
      const pk = await store();
      await pk.create(passkey('p1'));
      const read = await pk.get('p1');
      read?.transports.push('usb');
      expect(await pk.get('p1')).toEqual(passkey('p1'));
    });

    it(`lets exactly one of ${concurrency} concurrent uses that read one counter win`, async () => {
      const pk = await store();
      await pk.create(passkey('p1', { counter: 10 }));
      const results = await Promise.all(
        Array.from({ length: concurrency }, (_, i) => pk.recordUse('p1', 10, 11 + i, 2_000 + i)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const won = results.indexOf(true);
      expect(await pk.get('p1')).toMatchObject({ counter: 11 + won, lastUsedAt: 2_000 + won });
    });

    it(`lets exactly one of ${concurrency} concurrent registrations of one credential win`, async () => {
      const pk = await store();
      const results = await Promise.allSettled(
        Array.from({ length: concurrency }, (_, i) =>
          pk.create(passkey(`p${i}`, { userId: i % 2 ? 'u1' : 'u2', credentialId: 'same' })),
        ),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) {
        if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'ERR_STORAGE_CONFLICT' });
      }
    });
  });
}
